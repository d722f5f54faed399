import {
  parseCorrectionOrder,
  type Ledger,
  type LedgerRun,
  type ReviewFinding,
  type ReviewVerdict
} from '../../src/contracts/index.js'
import {
  chooseCorrection,
  decideCorrectionCycle,
  mergeCorrectionOrder,
  type CycleDecision
} from '../../src/decide/index.js'
import {
  createLedger,
  recordCycle,
  recordReview,
  recordRun,
  setStatus
} from '../../src/ledger/index.js'

const SHA_A = 'a'.repeat(40)
const SHA_B = 'b'.repeat(40)
const SHA_C = 'c'.repeat(40)

const finding = (id: string): ReviewFinding => ({
  id,
  title: `Finding ${id}`,
  detail: `Detail of ${id}.`,
  file: null,
  line: null,
  checklist_item: 'other'
})

const verdict: ReviewVerdict = {
  verdict: 'changes_requested',
  summary: 'Two problems.',
  blocking: [finding('B1')],
  should_fix: [finding('S1')],
  nits: [finding('N1')],
  scope_violations: [finding('V1')]
}

describe('chooseCorrection', () => {
  test.each<[string, 'correct' | 'defer', 'correct' | 'defer', string[], string[]]>([
    ['default policy', 'correct', 'defer', ['B1', 'V1', 'S1'], ['N1']],
    ['should-fix deferred', 'defer', 'defer', ['B1', 'V1'], ['S1', 'N1']],
    ['everything corrected', 'correct', 'correct', ['B1', 'V1', 'S1', 'N1'], []]
  ])('%s', (_name, shouldFix, nits, chosen, deferred) => {
    const order = chooseCorrection({
      verdict,
      pr: 41,
      cycle: 2,
      headSha: SHA_A,
      policy: { shouldFix, nits }
    })
    expect(order?.chosen.map(item => item.id)).toEqual(chosen)
    expect(order?.deferred.map(item => item.id)).toEqual(deferred)
    expect(order && parseCorrectionOrder(order).ok).toBe(true)
    expect(order).toMatchObject({ v: 1, pr: 41, cycle: 2, headSha: SHA_A, origin: 'review' })
  })

  test('blocking items and scope violations are chosen whatever the policy', () => {
    const order = chooseCorrection({
      verdict: { ...verdict, should_fix: [], nits: [] },
      pr: 41,
      cycle: 1,
      headSha: SHA_A,
      policy: { shouldFix: 'defer', nits: 'defer' }
    })
    expect(order?.chosen).toEqual([
      { id: 'B1', category: 'blocking', title: 'Finding B1', detail: null },
      { id: 'V1', category: 'scope_violations', title: 'Finding V1', detail: null }
    ])
  })

  test('nothing to choose → no order', () => {
    const nitsOnly = { ...verdict, blocking: [], should_fix: [], scope_violations: [] }
    expect(chooseCorrection({ verdict: nitsOnly, pr: 41, cycle: 1, headSha: SHA_A })).toBeNull()
  })

  test('a merge order carries its items and validates', () => {
    const order = mergeCorrectionOrder({
      pr: 41,
      cycle: 1,
      headSha: SHA_A,
      items: [{ id: 'merge-conflict', category: 'merge_conflict', title: 'Resolve', detail: 'x' }]
    })
    expect(parseCorrectionOrder(order).ok).toBe(true)
    expect(order.origin).toBe('merge')
    expect(() => mergeCorrectionOrder({ pr: 41, cycle: 1, headSha: SHA_A, items: [] })).toThrow(
      /needs at least one item/
    )
  })
})

describe('decideCorrectionCycle', () => {
  const at = (minute: number) => `2025-01-31T12:${String(minute).padStart(2, '0')}:00.000Z`
  const correctRun = (runId: number, minute: number): LedgerRun => ({
    phase: 'correct',
    runId,
    attempt: 1,
    artifact: null,
    at: at(minute)
  })
  const reviewed = (ledger: Ledger, headSha: string, minute: number): Ledger =>
    recordReview(ledger, {
      headSha,
      verdict: 'changes_requested',
      readOnly: 'passed',
      blocking: 1,
      carriedFrom: null,
      at: at(minute)
    })
  /** A ledger after `cycles` full cycles, each review of a new head followed by its correction. */
  const afterCycles = (cycles: number): Ledger => {
    let ledger = createLedger({
      pr: 41,
      issues: [12],
      planId: '0123456789ab',
      group: 'g12',
      branch: 'fix/12-x',
      at: at(0)
    })
    const heads = [SHA_A, SHA_B, SHA_C, 'd'.repeat(40), 'e'.repeat(40)]
    for (let cycle = 1; cycle <= cycles; cycle++) {
      ledger = reviewed(ledger, heads[cycle - 1] as string, cycle * 10)
      ledger = recordCycle(ledger, cycle, at(cycle * 10 + 1))
      ledger = recordRun(ledger, correctRun(cycle, cycle * 10 + 1))
    }
    return ledger
  }
  const decide = (ledger: Ledger, headSha: string, orderHeadSha: string, maxCycles = 3) =>
    decideCorrectionCycle({ ledger, maxCycles, headSha, orderHeadSha })
  const shape = (decision: CycleDecision) => ({
    action: decision.action,
    cycle: decision.cycle,
    repeat: decision.action === 'run' ? decision.repeat : undefined
  })

  test('first review asking for changes → cycle 1', () => {
    const ledger = reviewed(afterCycles(0), SHA_A, 10)
    expect(shape(decide(ledger, SHA_A, SHA_A))).toEqual({ action: 'run', cycle: 1, repeat: false })
  })

  test('after a cycle pushed and its head was reviewed again → the next cycle', () => {
    const ledger = reviewed(afterCycles(1), SHA_B, 20)
    expect(shape(decide(ledger, SHA_B, SHA_B))).toEqual({ action: 'run', cycle: 2, repeat: false })
  })

  test('re-running a cycle that started but pushed nothing → the same cycle, not counted again', () => {
    const ledger = afterCycles(1)
    const decision = decide(ledger, SHA_A, SHA_A)
    expect(shape(decision)).toEqual({ action: 'run', cycle: 1, repeat: true })
    expect(recordCycle(ledger, decision.cycle, at(50)).cycles).toBe(1)
  })

  test('re-running a cycle that already pushed → nothing to do, its review comes next', () => {
    const decision = decide(afterCycles(1), SHA_B, SHA_A)
    expect(shape(decision)).toEqual({ action: 'skip', cycle: 1, repeat: undefined })
    expect(decision.reason).toBe(
      'cycle 1 already pushed bbbbbbb over aaaaaaa; the review of the new head comes next'
    )
  })

  test('someone else pushed after the review → the new head needs a review first', () => {
    const ledger = reviewed(afterCycles(0), SHA_A, 10)
    expect(decide(ledger, SHA_C, SHA_A).action).toBe('skip')
  })

  test('past the cap → escalate with the cycle that would have run', () => {
    const ledger = reviewed(afterCycles(3), 'd'.repeat(40), 40)
    const decision = decide(ledger, 'd'.repeat(40), 'd'.repeat(40))
    expect(shape(decision)).toEqual({ action: 'escalate', cycle: 4, repeat: undefined })
    expect(decision.reason).toBe(
      '3 correction cycle(s) ran, the limit is 3, and changes are still requested'
    )
    expect(decide(ledger, 'd'.repeat(40), 'd'.repeat(40), 4).action).toBe('run')
  })

  test('an escalated PR → the run does nothing but say so', () => {
    const ledger = setStatus(
      reviewed(afterCycles(3), 'd'.repeat(40), 40),
      'escalated',
      'three cycles without approval',
      at(45)
    )
    const decision = decide(ledger, 'd'.repeat(40), 'd'.repeat(40))
    expect(decision.action).toBe('skip')
    expect(decision.reason).toBe(
      'PR #41 is escalated to a person (three cycles without approval); nothing to do until it is reviewed again'
    )
  })

  test('a merge-phase order after an approval starts a new cycle', () => {
    let ledger = afterCycles(1)
    ledger = recordReview(ledger, {
      headSha: SHA_B,
      verdict: 'approved',
      readOnly: 'passed',
      blocking: 0,
      carriedFrom: null,
      at: at(20)
    })
    expect(shape(decide(ledger, SHA_B, SHA_B))).toEqual({ action: 'run', cycle: 2, repeat: false })
  })
})
