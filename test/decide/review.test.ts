import type { ReviewFinding, ReviewVerdict } from '../../src/contracts/index.js'
import {
  decideAfterReviewFailure,
  decideReview,
  downgradeNamedScopeViolations,
  type ReviewPolicy
} from '../../src/decide/index.js'

const finding = (id: string, fields: Partial<ReviewFinding> = {}): ReviewFinding => ({
  id,
  title: `Finding ${id}`,
  detail: `Detail of ${id}.`,
  file: null,
  line: null,
  checklist_item: 'other',
  ...fields
})

const verdict = (fields: Partial<ReviewVerdict>): ReviewVerdict => ({
  verdict: 'approved',
  summary: 'Looks fine.',
  blocking: [],
  should_fix: [],
  nits: [],
  scope_violations: [],
  ...fields
})

const CORRECT_ALL: ReviewPolicy = { shouldFix: 'correct', nits: 'correct' }
const DEFER_ALL: ReviewPolicy = { shouldFix: 'defer', nits: 'defer' }

describe('decideReview', () => {
  test.each<
    [
      string,
      ReviewVerdict,
      ReviewPolicy | undefined,
      { verdict: string; next: string; status: string; chosen: string[]; deferred: string[] }
    ]
  >([
    [
      'approved, no findings',
      verdict({}),
      undefined,
      { verdict: 'approved', next: 'merge', status: 'success', chosen: [], deferred: [] }
    ],
    [
      'approved with only nits (default: nits deferred)',
      verdict({ nits: [finding('N1')] }),
      undefined,
      { verdict: 'approved', next: 'merge', status: 'success', chosen: [], deferred: ['N1'] }
    ],
    [
      'blocking',
      verdict({ verdict: 'changes_requested', blocking: [finding('B1')], nits: [finding('N1')] }),
      undefined,
      {
        verdict: 'changes_requested',
        next: 'correct',
        status: 'failure',
        chosen: ['B1'],
        deferred: ['N1']
      }
    ],
    [
      'a blocking item in an "approved" verdict still blocks',
      verdict({ blocking: [finding('B1')] }),
      undefined,
      {
        verdict: 'changes_requested',
        next: 'correct',
        status: 'failure',
        chosen: ['B1'],
        deferred: []
      }
    ],
    [
      'a scope violation the issue does not name',
      verdict({ scope_violations: [finding('V1', { file: 'src/other.ts' })] }),
      undefined,
      {
        verdict: 'changes_requested',
        next: 'correct',
        status: 'failure',
        chosen: ['V1'],
        deferred: []
      }
    ],
    [
      'should-fix only, default policy corrects it',
      verdict({ verdict: 'changes_requested', should_fix: [finding('S1')] }),
      undefined,
      {
        verdict: 'changes_requested',
        next: 'correct',
        status: 'failure',
        chosen: ['S1'],
        deferred: []
      }
    ],
    [
      'should-fix only, policy defers it',
      verdict({ verdict: 'changes_requested', should_fix: [finding('S1')] }),
      DEFER_ALL,
      { verdict: 'approved', next: 'merge', status: 'success', chosen: [], deferred: ['S1'] }
    ],
    [
      'nits only, policy corrects them',
      verdict({ nits: [finding('N1'), finding('N2')] }),
      CORRECT_ALL,
      {
        verdict: 'changes_requested',
        next: 'correct',
        status: 'failure',
        chosen: ['N1', 'N2'],
        deferred: []
      }
    ],
    [
      'changes requested without a single finding contradicts itself',
      verdict({ verdict: 'changes_requested' }),
      undefined,
      { verdict: 'escalated', next: 'escalate', status: 'failure', chosen: [], deferred: [] }
    ]
  ])('%s', (_name, input, policy, expected) => {
    const decision = decideReview({ verdict: input, issueBody: 'Fix the title.', policy })
    expect({
      verdict: decision.verdict,
      next: decision.next,
      status: decision.status,
      chosen: decision.chosen.map(item => item.id),
      deferred: decision.deferred.map(item => item.id)
    }).toEqual(expected)
    expect(decision.description.length).toBeLessThanOrEqual(140)
  })

  test('the blocking count covers blocking items and scope violations', () => {
    const decision = decideReview({
      verdict: verdict({
        verdict: 'changes_requested',
        blocking: [finding('B1'), finding('B2')],
        scope_violations: [finding('V1')],
        should_fix: [finding('S1')]
      }),
      issueBody: ''
    })
    expect(decision.blockingCount).toBe(3)
    expect(decision.description).toBe(
      'changes requested: 2 blocking, 1 scope violation, 1 should-fix; 4 to correct'
    )
  })

  test('deferred items carry the setting that deferred them', () => {
    const decision = decideReview({
      verdict: verdict({ should_fix: [finding('S1')], nits: [finding('N1')] }),
      issueBody: '',
      policy: DEFER_ALL
    })
    expect(decision.deferred.map(item => [item.id, item.category, item.reason])).toEqual([
      [
        'S1',
        'should_fix',
        'should-fix items are deferred by the review policy (review.should-fix: defer)'
      ],
      ['N1', 'nits', 'nits are deferred by the review policy (review.nits: defer)']
    ])
  })
})

describe('downgrading scope violations the issue names', () => {
  const issueBody = [
    'The title parser in src/parse/title.ts returns null for empty titles.',
    'Also `normalizeTitle` should trim. See config.yml for the flag.'
  ].join('\n')

  test.each<[string, ReviewFinding, string | null]>([
    [
      'the full path',
      finding('V1', { file: 'src/parse/title.ts', line: 3 }),
      'file "src/parse/title.ts"'
    ],
    [
      'the path with ./',
      finding('V1', { file: './src/parse/title.ts' }),
      'file "src/parse/title.ts"'
    ],
    ['the base name of a file', finding('V1', { file: 'deploy/config.yml' }), 'file "config.yml"'],
    [
      'an identifier quoted in the finding',
      finding('V1', { title: 'Renamed `normalizeTitle`', file: 'src/other.ts' }),
      'identifier `normalizeTitle`'
    ],
    ['an unrelated file', finding('V1', { file: 'src/parse/body.ts' }), null],
    ['a longer name that only contains it', finding('V1', { file: 'src/parse/title.tsx' }), null],
    [
      'an identifier the issue does not name',
      finding('V1', { detail: 'Touches `normalizeBody` too.' }),
      null
    ],
    [
      'a base name the issue names only inside another path',
      finding('V1', { file: 'lib/title.ts' }),
      null
    ]
  ])('%s', (_name, violation, matched) => {
    const result = downgradeNamedScopeViolations(
      verdict({ scope_violations: [violation] }),
      issueBody
    )
    expect(result.downgraded.map(item => item.matched)).toEqual(matched === null ? [] : [matched])
    expect(result.verdict.scope_violations).toHaveLength(matched === null ? 1 : 0)
    expect(result.verdict.should_fix).toHaveLength(matched === null ? 0 : 1)
  })

  test('a downgraded violation is decided as should-fix, with a note', () => {
    const decision = decideReview({
      verdict: verdict({
        verdict: 'changes_requested',
        scope_violations: [finding('V1', { file: 'src/parse/title.ts' })]
      }),
      issueBody,
      policy: DEFER_ALL
    })
    expect(decision.findings.scope_violations).toEqual([])
    expect(decision.findings.should_fix.map(item => item.id)).toEqual(['V1'])
    expect(decision.downgraded[0]?.note).toBe(
      'Downgraded from scope violation to should-fix: the issue names file "src/parse/title.ts".'
    )
    expect(decision).toMatchObject({ verdict: 'approved', next: 'merge', blockingCount: 0 })
  })
})

describe('decideAfterReviewFailure', () => {
  test.each<[number, number, string]>([
    [0, 0, 'proceed'],
    [1, 0, 'retry'],
    [2, 0, 'escalate'],
    [0, 1, 'retry'],
    [0, 2, 'escalate'],
    [1, 2, 'escalate'],
    [0, 3, 'escalate']
  ])(
    'malformed %i, consecutive violations %i → %s',
    (malformedAttempts, consecutiveViolations, action) => {
      expect(decideAfterReviewFailure({ malformedAttempts, consecutiveViolations }).action).toBe(
        action
      )
    }
  )

  test('the reasons say what happened', () => {
    expect(
      decideAfterReviewFailure({ malformedAttempts: 2, consecutiveViolations: 0 }).reason
    ).toBe("the reviewer's output did not match the verdict schema 2 times, the retry included")
    expect(
      decideAfterReviewFailure({ malformedAttempts: 0, consecutiveViolations: 2 }).reason
    ).toMatch(/changed the work tree in 2 reviews in a row/)
  })
})
