/**
 * The select step's reads over a small typed forge: which requests each kind of run makes, and
 * that nothing the decision does not need is read.
 */
import { defaultWaveConfig } from '../../src/contracts/index.js'
import type { ReviewState } from '../../src/decide/index.js'
import { selectPullRequests, type SelectContext } from '../../src/phases/select/select.js'
import type { ForgePull } from '../../src/ports.js'

interface Fixture {
  number: number
  labels?: string[]
  fork?: boolean
  closed?: boolean
  review?: ReviewState
}

/** A forge of pull requests and one review run's artifacts, logging every read. */
function world(fixtures: Fixture[], artifacts: string[] = []) {
  const calls: string[] = []
  const pulls: ForgePull[] = fixtures.map(fixture => ({
    number: fixture.number,
    title: `PR ${fixture.number}`,
    body: '',
    state: fixture.closed ? 'closed' : 'open',
    merged: false,
    draft: false,
    headRef: `fix/${fixture.number}-x`,
    headSha: `sha${fixture.number}`,
    crossRepository: fixture.fork ?? false,
    baseRef: 'main',
    baseSha: 'base',
    mergeable: null,
    labels: fixture.labels ?? ['codex-waves'],
    htmlUrl: `https://github.com/o/r/pull/${fixture.number}`
  }))
  const reviews = new Map(fixtures.map(fixture => [`sha${fixture.number}`, fixture.review ?? null]))
  const context: SelectContext = {
    config: defaultWaveConfig(),
    ui: { info: () => undefined },
    forge: {
      async getPull(number) {
        calls.push(`getPull ${number}`)
        return pulls.find(pull => pull.number === number) ?? null
      },
      async listOpenPulls(filter) {
        calls.push(`listOpenPulls ${filter?.label}`)
        return pulls.filter(pull => pull.state === 'open')
      },
      async getCommitStatus(sha, statusContext) {
        calls.push(`getCommitStatus ${sha} ${statusContext}`)
        return reviews.get(sha) ?? null
      },
      async listRunArtifactNames(runId) {
        calls.push(`listRunArtifactNames ${runId}`)
        return artifacts
      }
    }
  }
  return { context, calls }
}

describe('selectPullRequests', () => {
  it('by hand: one read of the pull request, no list and no status', async () => {
    const { context, calls } = world([{ number: 7, review: 'success', labels: [] }])
    expect(await selectPullRequests(context, { phase: 'review', pr: 7 })).toEqual([
      { pr: 7, sha: 'sha7', branch: 'fix/7-x' }
    ])
    expect(calls).toEqual(['getPull 7'])
  })

  it('by hand: a closed one fails with the reason', async () => {
    const { context } = world([{ number: 7, closed: true }])
    await expect(selectPullRequests(context, { phase: 'correct', pr: 7 })).rejects.toThrow(
      'Pull request #7 is not open or comes from a fork; the pipeline corrects only open pull requests of this repository.'
    )
  })

  it('a review: one list, then the review status of each candidate only', async () => {
    const { context, calls } = world([
      { number: 1 },
      { number: 2, review: 'success' },
      { number: 3, fork: true },
      { number: 4, labels: ['codex-waves', 'waves:needs-human'] }
    ])
    const include = await selectPullRequests(context, { phase: 'review', pr: null })
    expect(include.map(entry => entry.pr)).toEqual([1])
    expect(calls).toEqual([
      'listOpenPulls codex-waves',
      'getCommitStatus sha1 codex-waves/review',
      'getCommitStatus sha2 codex-waves/review'
    ])
  })

  it("a correction: the review run's artifacts, one list, the status of the PRs it reviewed", async () => {
    const { context, calls } = world(
      [{ number: 11, review: 'failure' }, { number: 12, review: 'success' }, { number: 13 }],
      ['waves-review-11-1', 'waves-review-12-1', 'waves-dispatch-g13-1']
    )
    const include = await selectPullRequests(context, {
      phase: 'correct',
      pr: null,
      reviewRun: 4242
    })
    expect(include.map(entry => entry.pr)).toEqual([11])
    expect(calls).toEqual([
      'listRunArtifactNames 4242',
      'listOpenPulls codex-waves',
      'getCommitStatus sha11 codex-waves/review',
      'getCommitStatus sha12 codex-waves/review'
    ])
  })

  it('a correction after a run that reviewed nothing lists no pull request', async () => {
    const { context, calls } = world([{ number: 11, review: 'failure' }], ['waves-merge-1-1'])
    expect(await selectPullRequests(context, { phase: 'correct', pr: null, reviewRun: 9 })).toEqual(
      []
    )
    expect(calls).toEqual(['listRunArtifactNames 9'])
  })
})
