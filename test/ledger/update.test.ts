import { parseLedger, type Ledger, type LedgerReview } from '../../src/contracts/index.js'
import {
  createLedger,
  isApprovedFor,
  latestReviewOf,
  recordCycle,
  recordReview,
  recordRun,
  recordUsage,
  setStatus
} from '../../src/ledger/index.js'

const SHA_A = 'a'.repeat(40)
const SHA_B = 'b'.repeat(40)
const T0 = '2025-01-31T12:00:00.000Z'
const T1 = '2025-01-31T12:10:00.000Z'
const T2 = '2025-01-31T12:20:00.000Z'

const base = (): Ledger =>
  createLedger({
    pr: 41,
    issues: [12],
    planId: '0123456789ab',
    group: 'g12',
    branch: 'fix/12-null-titles',
    at: T0
  })

const review = (fields: Partial<LedgerReview>): LedgerReview => ({
  headSha: SHA_A,
  verdict: 'approved',
  readOnly: 'passed',
  blocking: 0,
  carriedFrom: null,
  at: T1,
  ...fields
})

/** Deep-freezes a value so any mutation by the code under test throws. */
function frozen<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    Object.values(value).forEach(frozen)
    Object.freeze(value)
  }
  return value
}

describe('ledger updates', () => {
  test('a new ledger satisfies the contract', () => {
    expect(parseLedger(base()).ok).toBe(true)
    expect(base().status).toBe('implementing')
  })

  test('every helper returns a new valid ledger and leaves its input untouched', () => {
    const start = frozen(base())
    const steps: Ledger[] = [
      recordRun(start, { phase: 'review', runId: 9, attempt: 1, artifact: null, at: T1 }),
      recordReview(start, review({})),
      recordCycle(start, 1, T1),
      recordUsage(
        start,
        'correct',
        { inputTokens: 1, cachedInputTokens: 0, outputTokens: 2, durationMs: 3 },
        T1
      ),
      setStatus(start, 'failed', 'codex timed out after 30 minutes', T1)
    ]
    for (const next of steps) {
      expect(next).not.toBe(start)
      expect(next.updatedAt).toBe(T1)
      expect(parseLedger(next).ok).toBe(true)
    }
    expect(start).toEqual(base())
  })

  test('recording the same run twice keeps one entry, with the latest fields', () => {
    const run = { phase: 'review' as const, runId: 9, attempt: 1, artifact: null, at: T1 }
    const once = recordRun(base(), run)
    const twice = recordRun(once, { ...run, artifact: 'waves-review-41-1', at: T2 })
    expect(twice.runs).toEqual([{ ...run, artifact: 'waves-review-41-1', at: T2 }])
    const retry = recordRun(twice, { ...run, attempt: 2, at: T2 })
    expect(retry.runs).toHaveLength(2)
  })

  test.each<[string, LedgerReview[], { malformed: number; consecutive: number; total: number }]>([
    ['a clean verdict', [review({})], { malformed: 0, consecutive: 0, total: 0 }],
    [
      'a clean review without a verdict is a malformed output',
      [review({ verdict: null })],
      { malformed: 1, consecutive: 0, total: 0 }
    ],
    [
      'two violations in a row',
      [
        review({ verdict: null, readOnly: 'violated', at: T1 }),
        review({ verdict: null, readOnly: 'violated', at: T2 })
      ],
      { malformed: 0, consecutive: 2, total: 2 }
    ],
    [
      'a clean review resets the run of violations, not the total',
      [review({ verdict: null, readOnly: 'violated', at: T1 }), review({ at: T2 })],
      { malformed: 0, consecutive: 0, total: 1 }
    ],
    [
      'the same review recorded twice counts once',
      [
        review({ verdict: null, readOnly: 'violated' }),
        review({ verdict: null, readOnly: 'violated' })
      ],
      { malformed: 0, consecutive: 1, total: 1 }
    ]
  ])('recordReview: %s', (_name, reviews, expected) => {
    const ledger = reviews.reduce(recordReview, base())
    expect({
      malformed: ledger.malformed,
      consecutive: ledger.boundaryViolations.consecutive,
      total: ledger.boundaryViolations.total
    }).toEqual(expected)
    expect(parseLedger(ledger).ok).toBe(true)
  })

  test('recordCycle counts a cycle once, and refuses to skip one', () => {
    const one = recordCycle(base(), 1, T1)
    expect(one.cycles).toBe(1)
    expect(recordCycle(one, 1, T2).cycles).toBe(1)
    expect(recordCycle(one, 2, T2).cycles).toBe(2)
    expect(() => recordCycle(one, 3, T2)).toThrow(
      'Correction cycle 3 cannot be recorded on PR #41: the ledger counts 1 cycle(s), so the next is 2.'
    )
  })

  test('recordUsage adds per phase', () => {
    const usage = { inputTokens: 100, cachedInputTokens: 10, outputTokens: 5, durationMs: 1000 }
    const ledger = recordUsage(recordUsage(base(), 'review', usage, T1), 'review', usage, T2)
    expect(ledger.usage.review).toEqual({
      inputTokens: 200,
      cachedInputTokens: 20,
      outputTokens: 10,
      durationMs: 2000
    })
    expect(ledger.usage.dispatch.inputTokens).toBe(0)
  })

  test('setStatus needs a reason for failed and escalated, and clears it otherwise', () => {
    expect(() => setStatus(base(), 'escalated', null, T1)).toThrow(/needs a reason/)
    const escalated = setStatus(base(), 'escalated', 'three cycles without approval', T1)
    expect(escalated.statusReason).toBe('three cycles without approval')
    expect(setStatus(escalated, 'in-review', null, T2).statusReason).toBeNull()
  })

  test('approval is read from the last review of the head', () => {
    let ledger = recordReview(base(), review({ headSha: SHA_A, at: T1 }))
    expect(isApprovedFor(ledger, SHA_A)).toBe(true)
    expect(isApprovedFor(ledger, SHA_B)).toBe(false)
    ledger = recordReview(ledger, review({ headSha: SHA_A, verdict: 'changes_requested', at: T2 }))
    expect(latestReviewOf(ledger, SHA_A)?.verdict).toBe('changes_requested')
    expect(isApprovedFor(ledger, SHA_A)).toBe(false)
    const violated = recordReview(base(), review({ readOnly: 'violated' }))
    expect(isApprovedFor(violated, SHA_A)).toBe(false)
  })
})
