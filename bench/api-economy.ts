/**
 * API economy: the REST requests the pipeline's token makes for one issue, from the sandbox forge's
 * request log, for dispatch (plan and implement) → an approving review → merge, and for the same
 * with one correction (review requests changes, correct, review approves, merge).
 */
import type { RequestLogEntry } from '../harness/github-emulator/index.js'
import { atMost, median, type BenchResult } from './result.js'
import { BenchWorld, requestKind, type Job } from './world.js'

type Scenario = 'approved' | 'one-correction'

interface PhaseCount {
  phase: string
  rest: number
  routes: Record<string, number>
}

interface ScenarioRun {
  total: number
  phases: PhaseCount[]
  /** Requests to git and to the artifact service, which are not REST API calls. */
  nonRest: { git: number; artifactService: number }
}

/** Runs one issue through the pipeline and counts the pipeline's REST requests per phase. */
async function runScenario(scenario: Scenario): Promise<ScenarioRun> {
  const requestChanges = new Set<number>()
  const world = await BenchWorld.start({ workSeconds: 0, requestChangesOnce: requestChanges })
  world.startCiRobot()
  try {
    const phases: Array<{ phase: string; entries: RequestLogEntry[] }> = []
    const counted = async <T>(phase: string, body: () => Promise<T>): Promise<T> => {
      const from = world.forge.requests().length
      const done = await body()
      phases.push({ phase, entries: world.pipelineRequests(from) })
      return done
    }
    const issues = world.createIssues(1)
    const planned = await counted('dispatch: plan', () => world.plan(issues))
    const [group] = planned.groups
    if (group === undefined) throw new Error(`The plan of #${issues[0]} has no group.`)
    const implement = await counted('dispatch: implement', () =>
      world.implement(group, planned.plan, planned.job.runId)
    )
    const pr = Number(implement.result.outputs['pr-number'])
    if (scenario === 'one-correction') {
      requestChanges.add(pr)
      const first = await counted('review (changes requested)', () => world.review(pr))
      expectOutput(first, 'verdict', 'changes_requested')
      await counted('correct', () => world.correct(pr))
    }
    const review = await counted('review (approved)', () => world.review(pr))
    expectOutput(review, 'verdict', 'approved')
    const merge = await counted('merge', () => world.merge())
    const merged = JSON.parse(merge.result.outputs.merged ?? '[]') as unknown[]
    if (merged.length !== 1) {
      throw new Error(
        `The merge job merged ${merged.length} PRs, not #${pr}:\n${merge.result.summary}`
      )
    }
    return summarize(phases)
  } finally {
    await world.close()
  }
}

function expectOutput(job: Job, name: string, value: string): void {
  const actual = job.result.outputs[name]
  if (actual !== value) {
    throw new Error(`The ${job.action} job's output '${name}' is '${actual}', not '${value}'.`)
  }
}

function summarize(phases: Array<{ phase: string; entries: RequestLogEntry[] }>): ScenarioRun {
  const counts: PhaseCount[] = phases.map(({ phase, entries }) => {
    const routes: Record<string, number> = {}
    const rest = entries.filter(entry => requestKind(entry) === 'rest')
    for (const entry of rest) {
      const key = `${entry.method} ${entry.route}`
      routes[key] = (routes[key] ?? 0) + 1
    }
    return { phase, rest: rest.length, routes }
  })
  const all = phases.flatMap(phase => phase.entries)
  return {
    total: counts.reduce((sum, phase) => sum + phase.rest, 0),
    phases: counts,
    nonRest: {
      git: all.filter(entry => requestKind(entry) === 'git').length,
      artifactService: all.filter(entry => requestKind(entry) === 'artifact-service').length
    }
  }
}

/** Both scenarios, `runs` times each. */
export async function apiEconomy(runs: number): Promise<BenchResult[]> {
  const results: BenchResult[] = []
  const scenarios: Array<{ scenario: Scenario; name: string; limit: number }> = [
    { scenario: 'approved', name: 'API economy: dispatch → approved review → merge', limit: 15 },
    { scenario: 'one-correction', name: 'API economy: with one correction', limit: 25 }
  ]
  for (const { scenario, name, limit } of scenarios) {
    const measured: ScenarioRun[] = []
    for (let run = 0; run < runs; run++) measured.push(await runScenario(scenario))
    const totals = measured.map(run => run.total)
    const typical = measured.find(run => run.total === median(totals)) ?? measured[0]
    results.push(
      atMost('api-economy/' + scenario, 'REST requests per issue', totals, limit, {
        title: name,
        method:
          "One issue in a fresh sandbox forge, every phase's bundle run as a job; REST requests made with the pipeline's token counted from the forge's request log (retries included).",
        byPhase: typical?.phases,
        notRestButCounted: typical?.nonRest
      })
    )
  }
  return results
}
