import {
  REVIEW_CHECKLIST,
  parseImplementerResult,
  parseImplementerResultJson,
  parseReviewVerdict,
  parseReviewVerdictJson,
  type ReviewFinding,
  type ReviewVerdict
} from '../../src/contracts/index.js'

const finding: ReviewFinding = {
  id: 'B1',
  title: 'Insert races with the existence check',
  detail: 'Two requests can both pass the select and insert the same row.',
  file: 'src/store.ts',
  line: 42,
  checklist_item: 'races'
}

const verdict: ReviewVerdict = {
  verdict: 'changes_requested',
  summary: 'One race in the new write path.',
  blocking: [finding],
  should_fix: [{ ...finding, id: 'S1', file: null, line: null, checklist_item: 'test-gaps' }],
  nits: [],
  scope_violations: []
}

function errors(value: unknown): string[] {
  const result = parseReviewVerdict(value)
  if (result.ok) throw new Error('expected the verdict to be refused')
  return result.error.issues.map(issue => issue.text)
}

describe('ReviewVerdict', () => {
  test('a valid verdict parses to itself', () => {
    expect(parseReviewVerdict(verdict)).toEqual({ ok: true, value: verdict })
    const approved = { ...verdict, verdict: 'approved', blocking: [], should_fix: [] }
    expect(parseReviewVerdict(approved).ok).toBe(true)
  })

  test('the final message text parses as JSON', () => {
    expect(parseReviewVerdictJson(JSON.stringify(verdict))).toEqual({ ok: true, value: verdict })
  })

  test('text that is not JSON is refused with the parser’s reason', () => {
    const result = parseReviewVerdictJson('Looks good to me!')
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error.issues).toHaveLength(1)
    expect(result.error.issues[0]!.text).toMatch(
      /^\(top level\): expected JSON text, got "Looks good to me!" \(.*JSON.*\)$/
    )
  })

  test.each<[string, unknown, string[]]>([
    [
      'an unknown verdict',
      { ...verdict, verdict: 'lgtm' },
      ['verdict: expected "approved" or "changes_requested", got "lgtm"']
    ],
    [
      'a missing summary',
      { ...verdict, summary: undefined },
      ['summary: expected a non-empty string, but it is missing']
    ],
    [
      'a blank summary',
      { ...verdict, summary: ' \n' },
      ['summary: expected a non-empty string, got " \\n"']
    ],
    [
      'a finding list that is not a list',
      { ...verdict, nits: 'none' },
      ['nits: expected a list of findings, got "none"']
    ],
    [
      'a line that is not a whole number',
      { ...verdict, blocking: [{ ...finding, line: '42' }] },
      ['blocking[0].line: expected a whole number of at least 1, got "42"']
    ],
    [
      'line 0',
      { ...verdict, blocking: [{ ...finding, line: 0 }] },
      ['blocking[0].line: expected a whole number of at least 1, got 0']
    ],
    [
      'an optional field left out instead of null',
      { ...verdict, blocking: [{ ...finding, file: undefined }] },
      ['blocking[0].file: expected a file path or null, but it is missing']
    ],
    [
      'an unknown checklist item',
      { ...verdict, should_fix: [{ ...finding, id: 'S1', checklist_item: 'style' }] },
      [
        'should_fix[0].checklist_item: expected one of "scope-adherence", "rebase-integrity", "renames-and-stragglers", "races", "duplicated-migrations", "sibling-parity", "test-gaps", "project-rules", "other", got "style"'
      ]
    ],
    [
      'an extra key on a finding',
      { ...verdict, blocking: [{ ...finding, severity: 'high' }] },
      ['blocking[0].severity: unknown key']
    ],
    [
      'a misspelt list',
      { ...verdict, scope_violations: undefined, scope_violation: [] },
      [
        'scope_violations: expected a list of findings, but it is missing',
        'scope_violation: unknown key (did you mean "scope_violations"?)'
      ]
    ],
    [
      'two findings with one id',
      { ...verdict, nits: [{ ...finding, title: 'Name' }] },
      [
        'nits[0].id: duplicate finding id "B1" (also blocking[0].id); every finding needs its own id'
      ]
    ],
    ['not an object', ['approved'], ['(top level): expected an object, got ["approved"]']]
  ])('%s is refused', (_name, value, lines) => {
    expect(errors(value)).toEqual(lines)
  })

  test('the checklist ids are unique and name every item of the reviewer checklist', () => {
    const ids = REVIEW_CHECKLIST.map(item => item.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(
      REVIEW_CHECKLIST.map(item => item.text)
        .slice(0, 8)
        .join('; ')
    ).toBe(
      'scope adherence; rebase integrity; renames and stragglers; races in new writes, select-then-insert; duplicated migrations; parity across sibling views; test gaps; project rules'
    )
  })
})

describe('ImplementerResult', () => {
  const result = {
    status: 'done',
    commit_title: 'fix(parser): accept empty titles',
    commit_body: '',
    pr_summary: 'Empty titles no longer crash the parser.',
    tests_run: ['npm test (passed)'],
    open_questions: []
  }

  test('a valid result parses, from a value or from the final message text', () => {
    expect(parseImplementerResult(result)).toEqual({ ok: true, value: result })
    expect(parseImplementerResultJson(JSON.stringify({ ...result, status: 'blocked' })).ok).toBe(
      true
    )
  })

  test.each<[string, unknown, string[]]>([
    [
      'an unknown status',
      { ...result, status: 'partial' },
      ['status: expected "done" or "blocked", got "partial"']
    ],
    [
      'a blank commit title',
      { ...result, commit_title: '' },
      ['commit_title: expected a non-empty string, got ""']
    ],
    [
      'tests as one string',
      { ...result, tests_run: 'npm test' },
      ['tests_run: expected a list of test commands, got "npm test"']
    ],
    [
      'a blank question',
      { ...result, open_questions: ['ok', ''] },
      ['open_questions[1]: expected a non-empty string, got ""']
    ],
    [
      'a missing body',
      { ...result, commit_body: undefined },
      ['commit_body: expected a string (may be empty), but it is missing']
    ]
  ])('%s is refused', (_name, value, lines) => {
    const parsed = parseImplementerResult(value)
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.error.issues.map(issue => issue.text)).toEqual(lines)
  })
})
