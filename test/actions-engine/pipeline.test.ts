/**
 * The pipeline as a whole: this repository's workflow files, run end to end by the Actions engine
 * over the GitHub emulator, each job's token limited to its `permissions:`, with the real codex on
 * the scripted model. One wave is started by a maintainer dispatching the issue numbers, one by a
 * maintainer labelling an issue; both end with their pull requests merged, through a correction
 * cycle that goes correct → review by `workflow_dispatch`, and a wave report. No job may be refused
 * a request, and no job may hold a write scope it never uses.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import {
  permissionReport,
  type JobPermissionUse,
  type RunRecord
} from '../../harness/actions-engine/index.js'
import { DEMO_PLAYBOOK, type PlaybookEntry } from '../../harness/demo/playbook.js'
import { runsOf, startPipelineWorld, TEST_CONFIG, type PipelineWorld } from './pipeline-world.js'
import { expectConclusion, runLog } from './run-log.js'

/** A wave with codex takes about a minute unloaded; three times that and more on a busy machine. */
const WAVE_MS = 6 * 60_000

const reports: JobPermissionUse[] = []

async function mergedPulls(world: PipelineWorld) {
  const octokit = world.as('read')
  const where = { owner: world.owner, repo: world.repo }
  const pulls = await octokit.paginate(octokit.rest.pulls.list, {
    ...where,
    state: 'all',
    per_page: 100
  })
  return pulls.map(pull => ({
    number: pull.number,
    body: pull.body ?? '',
    merged: pull.merged_at !== null
  }))
}

function closes(body: string): number[] {
  return [...body.matchAll(/Closes #(\d+)/g)].map(match => Number(match[1]))
}

function everyLog(runs: readonly RunRecord[]): string {
  return runs.map(runLog).join('\n\n')
}

async function dispatchWave(world: PipelineWorld, inputs: Record<string, string>): Promise<void> {
  await world.as('write').rest.actions.createWorkflowDispatch({
    owner: world.owner,
    repo: world.repo,
    workflow_id: 'codex-waves-dispatch.yml',
    ref: 'main',
    inputs
  })
  await world.engine.settled({ timeoutMs: WAVE_MS })
}

describe('a wave dispatched with issue numbers, confirmed by a maintainer', () => {
  let world: PipelineWorld
  let planId: string | undefined

  beforeAll(
    async () => {
      world = await startPipelineWorld({ app: true, config: `${TEST_CONFIG}confirm: always\n` })
      await dispatchWave(world, { issues: '1 2 3' })
      const dispatches = runsOf(world.engine.runs(), 'codex-waves-dispatch.yml')
      const plan = dispatches[0]?.jobs.find(job => job.jobId === 'plan')
      planId = plan?.outputs['needs-confirmation'] === 'true' ? plan.outputs['plan-id'] : undefined
      if (planId !== undefined) await dispatchWave(world, { issues: '1 2 3', confirm: planId })
      reports.push(...permissionReport(world.engine.runs(), world.forge.requests()))
    },
    2 * WAVE_MS + 60_000
  )

  it('halts for a confirmation, posting the proposal, then runs when re-dispatched with the plan id', async () => {
    expect(planId).toMatch(/^[0-9a-f]{12}$/)
    const [halted, confirmed] = runsOf(world.engine.runs(), 'codex-waves-dispatch.yml')
    expect(halted?.jobs.map(job => `${job.jobId}: ${job.result}`)).toEqual(['plan: success'])
    expectConclusion(confirmed, 'success')
    const comments = await world
      .as('read')
      .rest.issues.listComments({ owner: world.owner, repo: world.repo, issue_number: 1 })
    expect(comments.data.some(comment => comment.body?.includes(planId!))).toBe(true)
  })

  afterAll(async () => {
    await world.close()
  })

  it('merges a pull request for each issue, and closes the issues', async () => {
    const runs = world.engine.runs()
    const pulls = await mergedPulls(world)
    const merged = pulls
      .filter(pull => pull.merged)
      .flatMap(pull => closes(pull.body))
      .sort()
    if (merged.join() !== '1,2,3') throw new Error(`merged ${merged.join()}:\n${everyLog(runs)}`)
    const issues = await world
      .as('read')
      .rest.issues.listForRepo({ owner: world.owner, repo: world.repo, state: 'closed' })
    expect(issues.data.map(issue => issue.number).sort()).toEqual(expect.arrayContaining([1, 2, 3]))
  })

  it('went dispatch → review → correct → review (by workflow_dispatch) → merge', () => {
    const runs = world.engine.runs()
    expectConclusion(runsOf(runs, 'codex-waves-dispatch.yml').at(-1), 'success')
    const reviews = runsOf(runs, 'codex-waves-review.yml')
    expect(reviews[0]?.event).toBe('workflow_run')
    const corrections = runsOf(runs, 'codex-waves-correct.yml').filter(
      run => run.conclusion !== 'skipped'
    )
    expect(corrections.length).toBeGreaterThanOrEqual(1)
    expectConclusion(corrections[0], 'success')
    const rereview = reviews.find(run => run.event === 'workflow_dispatch')
    expectConclusion(rereview, 'success')
    expect(rereview!.startedAt).toBeGreaterThan(corrections[0]!.startedAt)
  })

  it('ends with the wave report in the merge job summary', () => {
    const merges = runsOf(world.engine.runs(), 'codex-waves-merge.yml').flatMap(run => run.jobs)
    const report = merges
      .map(job => job.summary)
      .filter(summary => summary.includes('## Wave report'))
      .at(-1)
    expect(report).toMatch(/## Wave report: every criterion met/)
  })

  it('no job was refused a request for lack of permission', () => {
    const refused = reports.filter(report => report.refused.length > 0)
    expect(
      refused.map(
        report =>
          `${report.workflow} ${report.job}: ${report.refused.map(r => `${r.method} ${r.route}`).join(', ')}`
      )
    ).toEqual([])
  })
})

describe('a wave started by a label', () => {
  let world: PipelineWorld

  beforeAll(async () => {
    world = await startPipelineWorld({ app: true })
    await world.as('write').rest.issues.addLabels({
      owner: world.owner,
      repo: world.repo,
      issue_number: 1,
      labels: ['codex-waves']
    })
    await world.engine.settled({ timeoutMs: WAVE_MS })
    reports.push(...permissionReport(world.engine.runs(), world.forge.requests()))
  }, WAVE_MS + 60_000)

  afterAll(async () => {
    await world.close()
  })

  it('plans, implements, reviews and merges the labelled issue', async () => {
    const runs = world.engine.runs()
    const dispatch = runsOf(runs, 'codex-waves-dispatch.yml')
    expect(dispatch.map(run => `${run.event}.${run.action}`)).toEqual(['issues.labeled'])
    expectConclusion(dispatch[0], 'success')
    const pulls = await mergedPulls(world)
    const merged = pulls.filter(pull => pull.merged).flatMap(pull => closes(pull.body))
    if (merged.join() !== '1') throw new Error(`merged ${merged.join()}:\n${everyLog(runs)}`)
  })
})

/** The numbers module once both changes are in: the parameter renamed, and the empty case. */
const RESOLVED_NUMBERS = `/** The sum of a list of numbers. */
export function sum(values) {
  return values.reduce((total, value) => total + value, 0)
}

/** The arithmetic mean of a list of numbers. */
export function mean(list) {
  if (list.length === 0) return 0
  return sum(list) / list.length
}
`

const RESOLVE: PlaybookEntry['corrector'] = {
  calls: [{ command: `cat > src/numbers.js <<'EOF'\n${RESOLVED_NUMBERS}EOF` }],
  result: {
    status: 'done',
    commit_title: 'fix(numbers): resolve the conflict with the base',
    commit_body: '',
    pr_summary: 'Keeps both changes: the renamed parameter and the empty case.',
    tests_run: [],
    open_questions: []
  }
}

const RENAME_TITLE = 'Name the parameter of the average helper for what it is'

/** Two issues whose changes touch the same lines, though neither issue says so. */
const CLASHING_PLAYBOOK: PlaybookEntry[] = [
  { ...DEMO_PLAYBOOK[0]!, corrector: RESOLVE },
  {
    titles: [RENAME_TITLE],
    implementer: {
      calls: [
        {
          patch: `*** Begin Patch
*** Update File: src/numbers.js
@@
 /** The arithmetic mean of a list of numbers. */
-export function mean(values) {
-  return sum(values) / values.length
+export function mean(list) {
+  return sum(list) / list.length
 }
*** End Patch`
        }
      ],
      result: {
        ...RESOLVE!.result,
        commit_title: 'refactor(numbers): name the parameter list',
        pr_summary: 'Renames the parameter.'
      }
    },
    reviewer: [
      {
        calls: [],
        verdict: {
          verdict: 'approved',
          summary: 'A rename, nothing else.',
          blocking: [],
          should_fix: [],
          nits: [],
          scope_violations: []
        }
      }
    ],
    corrector: RESOLVE
  }
]

describe('a merge that sends a pull request back to the corrector', () => {
  let world: PipelineWorld

  beforeAll(async () => {
    world = await startPipelineWorld({
      app: true,
      playbook: CLASHING_PLAYBOOK,
      issues: [
        {
          title: RENAME_TITLE,
          body: 'Call it list: the average helper takes a list.',
          labels: ['refactor']
        }
      ]
    })
    await dispatchWave(world, { issues: '1 5' })
    reports.push(...permissionReport(world.engine.runs(), world.forge.requests()))
  }, WAVE_MS + 60_000)

  afterAll(async () => {
    await world.close()
  })

  it('orders the correction by workflow_dispatch; the corrector resolves the conflict; both merge', async () => {
    const runs = world.engine.runs()
    const dispatchedCorrections = runsOf(runs, 'codex-waves-correct.yml').filter(
      run => run.event === 'workflow_dispatch'
    )
    expect(dispatchedCorrections).toHaveLength(1)
    expectConclusion(dispatchedCorrections[0], 'success')
    const merged = (await mergedPulls(world))
      .filter(pull => pull.merged)
      .flatMap(pull => closes(pull.body))
      .sort()
    if (merged.join() !== '1,5') throw new Error(`merged ${merged.join()}:\n${everyLog(runs)}`)
    const main = await world.forge.resolveCommit(world.repo, 'refs/heads/main')
    expect(await world.forge.readFile(world.repo, main!, 'src/numbers.js')).toBe(RESOLVED_NUMBERS)
  })
})

describe('least privilege, measured over the waves above', () => {
  it('every write scope a job holds is used by one of its requests', () => {
    const byJob = new Map<string, { granted: Set<string>; used: Set<string> }>()
    for (const report of reports) {
      const key = `${report.workflow} ${report.job.replace(/ \(.*\)$/, '')}`
      const entry = byJob.get(key) ?? { granted: new Set(), used: new Set() }
      report.unusedWrites.forEach(scope => entry.granted.add(scope))
      report.used
        .filter(use => use.endsWith(':write'))
        .forEach(use => entry.used.add(use.split(':')[0]!))
      byJob.set(key, entry)
    }
    const unused = [...byJob].flatMap(([job, entry]) =>
      [...entry.granted]
        .filter(scope => !entry.used.has(scope))
        .map(scope => `${job}: ${scope}: write`)
    )
    expect(unused).toEqual([])
  })
})
