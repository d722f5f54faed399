/**
 * The dispatch action's bundle with `step: plan`, run as the runner runs it against the sandbox
 * forge: outputs, job summary, proposal comments, the confirmation gate, bad input and a labelled
 * issue's event.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals'
import { startEmulator, type GitHubEmulator } from '../../harness/github-emulator/index.js'
import { parseWavePlan } from '../../src/contracts/index.js'
import { proposalCommentKey } from '../../src/report/plan-summary.js'
import {
  runAction,
  type ActionEvent,
  type ActionRunResult
} from '../../harness/actions-engine/action-runner.js'
import { actionBundle, actionMetadata } from '../harness/bundles.js'
import { gitOk } from '../github-emulator/helpers.js'
import {
  createPlanRepo,
  pushBranchWithoutPull,
  restRequests,
  writeRequests,
  type PlanRepo
} from './fixtures/plan-repo.js'

jest.setTimeout(120_000)

let forge: GitHubEmulator
let repo: PlanRepo
let headSha: string

/** Runs the bundle as one job of a new workflow run of the repository. */
async function dispatch(
  inputs: Record<string, string>,
  event: ActionEvent = { name: 'workflow_dispatch', payload: { inputs } }
): Promise<ActionRunResult & { runId: number }> {
  const runId = forge.createWorkflowRun(repo.name, {
    workflow: 'codex-waves-dispatch.yml',
    event: event.name,
    headBranch: 'main',
    headSha,
    actor: forge.userFor('admin').login
  })
  const { GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID, ...artifactEnv } = forge.jobEnvironment(
    repo.name,
    runId
  )
  const result = await runAction({
    entry: actionBundle('dispatch'),
    actionYml: actionMetadata('dispatch'),
    inputs: { step: 'plan', ...inputs },
    event,
    apiUrl: GITHUB_API_URL,
    repository: GITHUB_REPOSITORY,
    runId: Number(GITHUB_RUN_ID),
    // any other host makes the artifact client take the server for GitHub Enterprise Server
    serverUrl: 'https://github.com',
    sha: headSha,
    token: forge.tokens.actions,
    workspace: repo.workspace,
    env: artifactEnv,
    timeoutMs: 100_000
  })
  return { ...result, runId }
}

function batchInput(): string {
  const n = repo.numbers
  // every separator the input accepts, a `#` and a duplicate
  return `${n.drop}, ${n.extend} #${n.config}\n${n.closed},${n.umbrella} ${n.pull} ${n.drop}`
}

/** The comments on an issue that carry its proposal key, with their authors. */
async function proposals(issue: number): Promise<{ id: number; login: string; body: string }[]> {
  const { data } = await repo.api.rest.issues.listComments({
    owner: forge.owner,
    repo: repo.name,
    issue_number: issue
  })
  return data
    .filter(comment => comment.body?.includes(proposalCommentKey(issue)))
    .map(comment => ({
      id: comment.id,
      login: comment.user?.login ?? '',
      body: comment.body ?? ''
    }))
}

function errors(result: ActionRunResult): string[] {
  return result.annotations.filter(a => a.level === 'error').map(a => a.message)
}

beforeAll(async () => {
  forge = await startEmulator()
  repo = await createPlanRepo(forge, 'plan-e2e')
  headSha = await gitOk(repo.workspace, ['rev-parse', 'HEAD'])
})

afterAll(async () => {
  await forge?.close()
  await repo?.remove()
})

describe('dispatch, step plan', () => {
  let planId = ''

  test('halts the batch: outputs, summary, one proposal comment per affected issue, the plan artifact', async () => {
    const since = forge.requests().length
    const result = await dispatch({ issues: batchInput() })
    const requests = restRequests(forge, since)
    expect(errors(result)).toEqual([])
    expect(result.exitCode).toBe(0)

    const n = repo.numbers
    planId = result.outputs['plan-id'] ?? ''
    expect(planId).toMatch(/^[0-9a-f]{12}$/)
    const plan = parseWavePlan(JSON.parse(result.outputs.plan ?? ''))
    if (!plan.ok) throw plan.error
    expect(plan.value.id).toBe(planId)
    expect(result.outputs.matrix).toBe('')
    expect(result.outputs['needs-confirmation']).toBe('true')

    expect(result.summary).toContain(`## Wave plan \`${planId}\``)
    expect(result.summary).toContain('**Halted:** 1 finding needs a decision.')
    expect(result.summary).toContain('| Issue | Title | Group | Status |')
    expect(result.summary).toContain(`| #${n.closed} | An old request | — | skipped (closed)`)
    expect(result.summary).toContain('| semantic-overlap |')
    expect(result.summary).toContain('```mermaid\ngraph TD')
    expect(result.summary).toContain(`  g_g${n.extend} --> g_g${n.drop}`)
    expect(result.summary).toContain(`re-dispatch the workflow with \`confirm: ${planId}\``)

    for (const issue of [n.drop, n.extend]) {
      const found = await proposals(issue)
      expect(found.map(c => c.login)).toEqual(['github-actions[bot]'])
      expect(found[0]?.body).toContain(`confirm: ${planId}`)
    }
    for (const issue of [n.config, n.closed, n.umbrella]) expect(await proposals(issue)).toEqual([])

    const artifacts = forge.artifactService?.listArtifacts(forge.owner, repo.name, result.runId)
    expect(artifacts?.map(artifact => artifact.name)).toEqual([`waves-plan-${planId}-1`])

    // the pipeline's PRs and their files; six distinct issues, a read each; sub-issues of the
    // three that could be planned (not closed, in flight or a PR); the umbrella's sub-issue; then
    // per comment a list and a write
    const reads = requests.filter(e => e.method === 'GET' && !e.route.endsWith('/comments'))
    expect(reads).toHaveLength(12)
    expect(reads.length).toBeLessThanOrEqual(2 * 6 + 2)
    expect(writeRequests(requests)).toHaveLength(2)
    expect(requests).toHaveLength(16)
  })

  test('a re-run proposes the same plan and leaves the comments as they are', async () => {
    const since = forge.requests().length
    const result = await dispatch({ issues: batchInput() })
    expect(result.exitCode).toBe(0)
    expect(result.outputs['plan-id']).toBe(planId)
    expect(writeRequests(restRequests(forge, since))).toEqual([])
    expect(await proposals(repo.numbers.drop)).toHaveLength(1)
    expect(await proposals(repo.numbers.extend)).toHaveLength(1)
  })

  test('confirming the plan id starts the wave: the matrix of groups, no comment', async () => {
    const since = forge.requests().length
    const result = await dispatch({ issues: batchInput(), confirm: planId })
    expect(errors(result)).toEqual([])
    expect(result.outputs['plan-id']).toBe(planId)
    expect(result.outputs['needs-confirmation']).toBe('false')
    const matrix = JSON.parse(result.outputs.matrix ?? '') as {
      include: { id: string; issues: number[]; branchType: string }[]
    }
    const n = repo.numbers
    expect(matrix.include.map(group => [group.id, group.issues, group.branchType])).toEqual([
      [`g${n.extend}`, [n.extend], 'feat'],
      [`g${n.drop}`, [n.drop], 'refactor']
    ])
    expect(result.summary).toContain(`**Starting** 2 groups. Plan '${planId}' was confirmed.`)
    expect(writeRequests(restRequests(forge, since))).toEqual([])
  })

  test('a confirmation of another plan is refused with both ids, and nothing is written', async () => {
    const stale = planId === '0123456789ab' ? 'ba9876543210' : '0123456789ab'
    const since = forge.requests().length
    const result = await dispatch({ issues: batchInput(), confirm: stale })
    expect(result.exitCode).toBe(1)
    expect(errors(result)).toEqual([
      `Input 'confirm': plan '${stale}' no longer matches the current plan '${planId}' (the issues changed since it was proposed). Review the new proposal and re-dispatch with confirm: ${planId}.`
    ])
    expect(result.outputs).toEqual({})
    expect(result.summary).toContain('**Refused:**')
    expect(writeRequests(restRequests(forge, since))).toEqual([])
    expect(forge.artifactService?.listArtifacts(forge.owner, repo.name, result.runId)).toEqual([])
  })

  test('a bad issue list fails with every bad token named and no request at all', async () => {
    const since = forge.requests().length
    const result = await dispatch({ issues: '12, 12x, -3' })
    expect(result.exitCode).toBe(1)
    expect(errors(result)).toEqual([
      "Input 'issues': '12x', '-3' are not issue numbers. Use numbers separated by commas, spaces or newlines, e.g. '12, 15, 17'."
    ])
    expect(result.outputs).toEqual({})
    expect(restRequests(forge, since)).toEqual([])
  })

  test('too many issues, a malformed confirm, a missing or unknown step fail before any request', async () => {
    const since = forge.requests().length
    const many = Array.from({ length: 257 }, (_, i) => i + 1).join(' ')
    const [tooMany, badConfirm, noStep, badStep] = await Promise.all([
      dispatch({ issues: many }),
      dispatch({ issues: '1', confirm: 'yes please' }),
      dispatch({ step: '' }),
      dispatch({ step: 'review' })
    ])
    expect(errors(tooMany)).toEqual([
      "Input 'issues': 257 issues are more than one wave can hold (a matrix holds 256 jobs). Split the wave: dispatch at most 256 issues at a time."
    ])
    expect(errors(badConfirm)).toEqual([
      "Input 'confirm': 'yes please' is not a plan id (12 lowercase hexadecimal characters). Copy the id from the plan's summary or proposal comment."
    ])
    expect(errors(noStep)).toEqual(["Input 'step' is empty. Use 'plan' or 'implement'."])
    expect(errors(badStep)).toEqual(["Input 'step': 'review' is not one of 'plan', 'implement'."])
    for (const result of [tooMany, badConfirm, noStep, badStep]) expect(result.exitCode).toBe(1)
    expect(restRequests(forge, since)).toEqual([])
  })

  test('an issue labelled with the trigger label by a writer is planned on its own', async () => {
    const n = repo.numbers
    const labelled = (label: string): ActionEvent => ({
      name: 'issues',
      payload: {
        action: 'labeled',
        issue: { number: n.drop },
        label: { name: label },
        sender: { login: forge.userFor('write').login }
      }
    })
    const result = await dispatch({}, labelled('codex-waves'))
    expect(errors(result)).toEqual([])
    expect(result.outputs['needs-confirmation']).toBe('false')
    expect(JSON.parse(result.outputs.matrix ?? '')).toMatchObject({
      include: [{ id: `g${n.drop}`, issues: [n.drop] }]
    })

    const since = forge.requests().length
    const other = await dispatch({}, labelled('bug'))
    expect(other.exitCode).toBe(0)
    expect(other.outputs).toEqual({
      plan: '',
      'plan-id': '',
      matrix: '',
      'needs-confirmation': 'false'
    })
    expect(other.summary).toContain(
      `Issue #${n.drop} was labelled 'bug', not the trigger label 'codex-waves': nothing to plan.`
    )
    expect(restRequests(forge, since).map(entry => entry.route)).toEqual([
      '/repos/{owner}/{repo}/collaborators/{username}/permission'
    ])

    const manual = await dispatch({})
    expect(manual.exitCode).toBe(1)
    expect(errors(manual)[0]).toContain("Pass the issue numbers in 'issues'")
  })

  test('the trigger label set by a reader: a notice, no matrix, success, and nothing read or written but the permission', async () => {
    const n = repo.numbers
    const reader = forge.userFor('read').login
    const since = forge.requests().length
    const result = await dispatch(
      {},
      {
        name: 'issues',
        payload: {
          action: 'labeled',
          issue: { number: n.drop },
          label: { name: 'codex-waves' },
          sender: { login: reader }
        }
      }
    )
    const notice = `${reader} has 'read' access to ${forge.owner}/${repo.name}, not write, maintain or admin: a label starts a wave only when the person who set it may write to the repository. Nothing was done; someone with write access can set the label again or run the dispatch workflow by hand.`
    expect(result.exitCode).toBe(0)
    expect(errors(result)).toEqual([])
    expect(result.annotations).toEqual([{ level: 'notice', message: notice }])
    expect(result.outputs).toEqual({
      plan: '',
      'plan-id': '',
      matrix: '',
      'needs-confirmation': 'false'
    })
    expect(result.summary).toContain('**Nothing to plan.**')
    expect(restRequests(forge, since).map(entry => `${entry.method} ${entry.route}`)).toEqual([
      'GET /repos/{owner}/{repo}/collaborators/{username}/permission'
    ])
  })

  test('with an environment, the plan that needs a confirmation outputs its matrix for the jobs to wait on', async () => {
    const n = repo.numbers
    const result = await dispatch({ issues: batchInput(), environment: 'waves-go' })
    expect(errors(result)).toEqual([])
    expect(result.outputs['plan-id']).toBe(planId)
    expect(result.outputs['needs-confirmation']).toBe('true')
    const matrix = JSON.parse(result.outputs.matrix ?? '') as { include: { issues: number[] }[] }
    expect(matrix.include.map(group => group.issues)).toEqual([[n.extend], [n.drop]])
    expect(result.summary).toContain(
      '**Waiting for approval:** 1 finding needs a decision. The implement jobs of 2 groups wait until a required reviewer of the `waves-go` environment approves them.'
    )
    expect(result.summary).toContain(
      `- Or reject them there and re-dispatch the workflow with \`confirm: ${planId}\``
    )
    for (const issue of [n.drop, n.extend]) {
      const found = await proposals(issue)
      expect(found).toHaveLength(1)
      expect(found[0]?.body).toContain('`waves-go` environment approves the implement jobs')
    }
  })

  test('a pipeline branch without a pull request counts as in flight for its issue', async () => {
    const n = repo.numbers
    const branch = `feat/${n.extend}-time-zone`
    await pushBranchWithoutPull(forge, repo, branch, {
      'src/format.ts':
        'export function legacyFormat(date: Date, zone?: string) {\n  return date.toUTCString() + (zone ?? "")\n}\n'
    })
    const result = await dispatch({ issues: `${n.drop} ${n.extend}` })
    expect(errors(result)).toEqual([])
    const plan = parseWavePlan(JSON.parse(result.outputs.plan ?? ''))
    if (!plan.ok) throw plan.error
    expect(plan.value.skips).toEqual([
      expect.objectContaining({
        issue: n.extend,
        reason: 'in-flight',
        detail: expect.stringContaining(
          `a pipeline branch without an open pull request: \`${branch}\``
        )
      })
    ])
    expect(plan.value.findings).toEqual([
      expect.objectContaining({ kind: 'same-region', issues: [n.drop], needsDecision: true })
    ])
    expect(result.outputs['needs-confirmation']).toBe('true')
    expect(result.outputs.matrix).toBe('')
    expect(result.summary).toContain(
      `skipped (in-flight): #${n.extend} already has a pipeline branch`
    )
    expect(result.summary).toContain(
      `Pipeline branch \`${branch}\` (no open pull request) changes \`src/format.ts\`.`
    )
  })
})
