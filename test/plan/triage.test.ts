import {
  WavePlanContent,
  defaultWaveConfig,
  sealPlan,
  type WaveConfig
} from '../../src/contracts/index.js'
import {
  MAX_GROUP_SIZE,
  globToRegExp,
  numberedPathState,
  planLookups,
  planWave,
  type IssueFacts,
  type PlanFacts
} from '../../src/plan/index.js'

const LONG =
  ' It needs a careful change with tests, and a note in the changelog for the users.'.repeat(3)

function issue(number: number, title: string, body: string, extra: Partial<IssueFacts> = {}) {
  return {
    number,
    title,
    body,
    labels: [],
    state: 'open' as const,
    locked: false,
    isPullRequest: false,
    subIssues: [],
    ...extra
  }
}

function facts(issues: IssueFacts[], extra: Partial<PlanFacts> = {}): PlanFacts {
  return {
    repo: 'acme/shop',
    requested: issues.map(i => i.number),
    issues,
    inFlight: [],
    pathsAtBase: {},
    symbolDefinitions: {},
    numberedPaths: [],
    ...extra
  }
}

function config(overrides: Partial<WaveConfig> = {}): WaveConfig {
  return { ...defaultWaveConfig(), ...overrides }
}

function valid(content: WavePlanContent): WavePlanContent {
  expect(WavePlanContent.safeParse(content).error?.issues ?? []).toEqual([])
  return content
}

const overlapping = facts(
  [
    issue(1, 'Remove the old cache', `Remove \`OldCache\` for good.${LONG}`),
    issue(2, 'Warm the old cache', `Extend \`OldCache\` with a warm-up.${LONG}`)
  ],
  { symbolDefinitions: { OldCache: ['src/cache.ts'] } }
)

describe('planWave: the confirmation policy', () => {
  test('auto asks only when a finding needs a decision', () => {
    expect(planWave(overlapping, config({ confirm: 'auto' })).needsConfirmation).toBe(true)
    const calm = facts([issue(1, 'A', `Change src/a.ts.${LONG}`)])
    expect(planWave(calm, config({ confirm: 'auto' })).needsConfirmation).toBe(false)
  })

  test('always asks when the plan has a group, and never never asks', () => {
    const one = facts([issue(1, 'A', 'a')])
    expect(planWave(one, config({ confirm: 'always' })).needsConfirmation).toBe(true)
    expect(planWave(overlapping, config({ confirm: 'never' })).needsConfirmation).toBe(false)
    const none = facts([], { requested: [5] })
    expect(planWave(none, config({ confirm: 'always' })).needsConfirmation).toBe(false)
  })
})

describe('planWave: groups', () => {
  test('branch types follow the configured labels, fix before refactor before feat', () => {
    const custom = config({
      branches: {
        types: { fix: ['kaputt'], refactor: ['tidy'], feat: ['wish'] },
        defaultType: 'refactor'
      }
    })
    const plan = valid(
      planWave(
        facts([
          issue(1, 'A', 'a', { labels: ['Kaputt', 'wish'] }),
          issue(2, 'B', 'b', { labels: ['wish'] }),
          issue(3, 'C', 'c', { labels: ['bug'] })
        ]),
        custom
      )
    )
    expect(plan.groups.map(g => [g.id, g.branchType])).toEqual([
      ['g1', 'fix'],
      ['g2', 'feat'],
      ['g3', 'refactor']
    ])
  })

  test(`small siblings of one file are combined up to ${MAX_GROUP_SIZE} per group`, () => {
    const typos = Array.from({ length: 7 }, (_, i) =>
      issue(i + 1, `Typo ${i + 1} in README.md`, '')
    )
    const plan = valid(planWave(facts(typos, { pathsAtBase: { 'README.md': true } }), config()))
    expect(plan.groups.map(g => g.issues)).toEqual([
      [1, 2, 3, 4, 5],
      [6, 7]
    ])
    expect(plan.groups[0]?.title).toBe('Typo 1 in README.md (with #2, #3, #4, #5)')
    expect(plan.findings.map(f => [f.kind, f.issues])).toEqual([
      ['trivial-siblings', [1, 2, 3, 4, 5]],
      ['same-region', [1, 2, 3, 4, 5, 6, 7]],
      ['trivial-siblings', [6, 7]]
    ])
    expect(plan.sequence.map(e => [e.before, e.after])).toEqual([['g1-2-3-4-5', 'g6-7']])
  })
})

describe('planWave: order', () => {
  test('a stated dependency wins over "older first", and the proposal follows it', () => {
    const plan = valid(
      planWave(
        facts(
          [
            issue(20, 'A', `Depends on #25. Change src/a.ts.${LONG}`),
            issue(25, 'B', `Change src/a.ts too.${LONG}`)
          ],
          { pathsAtBase: { 'src/a.ts': true } }
        ),
        config()
      )
    )
    expect(plan.sequence).toEqual([{ before: 'g25', after: 'g20', reason: '#20 depends on #25.' }])
    expect(plan.findings[0]?.proposal).toBe(
      'Sequence them, as they change the same file: g25 (#25) first, then g20 (#20).'
    )
  })

  test('removing a file conflicts with building on a symbol it alone defines', () => {
    const plan = valid(
      planWave(
        facts(
          [
            issue(1, 'Drop the legacy module', `Delete src/legacy.ts.${LONG}`),
            issue(2, 'Reuse the parser', `Use \`legacyParse\` in the importer.${LONG}`)
          ],
          {
            pathsAtBase: { 'src/legacy.ts': true },
            symbolDefinitions: { legacyParse: ['src/legacy.ts'] }
          }
        ),
        config()
      )
    )
    const overlap = plan.findings.find(f => f.kind === 'semantic-overlap')
    expect(overlap).toMatchObject({ issues: [1, 2], paths: ['src/legacy.ts'], needsDecision: true })
    expect(overlap?.evidence).toEqual([
      '#1 says "Delete" about `src/legacy.ts`.',
      '#2 says "Use" about `legacyParse`, defined in `src/legacy.ts`.'
    ])
    expect(plan.sequence.map(e => [e.before, e.after])).toEqual([['g2', 'g1']])
  })
})

describe('planWave: numbered paths', () => {
  test('an open pipeline PR that takes a number moves the next one on', () => {
    const plan = valid(
      planWave(
        facts([issue(7, 'Write an ADR on queues', `We decided on a queue.${LONG}`)], {
          inFlight: [
            {
              number: 40,
              headBranch: 'feat/6-adr-cache',
              closes: [6],
              changedPaths: ['docs/adr/0004-cache.md']
            }
          ],
          numberedPaths: [{ pattern: 'docs/adr/*.md', present: true, highest: 3, width: 4 }]
        }),
        config()
      )
    )
    expect(plan.groups[0]?.openQuestions).toEqual([
      {
        question: 'Which number does the new file under `docs/adr/*.md` take?',
        resolution: '0005 (the highest so far is 0004).'
      }
    ])
    expect(plan.findings).toMatchObject([
      {
        kind: 'shared-numbering',
        issues: [7],
        evidence: [
          '#7 speaks of "ADR" in its title, and the base keeps them in `docs/adr/*.md`.',
          'Open pipeline PR #40 (`feat/6-adr-cache`) adds `docs/adr/0004-cache.md`.',
          'The highest number under `docs/adr/*.md` at the base or in an open pipeline PR is 0004.'
        ]
      }
    ])
  })

  test('timestamped migrations get an order, not numbers', () => {
    const plan = valid(
      planWave(
        facts(
          [
            issue(1, 'Add a migration for carts', `A new migration.${LONG}`),
            issue(2, 'Add a migration for users', `Another migration.${LONG}`)
          ],
          {
            numberedPaths: [
              { pattern: 'db/migrate/*', present: true, highest: 20250131120000, width: 14 }
            ]
          }
        ),
        config({ numberedPaths: ['db/migrate/*'] })
      )
    )
    expect(plan.findings[0]?.proposal).toBe('Timestamp them in issue order: #1, then #2.')
    expect(plan.groups[1]?.openQuestions[0]?.resolution).toBe(
      'A timestamp later than the timestamp #1 uses; in this wave the files sort #1, then #2.'
    )
  })

  test('an issue editing an existing numbered file adds none', () => {
    const plan = valid(
      planWave(
        facts([issue(1, 'Fix the ADR on caching', `docs/adr/0003-cache.md is wrong.${LONG}`)], {
          pathsAtBase: { 'docs/adr/0003-cache.md': true },
          numberedPaths: [{ pattern: 'docs/adr/*.md', present: true, highest: 3, width: 4 }]
        }),
        config()
      )
    )
    expect(plan.groups[0]?.openQuestions).toEqual([])
  })
})

describe('planWave: pipeline branches without a pull request', () => {
  const batch = [
    issue(12, 'Fix the cart total', `The total in src/cart.ts is off by one.${LONG}`),
    issue(15, 'Round cart prices', `Prices in src/cart.ts should be rounded.${LONG}`),
    issue(17, 'Fix the login', `The form in src/login.ts loses the name.${LONG}`)
  ]
  const branchFacts = facts(batch, {
    pathsAtBase: { 'src/cart.ts': true, 'src/login.ts': true },
    inFlight: [{ number: 40, headBranch: 'fix/17-login', closes: [17], changedPaths: [] }],
    inFlightBranches: [
      { branch: 'fix/12-cart-total', issue: 12, changedPaths: ['src/cart.ts', 'test/cart.ts'] },
      { branch: 'fix/17-login-again', issue: 17, changedPaths: ['src/login.ts'] }
    ]
  })

  test("skip their issue as in flight, naming the branch; an open PR's issue names the PR", () => {
    const plan = valid(planWave(branchFacts, config()))
    expect(plan.skips).toEqual([
      {
        issue: 12,
        reason: 'in-flight',
        detail:
          "#12 already has a pipeline branch without an open pull request: `fix/12-cart-total`. Open a pull request from it with the pipeline's label, or delete it to plan #12 afresh."
      },
      {
        issue: 17,
        reason: 'in-flight',
        detail: '#17 already has an open pipeline pull request: PR #40 (`fix/17-login`).'
      }
    ])
    expect(plan.groups.map(group => group.issues)).toEqual([[15]])
  })

  test('an issue touching what such a branch changes needs a decision', () => {
    const plan = valid(planWave(branchFacts, config()))
    expect(plan.findings).toEqual([
      expect.objectContaining({
        kind: 'same-region',
        issues: [15],
        paths: ['src/cart.ts'],
        evidence: [
          '#15 names `src/cart.ts`.',
          'Pipeline branch `fix/12-cart-total` (no open pull request) changes `src/cart.ts`.'
        ],
        proposal:
          'Implement #15 after branch `fix/12-cart-total` is merged or deleted, or confirm to start now and let the merge step bring it up to date.',
        needsDecision: true
      })
    ])
    expect(plan.needsConfirmation).toBe(true)
  })

  test('without branches the same batch plans all three but the PR', () => {
    const plan = valid(planWave({ ...branchFacts, inFlightBranches: [] }, config()))
    expect(plan.groups.map(group => group.issues)).toEqual([[12], [15]])
    expect(plan.needsConfirmation).toBe(false)
  })
})

describe('planWave: umbrellas', () => {
  test('with no open sub-issue, the umbrella is skipped and nothing is proposed', () => {
    const plan = valid(
      planWave(
        facts(
          [
            issue(1, 'Epic', '- [x] #2\n- [ ] #3', { subIssues: [4] }),
            issue(3, 'Closed one', 'x', { state: 'closed' })
          ],
          { requested: [1] }
        ),
        config()
      )
    )
    expect(plan.skips).toEqual([
      {
        issue: 1,
        reason: 'umbrella',
        detail: '#1 tracks other issues, none of which can start now.'
      }
    ])
    expect(plan.findings[0]).toMatchObject({
      kind: 'umbrella',
      issues: [1],
      evidence: [
        '#1 has a task list of issues: #2 (checked), #3.',
        '#1 has sub-issues: #4.',
        'Blocked: #3 is closed; #4 is unknown.'
      ]
    })
  })
})

describe('planWave: determinism and scale', () => {
  test('the same facts in any order give the same plan id', () => {
    const one = sealPlan(planWave(overlapping, config()))
    const reversed = {
      ...overlapping,
      requested: [...overlapping.requested].reverse(),
      issues: [...overlapping.issues].reverse()
    }
    expect(sealPlan(planWave(reversed, config())).id).toBe(one.id)
  })

  test('plans 1,000 synthetic issues', () => {
    const files = Array.from({ length: 60 }, (_, i) => `src/module${i}.ts`)
    const issues = Array.from({ length: 1000 }, (_, i) => {
      const n = i + 1
      const verb = n % 7 === 0 ? 'Remove' : 'Extend'
      const adr = n % 97 === 0 ? ' Record it as an ADR.' : ''
      const body = `${verb} \`helper${n % 40}\` in ${files[n % files.length]}.${adr}${n % 3 === 0 ? '' : LONG}`
      return issue(n, n % 11 === 0 ? `Typo ${n}` : `Issue ${n}`, body)
    })
    const plan = planWave(
      facts(issues, {
        pathsAtBase: Object.fromEntries(files.map(file => [file, true])),
        symbolDefinitions: Object.fromEntries(
          Array.from({ length: 40 }, (_, i) => [`helper${i}`, [files[i % files.length] as string]])
        ),
        numberedPaths: [{ pattern: 'docs/adr/*.md', present: true, highest: 9, width: 4 }]
      }),
      config()
    )
    valid(plan)
    expect(plan.issues).toHaveLength(1000)
    expect(plan.groups.flatMap(g => g.issues)).toHaveLength(1000)
    expect(plan.findings.some(f => f.kind === 'semantic-overlap')).toBe(true)
    expect(plan.findings.some(f => f.kind === 'shared-numbering')).toBe(true)
  })
})

describe('the facts to gather', () => {
  test('planLookups lists paths, symbols with their grep patterns, and referenced issues', () => {
    const lookups = planLookups(
      [
        issue(1, 'Fix `parseConfig`', 'In src/config.ts.\n- [ ] #2\n- [ ] #3', { subIssues: [4] }),
        issue(3, 'x', '')
      ],
      'acme/shop',
      config()
    )
    expect(lookups.paths).toEqual(['src/config.ts'])
    expect(lookups.symbols.map(s => s.symbol)).toEqual(['parseConfig'])
    expect(lookups.symbols[0]?.pattern).toContain('parseConfig')
    expect(lookups.issues).toEqual([2, 4])
    expect(lookups.numberedPatterns).toEqual(config().numberedPaths)
  })

  test('numberedPathState finds the highest leading number and its width', () => {
    const files = ['docs/adr/0001-a.md', 'docs/adr/0012-b.md', 'docs/adr/README.md', 'docs/x.md']
    expect(numberedPathState('docs/adr/*.md', files)).toEqual({
      pattern: 'docs/adr/*.md',
      present: true,
      highest: 12,
      width: 4
    })
    expect(numberedPathState('migrations/*', files)).toEqual({
      pattern: 'migrations/*',
      present: false,
      highest: null,
      width: 4
    })
  })

  test('globs match within a segment with *, across segments with **', () => {
    expect(globToRegExp('docs/adr/*.md').test('docs/adr/0001-a.md')).toBe(true)
    expect(globToRegExp('docs/adr/*.md').test('docs/adr/old/0001-a.md')).toBe(false)
    expect(globToRegExp('db/**/*.sql').test('db/a/b/1.sql')).toBe(true)
    expect(globToRegExp('db/**/*.sql').test('db/1.sql')).toBe(true)
  })
})
