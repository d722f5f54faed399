import {
  artifactName,
  addUsage,
  emptyLedgerUsage,
  parseCorrectionOrder,
  parseDispatchRecord,
  parseLedger,
  type ContractError,
  type CorrectionOrder,
  type DispatchRecord,
  type Ledger,
  type ParseResult
} from '../../src/contracts/index.js'

const SHA_A = 'a'.repeat(40)
const SHA_B = '0123456789abcdef0123456789abcdef01234567'
const AT = '2025-01-31T12:00:00.000Z'

function lines<T>(result: ParseResult<T>): string[] {
  if (result.ok) throw new Error('expected the value to be refused')
  return (result.error as ContractError).issues.map(issue => issue.text)
}

describe('DispatchRecord', () => {
  const record: DispatchRecord = {
    v: 1,
    planId: '0123456789ab',
    group: 'g12-15',
    issues: [12, 15],
    branch: 'fix/12-null-titles',
    baseSha: SHA_A,
    headSha: SHA_B,
    pr: 41,
    promptArtifact: artifactName('dispatch', 'g12-15', 1),
    usage: { inputTokens: 1200, cachedInputTokens: 800, outputTokens: 300, durationMs: 45_000 },
    outcome: 'opened',
    error: null
  }

  test('valid records parse, including one where nothing was pushed', () => {
    expect(parseDispatchRecord(record)).toEqual({ ok: true, value: record })
    expect(record.promptArtifact).toBe('waves-dispatch-g12-15-1')
    const noChanges = { ...record, headSha: null, pr: null, outcome: 'no-changes' }
    expect(parseDispatchRecord(noChanges).ok).toBe(true)
    const failed = {
      ...record,
      headSha: null,
      pr: null,
      usage: null,
      outcome: 'failed',
      error: 'codex timed out after 45 minutes'
    }
    expect(parseDispatchRecord(failed).ok).toBe(true)
  })

  test.each<[string, unknown, string[]]>([
    [
      'an unknown outcome',
      { ...record, outcome: 'merged' },
      [
        'outcome: expected one of "opened", "updated", "no-changes", "failed", "skipped", got "merged"'
      ]
    ],
    [
      'an abbreviated SHA',
      { ...record, baseSha: 'abc1234' },
      ['baseSha: expected a full commit SHA (40 lowercase hexadecimal characters), got "abc1234"']
    ],
    [
      'an upper-case SHA',
      { ...record, headSha: SHA_B.toUpperCase() },
      [
        'headSha: expected a full commit SHA (40 lowercase hexadecimal characters), got "0123456789ABCDEF0123456789ABCDEF01234567"'
      ]
    ],
    [
      'a branch git would refuse',
      { ...record, branch: 'fix/12..13' },
      ['branch: expected a git branch name such as "fix/12-null-title", got "fix/12..13"']
    ],
    [
      'an artifact name with a slash',
      { ...record, promptArtifact: 'waves/dispatch' },
      [
        'promptArtifact: expected an artifact name without the characters " : < > | * ? \\ / or line breaks, got "waves/dispatch"'
      ]
    ],
    [
      'negative tokens',
      { ...record, usage: { ...record.usage!, outputTokens: -1 } },
      ['usage.outputTokens: expected a whole number of at least 0, got -1']
    ],
    [
      'an opened PR without its number',
      { ...record, pr: null },
      ['pr: expected a PR number when the outcome is "opened"']
    ],
    [
      'a failure without a reason',
      { ...record, outcome: 'failed', error: null },
      ['error: expected the reason when the outcome is "failed"']
    ],
    [
      'a PR number of 0',
      { ...record, pr: 0 },
      ['pr: expected a pull request number (a whole number of at least 1), got 0']
    ]
  ])('%s is refused', (_name, value, expected) => {
    expect(lines(parseDispatchRecord(value))).toEqual(expected)
  })
})

describe('CorrectionOrder', () => {
  const order: CorrectionOrder = {
    v: 1,
    pr: 41,
    cycle: 1,
    headSha: SHA_B,
    origin: 'review',
    chosen: [
      { id: 'B1', category: 'blocking', title: 'Insert races with the check', detail: null },
      { id: 'S1', category: 'should_fix', title: 'No test for empty titles', detail: null }
    ],
    deferred: [
      {
        id: 'N1',
        category: 'nits',
        title: 'Rename tmp',
        detail: null,
        reason: 'nits are deferred by policy'
      }
    ]
  }

  test('a valid order parses; so does a merge-originated renumbering order', () => {
    expect(parseCorrectionOrder(order)).toEqual({ ok: true, value: order })
    const renumber = {
      ...order,
      origin: 'merge',
      chosen: [
        {
          id: 'numbering-1',
          category: 'numbering',
          title: 'ADR 0005 was taken by #40',
          detail: 'Renumber docs/adr/0005-cache.md to 0006.'
        }
      ],
      deferred: []
    }
    expect(parseCorrectionOrder(renumber).ok).toBe(true)
  })

  test.each<[string, unknown, string[]]>([
    [
      'an order with nothing chosen',
      { ...order, chosen: [] },
      [
        'chosen: expected at least one chosen item (an order with nothing to do is not an order), got []'
      ]
    ],
    ['cycle 0', { ...order, cycle: 0 }, ['cycle: expected a whole number of at least 1, got 0']],
    [
      'an unknown category',
      { ...order, chosen: [{ ...order.chosen[0]!, category: 'style' }] },
      [
        'chosen[0].category: expected one of "blocking", "scope_violations", "should_fix", "nits", "merge_conflict", "numbering", got "style"'
      ]
    ],
    [
      'a deferred item without a reason',
      { ...order, deferred: [{ ...order.deferred[0]!, reason: undefined }] },
      ['deferred[0].reason: expected a non-empty string, but it is missing']
    ],
    [
      'an item both chosen and deferred',
      { ...order, deferred: [{ ...order.chosen[0]!, reason: 'later' }] },
      ['deferred[0].id: item "B1" is both chosen and deferred']
    ]
  ])('%s is refused', (_name, value, expected) => {
    expect(lines(parseCorrectionOrder(value))).toEqual(expected)
  })
})

describe('Ledger', () => {
  const ledger: Ledger = {
    v: 1,
    pr: 41,
    issues: [12, 15],
    planId: '3f9a1c0b7d2e',
    group: 'g12-15',
    branch: 'fix/12-null-titles',
    runs: [
      {
        phase: 'dispatch',
        runId: 9_876_543_210,
        attempt: 1,
        artifact: 'waves-dispatch-g12-15-1',
        at: AT
      },
      { phase: 'review', runId: 9_876_543_300, attempt: 2, artifact: 'waves-review-41-2', at: AT }
    ],
    reviews: [
      {
        headSha: SHA_B,
        verdict: 'changes_requested',
        readOnly: 'passed',
        blocking: 1,
        carriedFrom: null,
        at: AT
      },
      {
        headSha: SHA_A,
        verdict: null,
        readOnly: 'violated',
        blocking: 0,
        carriedFrom: null,
        at: AT
      }
    ],
    cycles: 1,
    malformed: 0,
    boundaryViolations: { consecutive: 1, total: 1 },
    usage: {
      ...emptyLedgerUsage(),
      review: { inputTokens: 10, cachedInputTokens: 0, outputTokens: 5, durationMs: 900 }
    },
    status: 'in-review',
    statusReason: null,
    updatedAt: AT
  }

  test('a valid ledger parses and survives a JSON round trip', () => {
    expect(parseLedger(JSON.parse(JSON.stringify(ledger)))).toEqual({ ok: true, value: ledger })
  })

  test.each<[string, unknown, string[]]>([
    [
      'an unknown status',
      { ...ledger, status: 'done' },
      [
        'status: expected one of "implementing", "in-review", "changes-requested", "approved", "escalated", "merged", "closed", "failed", got "done"'
      ]
    ],
    [
      'a timestamp with a local offset',
      { ...ledger, updatedAt: '2025-01-31T13:00:00+01:00' },
      [
        'updatedAt: expected an ISO 8601 UTC timestamp such as "2025-01-31T12:00:00.000Z", got "2025-01-31T13:00:00+01:00"'
      ]
    ],
    [
      'a run of an unknown phase',
      { ...ledger, runs: [{ ...ledger.runs[0]!, phase: 'plan' }] },
      ['runs[0].phase: expected one of "dispatch", "review", "correct", "merge", got "plan"']
    ],
    [
      'a run attempt of 0',
      { ...ledger, runs: [{ ...ledger.runs[0]!, attempt: 0 }] },
      ['runs[0].attempt: expected an attempt number (a whole number of at least 1), got 0']
    ],
    [
      'a read-only check with another word',
      { ...ledger, reviews: [{ ...ledger.reviews[0]!, readOnly: 'ok' }] },
      ['reviews[0].readOnly: expected "passed" or "violated", got "ok"']
    ],
    [
      'a missing phase in usage',
      { ...ledger, usage: { dispatch: ledger.usage.dispatch, review: ledger.usage.review } },
      ['usage.correct: expected an object, but it is missing']
    ],
    [
      'more consecutive violations than in total',
      { ...ledger, boundaryViolations: { consecutive: 2, total: 1 } },
      ['boundaryViolations.consecutive: 2 consecutive violations cannot exceed the total of 1']
    ],
    [
      'a misspelt key',
      { ...ledger, cycles: undefined, cyles: 1 },
      [
        'cycles: expected a whole number of at least 0, but it is missing',
        'cyles: unknown key (did you mean "cycles"?)'
      ]
    ],
    [
      'a plan id of another form',
      { ...ledger, planId: 'ABC' },
      ['planId: expected a plan id (12 lowercase hexadecimal characters), got "ABC"']
    ]
  ])('%s is refused', (_name, value, expected) => {
    expect(lines(parseLedger(value))).toEqual(expected)
  })

  test('usage adds up field by field', () => {
    const a = { inputTokens: 1, cachedInputTokens: 2, outputTokens: 3, durationMs: 4 }
    expect(addUsage(a, a)).toEqual({
      inputTokens: 2,
      cachedInputTokens: 4,
      outputTokens: 6,
      durationMs: 8
    })
  })
})
