/**
 * Orchestration overhead: a wave of independent issues through the whole pipeline on the sandbox
 * forge, every codex run held for a few seconds by a real `sleep` in its shell. Plan, then every
 * group's implement job at once, then every PR's review job at once (each approves), then the merge
 * job. The figure is the wall time divided by the codex critical path: the sum over the stages of
 * the longest codex run in each (plan and merge run no codex), with each run's duration as the
 * pipeline measured it around the codex process and recorded in the PR's ledger.
 */
import { round, atMost, type BenchResult } from './result.js'
import { BenchWorld, requestKind, type Job } from './world.js'

/** What one wave measured. */
export interface WaveRun {
  ratio: number
  wallMs: number
  criticalPathMs: number
  stages: Array<{ stage: string; wallMs: number; longestCodexMs: number; jobs: number }>
  restPerIssue: number
  merged: number
  branchUpdates: number
}

const span = (jobs: readonly Job[]) =>
  Math.max(...jobs.map(job => job.endedAt)) - Math.min(...jobs.map(job => job.startedAt))

/** Runs one wave of `issues` issues with codex runs of at least `workSeconds` each. */
export async function runWave(issues: number, workSeconds: number): Promise<WaveRun> {
  const world = await BenchWorld.start({ workSeconds })
  world.startCiRobot()
  try {
    const numbers = world.createIssues(issues)
    const logStart = world.forge.requests().length
    const planned = await world.plan(numbers)
    if (planned.groups.length !== issues) {
      throw new Error(
        `The plan made ${planned.groups.length} groups of ${issues} independent issues:\n${planned.job.result.summary}`
      )
    }
    const implemented = await Promise.all(
      planned.groups.map(group => world.implement(group, planned.plan, planned.job.runId))
    )
    const prs = implemented.map(job => Number(job.result.outputs['pr-number']))
    const reviewed = await Promise.all(prs.map(pr => world.review(pr)))
    const notApproved = reviewed.filter(job => job.result.outputs.verdict !== 'approved')
    if (notApproved.length > 0) {
      throw new Error(
        `${notApproved.length} reviews did not approve:\n${notApproved[0]?.result.summary}`
      )
    }
    const mergeLogStart = world.forge.requests().length
    const merge = await world.merge()
    const wallMs = merge.endedAt - planned.job.startedAt
    const merged = JSON.parse(merge.result.outputs.merged ?? '[]') as unknown[]
    if (merged.length !== issues) {
      throw new Error(
        `The merge job merged ${merged.length} of ${issues} PRs:\n${merge.result.summary}`
      )
    }
    const ledgers = await Promise.all(prs.map(pr => world.ledger(pr)))
    const longest = (phase: 'dispatch' | 'review') =>
      Math.max(...ledgers.map(ledger => ledger.usage[phase].durationMs))
    const stages = [
      { stage: 'plan', wallMs: span([planned.job]), longestCodexMs: 0, jobs: 1 },
      {
        stage: 'implement',
        wallMs: span(implemented),
        longestCodexMs: longest('dispatch'),
        jobs: implemented.length
      },
      {
        stage: 'review',
        wallMs: span(reviewed),
        longestCodexMs: longest('review'),
        jobs: reviewed.length
      },
      { stage: 'merge', wallMs: span([merge]), longestCodexMs: 0, jobs: 1 }
    ]
    const criticalPathMs = stages.reduce((sum, stage) => sum + stage.longestCodexMs, 0)
    const rest = world.pipelineRequests(logStart).filter(entry => requestKind(entry) === 'rest')
    const updates = world
      .pipelineRequests(mergeLogStart)
      .filter(entry => entry.method === 'PUT' && entry.route.endsWith('/update-branch'))
    return {
      ratio: wallMs / criticalPathMs,
      wallMs,
      criticalPathMs,
      stages,
      restPerIssue: rest.length / issues,
      merged: merged.length,
      branchUpdates: updates.length
    }
  } finally {
    await world.close()
  }
}

/** The overhead benchmark: `runs` waves of 12 issues, codex runs of at least 2 s. */
export async function overhead(runs: number): Promise<BenchResult> {
  const issues = 12
  const workSeconds = 2
  const waves: WaveRun[] = []
  for (let run = 0; run < runs; run++) waves.push(await runWave(issues, workSeconds))
  return atMost(
    'overhead',
    'wall time ÷ codex critical path',
    waves.map(wave => wave.ratio),
    1.15,
    {
      method: `A wave of ${issues} independent issues on the sandbox forge: plan → ${issues} implement jobs at once → ${issues} review jobs at once (all approve) → one merge job, each a bundle run as the runner runs it in a fresh checkout, with the real codex binary whose every run sleeps ${workSeconds} s in its shell. Codex critical path = the longest codex run of the implement stage + that of the review stage (plan and merge run no codex), from the durations in the PRs' ledgers. A CI stand-in reports success on each new head within ~0.15 s.`,
      waves: waves.map(wave => ({
        ratio: round(wave.ratio),
        wallSeconds: round(wave.wallMs / 1000, 1),
        criticalPathSeconds: round(wave.criticalPathMs / 1000, 1),
        stages: wave.stages.map(stage => ({
          stage: stage.stage,
          jobs: stage.jobs,
          wallSeconds: round(stage.wallMs / 1000, 1),
          longestCodexSeconds: round(stage.longestCodexMs / 1000, 1)
        })),
        restRequestsPerIssue: round(wave.restPerIssue, 1),
        merged: wave.merged,
        branchUpdatesByMerge: wave.branchUpdates
      }))
    }
  )
}
