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
import { runsOf, startPipelineWorld, type PipelineWorld } from './pipeline-world.js'
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

describe('a wave dispatched with issue numbers', () => {
  let world: PipelineWorld

  beforeAll(async () => {
    world = await startPipelineWorld({ app: true })
    await world.as('write').rest.actions.createWorkflowDispatch({
      owner: world.owner,
      repo: world.repo,
      workflow_id: 'codex-waves-dispatch.yml',
      ref: 'main',
      inputs: { issues: '1 2 3' }
    })
    await world.engine.settled({ timeoutMs: WAVE_MS })
    reports.push(...permissionReport(world.engine.runs(), world.forge.requests()))
  }, WAVE_MS + 60_000)

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
    expectConclusion(runsOf(runs, 'codex-waves-dispatch.yml')[0], 'success')
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
      .filter(summary => /Success criteria/.test(summary))
      .at(-1)
    expect(report).toMatch(/Success criteria/)
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
