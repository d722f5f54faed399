import type { Ledger } from '../../src/contracts/index.js'
import { createLedger, recordReview, recordUsage } from '../../src/ledger/index.js'
import {
  buildWaveReport,
  hasCodexTrailer,
  renderWaveReport,
  type WaveCommit,
  type WaveIssue,
  type WavePull
} from '../../src/report/wave-report.js'

const AT = '2025-01-31T12:00:00.000Z'
const sha = (c: string) => c.repeat(40)

const codexCommit = (c: string): WaveCommit => ({
  sha: sha(c),
  message: `fix: handle null titles\n\nBody.\n\nRefs: #12\nCodex-Thread: 0198-abc\nCodex-Waves-Run: https://github.com/o/r/actions/runs/1`,
  parents: 1
})

function ledgerFor(pr: number, issues: number[], head: string, approved = true): Ledger {
  let ledger = createLedger({
    pr,
    issues,
    planId: '0123456789ab',
    group: `g${issues[0]}`,
    branch: `fix/${issues[0]}-x`,
    at: AT
  })
  ledger = recordReview(ledger, {
    headSha: head,
    verdict: approved ? 'approved' : 'changes_requested',
    readOnly: 'passed',
    blocking: approved ? 0 : 1,
    carriedFrom: null,
    at: AT
  })
  ledger = recordUsage(
    ledger,
    'dispatch',
    { inputTokens: 1000 * pr, cachedInputTokens: 0, outputTokens: 100, durationMs: 60_000 },
    AT
  )
  return recordUsage(
    ledger,
    'review',
    { inputTokens: 500, cachedInputTokens: 100, outputTokens: 50, durationMs: 30_000 },
    AT
  )
}

function pull(number: number, issues: number[], fields: Partial<WavePull> = {}): WavePull {
  const head = fields.headSha ?? sha(String(number % 10))
  return {
    number,
    title: `PR ${number}`,
    url: `https://github.com/o/r/pull/${number}`,
    issues,
    state: 'merged',
    branch: `fix/${issues[0]}-x`,
    headSha: head,
    ledger: ledgerFor(number, issues, head),
    summaryComment: true,
    branchDeleted: true,
    commits: [codexCommit('c')],
    ...fields
  }
}

const issues: WaveIssue[] = [
  { number: 12, title: 'Null titles', skip: null },
  { number: 13, title: 'Trim names', skip: null },
  {
    number: 14,
    title: 'Umbrella',
    skip: { reason: 'umbrella', detail: 'has sub-issues #12, #13' }
  },
  { number: 15, title: 'Combined with 12', skip: null }
]

const green: WavePull[] = [
  pull(41, [12, 15]),
  pull(42, [13], { state: 'open', branchDeleted: false })
]

describe('buildWaveReport', () => {
  test('a wave that meets every criterion', () => {
    const report = buildWaveReport({ issues, pulls: green })
    expect(report.allPassed).toBe(true)
    expect(report.criteria.map(c => [c.id, c.passed, c.passing, c.checked])).toEqual([
      ['has-pr', true, 3, 3],
      ['approved', true, 1, 1],
      ['summary-comment', true, 2, 2],
      ['branch-deleted', true, 1, 1],
      ['codex-trailers', true, 2, 2]
    ])
    expect(report.issues.map(i => [i.number, i.pr, i.prState, i.skipped])).toEqual([
      [12, 41, 'merged', null],
      [13, 42, 'open', null],
      [14, null, null, 'umbrella: has sub-issues #12, #13'],
      [15, 41, 'merged', null]
    ])
    expect(report.issues[0]?.sharedWith).toEqual([15])
    expect(JSON.parse(JSON.stringify(report))).toEqual(report)
  })

  test('usage per issue (shared by a combined PR) and for the wave, each PR counted once', () => {
    const report = buildWaveReport({ issues, pulls: green })
    expect(report.issues[0]?.usage).toEqual({
      inputTokens: 41_500,
      cachedInputTokens: 100,
      outputTokens: 150,
      durationMs: 90_000
    })
    expect(report.issues[3]?.usage).toEqual(report.issues[0]?.usage)
    expect(report.usage.wave).toEqual({
      inputTokens: 41_500 + 42_500,
      cachedInputTokens: 200,
      outputTokens: 300,
      durationMs: 180_000
    })
  })

  test.each<[string, WavePull[], string, string | string[]]>([
    [
      'issues without a PR',
      [pull(42, [13], { state: 'open' })],
      'has-pr',
      ['#12 has no PR', '#15 has no PR']
    ],
    [
      'issues whose PR was closed unmerged',
      [pull(41, [12, 15], { state: 'closed' }), green[1] as WavePull],
      'has-pr',
      ['#12: its PR #41 was closed without merging', '#15: its PR #41 was closed without merging']
    ],
    [
      'an open PR whose head changed after approval',
      [
        green[0] as WavePull,
        pull(42, [13], { state: 'open', headSha: sha('9'), ledger: ledgerFor(42, [13], sha('2')) })
      ],
      'approved',
      'PR #42: head 9999999 has no review'
    ],
    [
      'an open PR with changes requested',
      [
        green[0] as WavePull,
        pull(42, [13], { state: 'open', ledger: ledgerFor(42, [13], sha('2'), false) })
      ],
      'approved',
      'PR #42: the review of 2222222 did not approve it'
    ],
    [
      'an open PR without a ledger',
      [green[0] as WavePull, pull(42, [13], { state: 'open', ledger: null })],
      'approved',
      'PR #42: no trusted ledger, so no approval'
    ],
    [
      'a PR without its summary comment',
      [pull(41, [12, 15], { summaryComment: false }), green[1] as WavePull],
      'summary-comment',
      'PR #41 has no summary comment by the pipeline'
    ],
    [
      'a merged branch left behind',
      [pull(41, [12, 15], { branchDeleted: false }), green[1] as WavePull],
      'branch-deleted',
      'PR #41: branch fix/12-x still exists'
    ],
    [
      'a commit without a codex trailer',
      [
        pull(41, [12, 15], {
          commits: [codexCommit('c'), { sha: sha('d'), message: 'quick fix by hand', parents: 1 }]
        }),
        green[1] as WavePull
      ],
      'codex-trailers',
      'PR #41: ddddddd without a codex trailer (code touched outside codex)'
    ]
  ])('%s fails its criterion', (_name, pulls, id, failure) => {
    const report = buildWaveReport({ issues, pulls })
    expect(report.allPassed).toBe(false)
    const failed = report.criteria.filter(c => !c.passed)
    expect(failed.map(c => [c.id, c.failures])).toEqual([
      [id, Array.isArray(failure) ? failure : [failure]]
    ])
  })

  test('merge commits (update-branch) are exempt from the trailer rule', () => {
    const merge = { sha: sha('e'), message: "Merge branch 'main' into fix/12-x", parents: 2 }
    const report = buildWaveReport({
      issues,
      pulls: [pull(41, [12, 15], { commits: [codexCommit('c'), merge] }), green[1] as WavePull]
    })
    expect(report.flaggedCommits).toEqual([])
    expect(report.allPassed).toBe(true)
  })
})

describe('hasCodexTrailer', () => {
  test.each<[string, boolean]>([
    ['fix: x\n\nCodex-Thread: 0198', true],
    ['fix: x\n\nbody\n\nRefs: #1\ncodex-waves-run: https://x', true],
    ['fix: x\r\n\r\nCodex-Thread: 0198\r\n', true],
    ['Codex-Thread: 0198', false],
    ['fix: x\n\nCodex-Thread: 0198\n\nsigned after the trailers', false],
    ['fix: x\n\nCodex-Thread:', false],
    ['fix: x\n\nX-Codex-Thread: 1', false]
  ])('%j → %s', (message, expected) => {
    expect(hasCodexTrailer(message)).toBe(expected)
  })
})

describe('renderWaveReport', () => {
  test('criteria, issues, flagged commits and usage as Markdown', () => {
    const pulls = [
      pull(41, [12, 15], {
        commits: [
          codexCommit('c'),
          { sha: sha('d'), message: 'hand edit @mallory | x', parents: 1 }
        ]
      }),
      green[1] as WavePull
    ]
    const markdown = renderWaveReport(buildWaveReport({ issues, pulls }))
    expect(markdown).toContain('## Wave report: 1 of 5 criteria not met')
    expect(markdown).toContain(
      '| Every commit on a pipeline branch carries a codex trailer | ❌ | 1 of 2 |'
    )
    expect(markdown).toContain(
      '| #12 | Null titles | [#41](https://github.com/o/r/pull/41) | merged | ✅ | — | ✅ | ✅ | ❌ | 41,500 / 150 (shared with #15) | 1 min 30 s |'
    )
    expect(markdown).toContain(
      '| #14 | Umbrella | — | skipped (umbrella: has sub-issues #12, #13) | — | — | — | — | — | 0 / 0 | 0 ms |'
    )
    expect(markdown).toContain(
      '| [#41](https://github.com/o/r/pull/41) | `ddddddd` | hand edit @\u200bmallory \\| x |'
    )
    expect(markdown).toContain('| **wave** | 84,000 | 200 | 300 | 3 min 00 s |')
    expect(
      renderWaveReport(
        buildWaveReport({ issues: [...issues].reverse(), pulls: [...pulls].reverse() })
      )
    ).toBe(markdown)
  })

  test('a green wave says so', () => {
    expect(renderWaveReport(buildWaveReport({ issues, pulls: green }))).toMatch(
      /^## Wave report: every criterion met\n/
    )
  })
})
