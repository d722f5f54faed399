import {
  MAX_CONSIDERED,
  parsePullInput,
  reviewedPulls,
  selectAutomatically,
  selectByHand,
  statusCandidates,
  type AutomaticSelection,
  type ReviewState,
  type SelectionPull
} from '../../src/decide/index.js'

const labels = { pullRequest: 'codex-waves', needsHuman: 'waves:needs-human' }

interface PullFixture {
  number: number
  fork?: boolean
  state?: 'open' | 'closed'
  labels?: string[]
  review?: ReviewState
}

/** A pipeline pull request, and the review status on its head. */
function pull(fixture: PullFixture): SelectionPull & { review: ReviewState } {
  return {
    number: fixture.number,
    headSha: `${fixture.number}`.padStart(40, 'f'),
    headRef: `feat/${fixture.number}-thing`,
    crossRepository: fixture.fork ?? false,
    state: fixture.state ?? 'open',
    labels: ['codex-waves', ...(fixture.labels ?? [])],
    review: fixture.review ?? null
  }
}

/**
 * The automatic selection as the step runs it: the status is read for the candidates only, then
 * the decision. A review when `reviewed` is null, else a correction after the run that reviewed
 * those PRs. Returns the selected numbers and the numbers whose status was read.
 */
function select(
  pulls: ReturnType<typeof pull>[],
  reviewed: readonly number[] | null = null
): { selected: number[]; read: number[] } {
  const request: AutomaticSelection =
    reviewed === null
      ? { phase: 'review', pulls, labels }
      : { phase: 'correct', pulls, labels, reviewed }
  const read = statusCandidates(request).map(candidate => candidate.number)
  const states = new Map(
    pulls
      .filter(candidate => read.includes(candidate.number))
      .map(candidate => [candidate.number, candidate.review] as const)
  )
  return { selected: selectAutomatically(request, states).map(entry => entry.pr), read }
}

describe('the pr input', () => {
  it('is a pull request number, or empty for the automatic selection', () => {
    expect(parsePullInput('pr', '42')).toEqual({ ok: true, pr: 42 })
    expect(parsePullInput('pr', '')).toEqual({ ok: true, pr: null })
  })

  it.each(['1; rm -rf /', '8 || true', '#12', '0', '-3', '4.5', '12345678901'])(
    "'%s' is refused, naming the input, the value and the fix",
    raw => {
      expect(parsePullInput('pr', raw)).toEqual({
        ok: false,
        message: `Input 'pr': '${raw}' is not a pull request number. Give one number, e.g. 42.`
      })
    }
  )
})

describe('review: after a dispatch run', () => {
  it('takes the open pipeline PRs of this repository whose head has no final review', () => {
    const result = select([
      pull({ number: 1 }),
      pull({ number: 2, review: 'pending' }),
      pull({ number: 3, review: 'success' }),
      pull({ number: 4, review: 'failure' }),
      pull({ number: 5, fork: true }),
      pull({ number: 6, labels: ['waves:needs-human'] }),
      pull({ number: 7, review: 'error' })
    ])
    expect(result.selected).toEqual([1, 2, 7])
    expect(result.read).toEqual([1, 2, 3, 4, 7])
  })

  it('gives each its head and branch, in the order of the list', () => {
    const request: AutomaticSelection = { phase: 'review', pulls: [pull({ number: 1 })], labels }
    expect(selectAutomatically(request, new Map([[1, null]]))).toEqual([
      { pr: 1, sha: '1'.padStart(40, 'f'), branch: 'feat/1-thing' }
    ])
  })

  it('nothing to review gives an empty list', () => {
    expect(select([pull({ number: 3, review: 'success' })])).toEqual({
      selected: [],
      read: [3]
    })
  })

  it('reads no status of a PR without the pipeline label, or closed, or waiting for a person', () => {
    const result = select([
      { ...pull({ number: 8 }), labels: ['bug'] },
      pull({ number: 9, state: 'closed' }),
      pull({ number: 10, labels: ['Waves:Needs-Human'] }),
      { ...pull({ number: 11 }), labels: ['Codex-Waves'] }
    ])
    expect(result).toEqual({ selected: [11], read: [11] })
  })

  it('leaves out a candidate whose status was not read', () => {
    const request: AutomaticSelection = { phase: 'review', pulls: [pull({ number: 1 })], labels }
    expect(selectAutomatically(request, new Map())).toEqual([])
  })

  it(`considers the ${MAX_CONSIDERED} newest pipeline PRs, the first in the list`, () => {
    const pulls = Array.from({ length: MAX_CONSIDERED + 4 }, (_, i) => pull({ number: 1000 - i }))
    const result = select(pulls)
    expect(result.read).toHaveLength(MAX_CONSIDERED)
    expect(result.selected[0]).toBe(1000)
    expect(result.selected.at(-1)).toBe(1000 - MAX_CONSIDERED + 1)
  })
})

describe('review: by hand', () => {
  it('takes the one PR, even one already reviewed or waiting for a person', () => {
    const six = pull({ number: 6, review: 'failure', labels: ['waves:needs-human'] })
    expect(selectByHand('review', 6, six)).toEqual({
      ok: true,
      include: [{ pr: 6, sha: six.headSha, branch: six.headRef }]
    })
  })

  it("refuses a fork's PR with an error that says why", () => {
    expect(selectByHand('review', 5, pull({ number: 5, fork: true }))).toEqual({
      ok: false,
      message:
        'Pull request #5 is not open or comes from a fork; the pipeline reviews only open pull requests of this repository.'
    })
  })

  it('refuses a closed PR', () => {
    expect(selectByHand('review', 7, pull({ number: 7, state: 'closed' })).ok).toBe(false)
  })

  it('refuses a number no PR has', () => {
    expect(selectByHand('review', 99, null)).toEqual({
      ok: false,
      message:
        'No pull request of this repository has the number 99 (an issue may have it). Give the number of an open pull request, e.g. 42.'
    })
  })
})

describe('correct: after a review run', () => {
  const reviewedBy = (names: string[]) => reviewedPulls(names)

  it('review outcome correct: the PR that run reviewed, whose review failed', () => {
    const result = select(
      [pull({ number: 11, review: 'failure' }), pull({ number: 12, review: 'success' })],
      reviewedBy(['waves-review-11-1', 'waves-review-12-1', 'waves-dispatch-g1-1'])
    )
    expect(result).toEqual({ selected: [11], read: [11, 12] })
  })

  it('review outcome merge: nothing to correct', () => {
    const result = select(
      [pull({ number: 12, review: 'success' })],
      reviewedBy(['waves-review-12-1'])
    )
    expect(result.selected).toEqual([])
  })

  it('review outcome escalate: a PR labelled for a person is left alone, its status unread', () => {
    const result = select(
      [pull({ number: 13, review: 'failure', labels: ['waves:needs-human'] })],
      reviewedBy(['waves-review-13-2'])
    )
    expect(result).toEqual({ selected: [], read: [] })
  })

  it('a failed review from another run is not this run to correct', () => {
    const result = select(
      [pull({ number: 14, review: 'failure' })],
      reviewedBy(['waves-review-11-1'])
    )
    expect(result).toEqual({ selected: [], read: [] })
  })

  it("never a fork's PR, even one whose review failed", () => {
    const result = select(
      [pull({ number: 15, review: 'failure', fork: true })],
      reviewedBy(['waves-review-15-1'])
    )
    expect(result).toEqual({ selected: [], read: [] })
  })

  it('a pending or errored review is not a failed one', () => {
    const result = select(
      [
        pull({ number: 16, review: 'pending' }),
        pull({ number: 17, review: 'error' }),
        pull({ number: 18 })
      ],
      [16, 17, 18]
    )
    expect(result.selected).toEqual([])
  })
})

describe('correct: by hand or from the merge', () => {
  it('takes the one PR, whose review approved it before a conflict', () => {
    const eight = pull({ number: 8, review: 'success' })
    expect(selectByHand('correct', 8, eight)).toEqual({
      ok: true,
      include: [{ pr: 8, sha: eight.headSha, branch: eight.headRef }]
    })
  })

  it("refuses a fork's or a closed PR with an error that says why", () => {
    for (const five of [pull({ number: 5, fork: true }), pull({ number: 5, state: 'closed' })]) {
      expect(selectByHand('correct', 5, five)).toEqual({
        ok: false,
        message:
          'Pull request #5 is not open or comes from a fork; the pipeline corrects only open pull requests of this repository.'
      })
    }
  })
})

describe('reviewedPulls', () => {
  it('reads the PR of each review artifact once, and nothing from other names', () => {
    expect(
      reviewedPulls([
        'waves-review-11-1',
        'waves-review-11-2',
        'waves-review-012-1',
        'waves-dispatch-g1-1',
        'waves-review-x-1',
        'waves-review-13',
        'prefix-waves-review-14-1',
        'waves-review-15-1-extra'
      ])
    ).toEqual([11, 12])
  })
})
