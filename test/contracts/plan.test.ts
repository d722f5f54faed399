import {
  computePlanId,
  parseWaveGroup,
  parseWavePlan,
  planIdMatches,
  sealPlan,
  type WavePlanContent
} from '../../src/contracts/index.js'

const content: WavePlanContent = {
  v: 1,
  issues: [
    { number: 12, title: 'Null titles crash the parser', labels: ['bug'], state: 'open' },
    { number: 15, title: 'Trim titles', labels: ['bug'], state: 'open' },
    { number: 17, title: 'Add ADR for storage', labels: ['docs'], state: 'open' },
    { number: 18, title: 'Add ADR for caching', labels: ['docs'], state: 'open' }
  ],
  groups: [
    {
      id: 'g12-15',
      issues: [12, 15],
      branchType: 'fix',
      title: 'Null and untrimmed titles',
      openQuestions: [
        { question: 'Reject or default an empty title?', resolution: 'Default to "untitled".' }
      ]
    },
    { id: 'g17', issues: [17], branchType: 'feat', title: 'ADR for storage', openQuestions: [] },
    { id: 'g18', issues: [18], branchType: 'feat', title: 'ADR for caching', openQuestions: [] }
  ],
  sequence: [
    { before: 'g17', after: 'g18', reason: 'Both add docs/adr/*.md: 0005 for #17, 0006 for #18.' }
  ],
  skips: [
    { issue: 9, reason: 'closed', detail: '#9 was closed on 2025-01-30.' },
    { issue: null, reason: 'bad-number', detail: "'12x' is not an issue number." }
  ],
  findings: [
    {
      id: 'f1',
      kind: 'trivial-siblings',
      issues: [12, 15],
      paths: ['src/parser.ts'],
      evidence: ['#12 names src/parser.ts', '#15 names `parseTitle`, defined in src/parser.ts'],
      proposal: 'Combine #12 and #15 on one branch.',
      needsDecision: false
    },
    {
      id: 'f2',
      kind: 'shared-numbering',
      issues: [17, 18],
      paths: ['docs/adr/*.md'],
      evidence: ['#17 and #18 each add a file under docs/adr/*.md'],
      proposal: 'Implement #17 first with 0005, then #18 with 0006.',
      needsDecision: true
    }
  ],
  needsConfirmation: true
}

function errors(value: unknown): string[] {
  const result = parseWavePlan(value)
  if (result.ok) throw new Error('expected the plan to be refused')
  return result.error.issues.map(issue => issue.text)
}

/** The same data with every object's keys in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([key, item]) => [key, reverseKeys(item)])
  )
}

describe('plan id', () => {
  test('is 12 hex characters and the sealed plan parses', () => {
    const plan = sealPlan(content)
    expect(plan.id).toMatch(/^[0-9a-f]{12}$/)
    expect(parseWavePlan(plan)).toEqual({ ok: true, value: plan })
    expect(planIdMatches(plan)).toBe(true)
  })

  test('does not depend on the order of keys', () => {
    const reordered = reverseKeys(content) as WavePlanContent
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(content))
    expect(computePlanId(reordered)).toBe(computePlanId(content))
  })

  test('changes when the content changes, including the order of groups', () => {
    const base = computePlanId(content)
    expect(computePlanId({ ...content, needsConfirmation: false })).not.toBe(base)
    expect(computePlanId({ ...content, groups: [...content.groups].reverse() })).not.toBe(base)
    const retitled = {
      ...content,
      issues: [{ ...content.issues[0]!, title: 'Changed' }, ...content.issues.slice(1)]
    }
    expect(computePlanId(retitled)).not.toBe(base)
  })

  test('a plan edited after sealing no longer matches its id', () => {
    const plan = sealPlan(content)
    expect(planIdMatches({ ...plan, needsConfirmation: false })).toBe(false)
  })
})

describe('WavePlan', () => {
  const plan = sealPlan(content)

  test.each<[string, unknown, string[]]>([
    ['a version other than 1', { ...plan, v: 2 }, ['v: expected 1 (the only plan version), got 2']],
    [
      'an id that is not a plan id',
      { ...plan, id: 'plan-1' },
      ['id: expected a plan id (12 lowercase hexadecimal characters), got "plan-1"']
    ],
    [
      'an unknown finding kind',
      { ...plan, findings: [{ ...content.findings[0]!, kind: 'overlap' }] },
      [
        'findings[0].kind: expected one of "same-region", "semantic-overlap", "shared-numbering", "umbrella", "trivial-siblings", got "overlap"'
      ]
    ],
    [
      'a finding without evidence',
      { ...plan, findings: [{ ...content.findings[0]!, evidence: [] }] },
      ['findings[0].evidence: expected at least one line of evidence, got []']
    ],
    [
      'a finding path outside the repository',
      { ...plan, findings: [{ ...content.findings[0]!, paths: ['../secrets'] }] },
      [
        'findings[0].paths[0]: expected a relative path inside the repository (no leading "/", no ".." segments), got "../secrets"'
      ]
    ],
    [
      'an unknown skip reason',
      { ...plan, skips: [{ issue: 9, reason: 'stale', detail: 'old' }] },
      [
        'skips[0].reason: expected one of "missing", "closed", "locked", "pull-request", "in-flight", "umbrella", "bad-number", got "stale"'
      ]
    ],
    [
      'an issue number that is not a number',
      { ...plan, issues: [{ ...content.issues[0]!, number: '12' }, ...content.issues.slice(1)] },
      ['issues[0].number: expected an issue number (a whole number of at least 1), got "12"']
    ],
    [
      'a group with an id unfit for branch and artifact names',
      { ...plan, groups: [{ ...content.groups[0]!, id: 'Group 1' }, ...content.groups.slice(1)] },
      [
        'groups[0].id: expected a group id: lowercase letters, digits and dashes, such as "g12-15", got "Group 1"'
      ]
    ],
    [
      'a group without issues',
      { ...plan, groups: [{ ...content.groups[0]!, issues: [] }, ...content.groups.slice(1)] },
      ['groups[0].issues: expected at least one issue number, got []']
    ],
    [
      'an open question left out of its object',
      {
        ...plan,
        groups: [{ ...content.groups[0]!, openQuestions: ['Which?'] }, ...content.groups.slice(1)]
      },
      ['groups[0].openQuestions[0]: expected an object, got "Which?"']
    ],
    [
      'needsConfirmation missing',
      { ...plan, needsConfirmation: undefined },
      ['needsConfirmation: expected true or false, but it is missing']
    ]
  ])('%s is refused', (_name, value, lines) => {
    expect(errors(value)).toEqual(lines)
  })

  test.each<[string, unknown, string[]]>([
    [
      'a sequence edge to a group that does not exist',
      { ...plan, sequence: [{ before: 'g17', after: 'g99', reason: 'numbering' }] },
      ['sequence[0].after: unknown group "g99"']
    ],
    [
      'an edge from a group to itself',
      { ...plan, sequence: [{ before: 'g17', after: 'g17', reason: 'numbering' }] },
      ['sequence[0]: group "g17" cannot be sequenced after itself']
    ],
    [
      'an issue in two groups',
      { ...plan, groups: [...content.groups, { ...content.groups[1]!, id: 'g17-again' }] },
      ['groups[3].issues[0]: issue 17 is already in group "g17"']
    ],
    [
      'two groups with one id',
      {
        ...plan,
        groups: [content.groups[0], { ...content.groups[1]!, id: 'g12-15' }, content.groups[2]]
      },
      ['groups[1].id: duplicate group id "g12-15"', 'sequence[0].before: unknown group "g17"']
    ],
    [
      'a group issue the plan does not list',
      { ...plan, groups: [...content.groups, { ...content.groups[1]!, id: 'g20', issues: [20] }] },
      ["groups[3].issues[0]: issue 20 is not in the plan's issues"]
    ],
    [
      'a bad-number skip that names an issue',
      { ...plan, skips: [{ issue: 3, reason: 'bad-number', detail: "'3x'" }] },
      ['skips[0].issue: expected null exactly when the reason is "bad-number"']
    ],
    [
      'an issue both skipped and grouped',
      { ...plan, skips: [{ issue: 12, reason: 'in-flight', detail: 'PR #40 is open' }] },
      ['skips[0].issue: issue 12 is both skipped and in group "g12-15"']
    ]
  ])('cross-references: %s is refused', (_name, value, lines) => {
    expect(errors(value)).toEqual(lines)
  })

  test('one group parses alone, as the implement matrix entry', () => {
    const group = content.groups[0]!
    expect(parseWaveGroup(JSON.parse(JSON.stringify(group)))).toEqual({ ok: true, value: group })
    const result = parseWaveGroup({ ...group, branchType: 'chore' })
    expect(!result.ok && result.error.issues.map(issue => issue.text)).toEqual([
      'branchType: expected one of "fix", "refactor", "feat", got "chore"'
    ])
  })
})
