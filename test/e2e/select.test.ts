/**
 * `step: select` of the review and correct actions end to end: their bundles run as the runner
 * runs them, with a read-only token, against the sandbox forge holding pipeline pull requests in
 * every state the selection tells apart; and a review run whose artifacts name what it reviewed.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { REVIEW_STATUS_CONTEXT } from '../../src/decide/index.js'
import {
  runAction,
  type ActionEvent,
  type ActionRunResult
} from '../../harness/actions-engine/action-runner.js'
import { actionBundle, actionMetadata } from '../harness/bundles.js'
import { restRequests, writeRequests } from './fixtures/plan-repo.js'
import { PIPELINE_LOGIN, PipelineRepo } from './fixtures/pipeline-pr.js'

const TIMEOUT = 180_000

interface Opened {
  pr: number
  sha: string
  branch: string
}

let world: PipelineRepo
/** The pull requests of the repository, by the state they are in. */
const pulls: Record<string, Opened> = {}
let reviewRun: number
/** A review run that uploaded no review artifact (its reviews all failed before the upload). */
let emptyReviewRun: number

/** Opens a pull request from a branch of one commit, with labels and a review status. */
async function open(
  slug: string,
  options: { labels?: string[]; review?: 'success' | 'failure' | 'pending' } = {}
): Promise<Opened> {
  const branch = `fix/${slug}`
  const sha = await world.commitOn(branch, 'origin/main', { [`src/${slug}.js`]: 'export {}\n' }, [
    `fix: ${slug}`
  ])
  const api = world.api()
  const where = { owner: world.owner, repo: world.repo }
  const { data } = await api.rest.pulls.create({
    ...where,
    title: slug,
    head: branch,
    base: 'main'
  })
  const labels = options.labels ?? ['codex-waves']
  if (labels.length > 0) {
    await api.rest.issues.addLabels({ ...where, issue_number: data.number, labels })
  }
  if (options.review !== undefined) {
    await api.rest.repos.createCommitStatus({
      ...where,
      sha,
      context: REVIEW_STATUS_CONTEXT,
      state: options.review
    })
  }
  return { pr: data.number, sha, branch }
}

/** Runs the action's bundle with `step: select` in a new run of its workflow. */
async function select(
  phase: 'review' | 'correct',
  event: ActionEvent,
  inputs: Record<string, string> = {}
): Promise<ActionRunResult & { routes: string[]; writes: number }> {
  const runId = world.forge.createWorkflowRun(world.repo, {
    workflow: `codex-waves-${phase}.yml`,
    event: event.name,
    headBranch: 'main',
    headSha: await world.mainSha(),
    actor: PIPELINE_LOGIN
  })
  const { GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID, ...artifactEnv } =
    world.forge.jobEnvironment(world.repo, runId)
  const since = world.forge.requests().length
  const result = await runAction({
    entry: actionBundle(phase),
    actionYml: actionMetadata(phase),
    inputs: { step: 'select', ...inputs },
    event,
    apiUrl: GITHUB_API_URL,
    repository: GITHUB_REPOSITORY,
    runId: Number(GITHUB_RUN_ID),
    serverUrl: 'https://github.com',
    // a reader's token: the step must need nothing more
    token: world.forge.tokens.read,
    env: artifactEnv,
    timeoutMs: 60_000
  })
  const requests = restRequests(world.forge, since)
  return {
    ...result,
    routes: requests.map(entry => `${entry.method} ${entry.route}`),
    writes: writeRequests(requests).length
  }
}

function selected(result: ActionRunResult): Opened[] {
  const include = JSON.parse(result.outputs.include ?? 'null') as Opened[]
  expect(result.outputs.count).toBe(String(include.length))
  return include
}

function errors(result: ActionRunResult): string[] {
  return result.annotations.filter(a => a.level === 'error').map(a => a.message)
}

const completed = (id: number): ActionEvent => ({
  name: 'workflow_run',
  payload: { action: 'completed', workflow_run: { id, conclusion: 'success' } }
})
const byHand = (pr: string): ActionEvent => ({
  name: 'workflow_dispatch',
  payload: { inputs: { pr } }
})

beforeAll(async () => {
  world = await PipelineRepo.start()
  pulls.fresh = await open('1-fresh')
  pulls.pending = await open('2-pending', { review: 'pending' })
  pulls.approved = await open('3-approved', { review: 'success' })
  pulls.wanting = await open('4-wanting', { review: 'failure' })
  pulls.waiting = await open('5-waiting', {
    labels: ['codex-waves', 'waves:needs-human'],
    review: 'failure'
  })
  pulls.foreign = await open('6-foreign', { labels: [] })
  pulls.closed = await open('7-closed', { review: 'failure' })
  await world.api().rest.pulls.update({
    owner: world.owner,
    repo: world.repo,
    pull_number: pulls.closed.pr,
    state: 'closed'
  })
  reviewRun = world.forge.createWorkflowRun(world.repo, {
    workflow: 'codex-waves-review.yml',
    event: 'workflow_run',
    headBranch: 'main',
    headSha: await world.mainSha(),
    actor: PIPELINE_LOGIN,
    status: 'in_progress'
  })
  for (const name of ['approved', 'wanting', 'waiting', 'closed'] as const) {
    await world.uploadArtifact(reviewRun, `waves-review-${pulls[name]!.pr}-1`, {
      'review.json': '{}\n'
    })
  }
  world.forge.updateWorkflowRun(world.repo, reviewRun, {
    status: 'completed',
    conclusion: 'success'
  })
  emptyReviewRun = world.forge.createWorkflowRun(world.repo, {
    workflow: 'codex-waves-review.yml',
    event: 'workflow_dispatch',
    headBranch: 'main',
    headSha: await world.mainSha(),
    actor: PIPELINE_LOGIN,
    status: 'completed',
    conclusion: 'failure'
  })
}, TIMEOUT)

afterAll(async () => {
  await world?.close()
})

describe('review, step select', () => {
  it(
    'after a dispatch run: the open pipeline PRs without a final review, in one list and a status read per candidate',
    async () => {
      const result = await select('review', completed(4242))
      expect(errors(result)).toEqual([])
      expect(result.exitCode).toBe(0)
      expect(selected(result)).toEqual([pulls.pending, pulls.fresh])
      const status = 'GET /repos/{owner}/{repo}/commits/{ref}/status'
      expect(result.routes).toEqual(['GET /repos/{owner}/{repo}/pulls', ...Array(4).fill(status)])
      expect(result.writes).toBe(0)
    },
    TIMEOUT
  )

  it(
    'by hand: any open PR of the repository, with one read',
    async () => {
      const result = await select('review', byHand(String(pulls.foreign!.pr)), {
        pr: String(pulls.foreign!.pr)
      })
      expect(result.exitCode).toBe(0)
      expect(selected(result)).toEqual([pulls.foreign])
      expect(result.routes).toEqual(['GET /repos/{owner}/{repo}/pulls/{pull_number}'])
    },
    TIMEOUT
  )

  it(
    'by hand: a closed PR fails the step with the reason and no output',
    async () => {
      const pr = String(pulls.closed!.pr)
      const result = await select('review', byHand(pr), { pr })
      expect(result.exitCode).toBe(1)
      expect(errors(result)).toEqual([
        `Pull request #${pr} is not open or comes from a fork; the pipeline reviews only open pull requests of this repository.`
      ])
      expect(result.outputs).toEqual({})
    },
    TIMEOUT
  )

  it(
    'by hand: an input that is not a number fails before any request',
    async () => {
      const result = await select('review', byHand('1; rm -rf /'), { pr: '1; rm -rf /' })
      expect(result.exitCode).toBe(1)
      expect(errors(result)).toEqual([
        "Input 'pr': '1; rm -rf /' is not a pull request number. Give one number, e.g. 42."
      ])
      expect(result.routes).toEqual([])
    },
    TIMEOUT
  )
})

describe('correct, step select', () => {
  it(
    'after a review run: the PRs it reviewed whose review failed and that wait for no person',
    async () => {
      const result = await select('correct', completed(reviewRun))
      expect(errors(result)).toEqual([])
      expect(result.exitCode).toBe(0)
      expect(selected(result)).toEqual([pulls.wanting])
      const status = 'GET /repos/{owner}/{repo}/commits/{ref}/status'
      expect(result.routes).toEqual([
        'GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts',
        'GET /repos/{owner}/{repo}/pulls',
        status,
        status
      ])
      expect(result.writes).toBe(0)
    },
    TIMEOUT
  )

  it(
    'after a review run that reviewed nothing: count 0, and no pull request is listed',
    async () => {
      const result = await select('correct', completed(emptyReviewRun))
      expect(result.exitCode).toBe(0)
      expect(selected(result)).toEqual([])
      expect(result.routes).toEqual(['GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts'])
    },
    TIMEOUT
  )

  it(
    'by hand or from the merge: the one PR, even one whose review approved it',
    async () => {
      const pr = String(pulls.approved!.pr)
      const result = await select('correct', byHand(pr), { pr })
      expect(result.exitCode).toBe(0)
      expect(selected(result)).toEqual([pulls.approved])
    },
    TIMEOUT
  )
})
