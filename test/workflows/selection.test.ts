/**
 * The shell steps that decide who may start a wave and which pull requests a review or correction
 * run takes on, run in bash against a stand-in `gh` that answers like GitHub does.
 */
import { loadWorkflows, REPOSITORY, type LoadedWorkflow } from './model.js'
import { runStepScript, stepScript, type StepResult } from './step-script.js'

let workflows: Map<string, LoadedWorkflow>

beforeAll(async () => {
  workflows = new Map((await loadWorkflows()).map(workflow => [workflow.file, workflow]))
})

function workflow(file: string): LoadedWorkflow {
  const found = workflows.get(file)
  if (!found) throw new Error(`no workflow ${file}`)
  return found
}

interface PullFixture {
  number: number
  sha?: string
  fork?: boolean
  state?: string
  labels?: string[]
  review?: 'SUCCESS' | 'FAILURE' | 'PENDING' | 'ERROR'
}

/** A pull request as `gh pr list/view --json ...` prints it. */
function pull(fixture: PullFixture) {
  return {
    number: fixture.number,
    headRefOid: fixture.sha ?? `${fixture.number}`.padStart(40, 'f'),
    headRefName: `feat/${fixture.number}-thing`,
    isCrossRepository: fixture.fork ?? false,
    state: fixture.state ?? 'OPEN',
    labels: ['codex-waves', ...(fixture.labels ?? [])].map(name => ({ name })),
    statusCheckRollup: [
      { __typename: 'CheckRun', name: 'test', status: 'COMPLETED', conclusion: 'SUCCESS' },
      ...(fixture.review
        ? [{ __typename: 'StatusContext', context: 'codex-waves/review', state: fixture.review }]
        : [])
    ]
  }
}

function selected(result: StepResult): number[] {
  expect(result.stderr).not.toMatch(/unexpected gh call/)
  const include = JSON.parse(result.outputs.include ?? 'null') as { pr: number }[]
  expect(result.outputs.count).toBe(String(include.length))
  return include.map(entry => entry.pr)
}

describe('dispatch: authorize (who may start a wave with the label)', () => {
  const authorize = (sender: string, permissions: Record<string, string>) =>
    runStepScript(
      stepScript(workflow('codex-waves-dispatch.yml'), 'authorize', 'permission'),
      { GH_TOKEN: 'token', REPOSITORY, SENDER: sender },
      { permissions }
    )

  it.each([
    ['admin', 'true'],
    ['maintain', 'true'],
    ['write', 'true'],
    ['read', 'false'],
    ['none', 'false']
  ])("a labeller with '%s' permission gives allowed=%s", (permission, allowed) => {
    const result = authorize('octo', { octo: permission })
    expect(result.status).toBe(0)
    expect(result.outputs.allowed).toBe(allowed)
    expect(result.ghCalls).toEqual([
      ['api', `repos/${REPOSITORY}/collaborators/octo/permission`, '--jq', '.permission']
    ])
  })

  it('a labeller GitHub does not know as a collaborator (404) is refused, not an error', () => {
    const result = authorize('stranger', {})
    expect(result.status).toBe(0)
    expect(result.outputs.allowed).toBe('false')
  })

  it('a login full of shell syntax reaches gh as one argument and runs nothing', () => {
    const result = authorize('$(touch pwned)`id`', {})
    expect(result.outputs.allowed).toBe('false')
    expect(result.ghCalls[0]?.[1]).toBe(
      `repos/${REPOSITORY}/collaborators/$(touch pwned)\`id\`/permission`
    )
  })
})

describe('review: prs (which pull requests a review run takes on)', () => {
  const select = (pr: string, pulls: unknown[]) =>
    runStepScript(
      stepScript(workflow('codex-waves-review.yml'), 'prs', 'select'),
      {
        GH_TOKEN: 'token',
        REPOSITORY,
        PR: pr,
        PR_LABEL: 'codex-waves',
        NEEDS_HUMAN_LABEL: 'waves:needs-human'
      },
      { pulls }
    )

  it('after a dispatch run: the open pipeline PRs whose head has no final review', () => {
    const result = select('', [
      pull({ number: 1 }),
      pull({ number: 2, review: 'PENDING' }),
      pull({ number: 3, review: 'SUCCESS' }),
      pull({ number: 4, review: 'FAILURE' }),
      pull({ number: 5, fork: true }),
      pull({ number: 6, labels: ['waves:needs-human'] })
    ])
    expect(result.status).toBe(0)
    expect(selected(result)).toEqual([1, 2])
    expect(JSON.parse(result.outputs.include as string)[0]).toEqual({
      pr: 1,
      sha: '1'.padStart(40, 'f'),
      branch: 'feat/1-thing'
    })
    expect(result.ghCalls[0]?.slice(0, 9)).toEqual([
      'pr',
      'list',
      '--repo',
      REPOSITORY,
      '--state',
      'open',
      '--label',
      'codex-waves',
      '--limit'
    ])
  })

  it('nothing to review gives an empty matrix and count 0, which skips the review job', () => {
    const result = select('', [pull({ number: 3, review: 'SUCCESS' })])
    expect(result.status).toBe(0)
    expect(selected(result)).toEqual([])
  })

  it('by hand: the one pull request, even one already reviewed or waiting for a person', () => {
    const result = select('6', [
      pull({ number: 6, review: 'FAILURE', labels: ['waves:needs-human'] })
    ])
    expect(result.status).toBe(0)
    expect(selected(result)).toEqual([6])
  })

  it("by hand: a fork's pull request is refused with an error that says why", () => {
    const result = select('5', [pull({ number: 5, fork: true })])
    expect(result.status).not.toBe(0)
    expect(result.stdout).toMatch(/::error::Pull request #5 is not open or comes from a fork/)
    expect(result.outputs.include).toBeUndefined()
  })

  it('by hand: a closed pull request is refused', () => {
    const result = select('7', [pull({ number: 7, state: 'CLOSED' })])
    expect(result.status).not.toBe(0)
    expect(result.outputs.count).toBeUndefined()
  })

  it('by hand: an input that is not a number is refused before any request', () => {
    const result = select('1; rm -rf /', [])
    expect(result.status).not.toBe(0)
    expect(result.stdout).toMatch(/Input 'pr': '1; rm -rf \/' is not a pull request number/)
    expect(result.ghCalls).toEqual([])
  })
})

describe('correct: prs (which pull requests a correction run takes on)', () => {
  const select = (artifacts: string[], pulls: unknown[], pr = '') =>
    runStepScript(
      stepScript(workflow('codex-waves-correct.yml'), 'prs', 'select'),
      {
        GH_TOKEN: 'token',
        REPOSITORY,
        RUN_ID: pr === '' ? '4242' : '',
        PR: pr,
        PR_LABEL: 'codex-waves',
        NEEDS_HUMAN_LABEL: 'waves:needs-human'
      },
      { pulls, artifacts }
    )

  it('review outcome correct: the PR that run reviewed, whose review failed, is corrected', () => {
    const result = select(
      ['waves-review-11-1', 'waves-review-12-1', 'waves-dispatch-g1-1'],
      [pull({ number: 11, review: 'FAILURE' }), pull({ number: 12, review: 'SUCCESS' })]
    )
    expect(result.status).toBe(0)
    expect(selected(result)).toEqual([11])
    expect(result.ghCalls[0]).toEqual([
      'api',
      `repos/${REPOSITORY}/actions/runs/4242/artifacts`,
      '--paginate',
      '--jq',
      '.artifacts[].name'
    ])
  })

  it('review outcome merge: nothing to correct, count 0', () => {
    const result = select(['waves-review-12-1'], [pull({ number: 12, review: 'SUCCESS' })])
    expect(selected(result)).toEqual([])
  })

  it('review outcome escalate: a PR labelled for a person is left alone', () => {
    const result = select(
      ['waves-review-13-2'],
      [pull({ number: 13, review: 'FAILURE', labels: ['waves:needs-human'] })]
    )
    expect(selected(result)).toEqual([])
  })

  it('a failed review from another run is not this run to correct', () => {
    const result = select(['waves-review-11-1'], [pull({ number: 14, review: 'FAILURE' })])
    expect(selected(result)).toEqual([])
  })

  it("never a fork's pull request, even one whose review failed", () => {
    const result = select(
      ['waves-review-15-1'],
      [pull({ number: 15, review: 'FAILURE', fork: true })]
    )
    expect(selected(result)).toEqual([])
  })

  it('by hand or from the merge: the one pull request, whose review approved it before a conflict', () => {
    const result = select([], [pull({ number: 8, review: 'SUCCESS' })], '8')
    expect(result.status).toBe(0)
    expect(selected(result)).toEqual([8])
    expect(result.ghCalls[0]?.slice(0, 3)).toEqual(['pr', 'view', '8'])
  })

  it("by hand: a fork's or a closed pull request is refused with an error that says why", () => {
    for (const pulls of [
      [pull({ number: 5, fork: true })],
      [pull({ number: 5, state: 'CLOSED' })]
    ]) {
      const result = select([], pulls, '5')
      expect(result.status).not.toBe(0)
      expect(result.stdout).toMatch(/::error::Pull request #5 is not open or comes from a fork/)
      expect(result.outputs.include).toBeUndefined()
    }
  })

  it('by hand: an input that is not a number is refused before any request', () => {
    const result = select([], [], '8 || true')
    expect(result.status).not.toBe(0)
    expect(result.stdout).toMatch(/Input 'pr': '8 \|\| true' is not a pull request number/)
    expect(result.ghCalls).toEqual([])
  })
})
