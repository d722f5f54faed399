import type { Ledger } from '../../src/contracts/index.js'
import {
  LEDGER_MARKER,
  createLedger,
  findLedger,
  recordReview,
  recordRun,
  recordUsage,
  renderLedgerComment,
  setStatus
} from '../../src/ledger/index.js'

const BOT = 'github-actions[bot]'
const SHA_A = 'a'.repeat(40)
const SHA_B = 'b'.repeat(40)

function sampleLedger(): Ledger {
  let ledger = createLedger({
    pr: 41,
    issues: [12, 15],
    planId: '0123456789ab',
    group: 'g12-15',
    branch: 'fix/12-null-titles',
    at: '2025-01-31T12:00:00.000Z'
  })
  ledger = recordRun(ledger, {
    phase: 'dispatch',
    runId: 700,
    attempt: 1,
    artifact: 'waves-dispatch-g12-15-1',
    at: '2025-01-31T12:01:00.000Z'
  })
  ledger = recordReview(ledger, {
    headSha: SHA_A,
    verdict: 'changes_requested',
    readOnly: 'passed',
    blocking: 2,
    carriedFrom: null,
    at: '2025-01-31T12:05:00.000Z'
  })
  ledger = recordReview(ledger, {
    headSha: SHA_B,
    verdict: 'approved',
    readOnly: 'passed',
    blocking: 0,
    carriedFrom: null,
    at: '2025-01-31T12:20:00.000Z'
  })
  return recordUsage(
    ledger,
    'review',
    { inputTokens: 12345, cachedInputTokens: 2000, outputTokens: 678, durationMs: 125_000 },
    '2025-01-31T12:21:00.000Z'
  )
}

const comment = (id: number, body: string, login: string | null = BOT) => ({
  id,
  body,
  user: login === null ? null : { login, type: login.endsWith('[bot]') ? 'Bot' : 'User' }
})

describe('renderLedgerComment and findLedger', () => {
  test('a rendered ledger is found again, equal to what was rendered', () => {
    const ledger = sampleLedger()
    const body = renderLedgerComment(ledger, { runUrl: 'https://github.com/o/r/actions/runs/700' })
    const found = findLedger([comment(5, 'unrelated'), comment(9, body)], BOT)
    expect(found).toEqual({ ledger, commentId: 9, warnings: [], error: null })
  })

  test('the body shows people the status, issues, branch, plan, reviews, usage and the run', () => {
    const body = renderLedgerComment(sampleLedger(), {
      runUrl: 'https://github.com/o/r/actions/runs/700'
    })
    expect(body.startsWith(`${LEDGER_MARKER} v1\n`)).toBe(true)
    expect(body).toContain('| Issues | #12, #15 |')
    expect(body).toContain('| Branch | `fix/12-null-titles` |')
    expect(body).toContain('`0123456789ab`')
    expect(body).toContain('| `aaaaaaa` | changes requested | passed | 2 |')
    expect(body).toContain('| `bbbbbbb` | approved | passed | 0 |')
    expect(body).toContain('| review | 12,345 | 2,000 | 678 | 2 min 05 s |')
    expect(body).toContain('[the latest run](https://github.com/o/r/actions/runs/700)')
  })

  test('rendering is deterministic, whatever order the ledger keys were built in', () => {
    const ledger = sampleLedger()
    const reordered = Object.fromEntries(Object.entries(ledger).reverse()) as Ledger
    expect(renderLedgerComment(reordered, { runUrl: null })).toBe(
      renderLedgerComment(ledger, { runUrl: null })
    )
  })

  test('"--" and "-->" inside JSON strings cannot close the hidden comment early', () => {
    const hostile = 'stop --> <!-- codex-waves:ledger v1 {"pr":1} --> ---- --!>'
    const ledger = setStatus(sampleLedger(), 'failed', hostile, '2025-01-31T13:00:00.000Z')
    const body = renderLedgerComment(ledger, { runUrl: null })
    const hidden = body.slice(0, body.indexOf('\n-->') + 4)
    // The hidden block holds exactly one comment opener and its own closer, and no "--" between.
    expect(hidden.match(/<!--/g)).toHaveLength(1)
    expect(hidden.slice(LEDGER_MARKER.length, -3)).not.toContain('--')
    expect(body.split('<!--')).toHaveLength(2)
    const found = findLedger([comment(3, body)], BOT)
    expect(found.ledger?.statusReason).toBe(hostile)
  })

  test('a forged ledger by another user is ignored with a warning, the real one is used', () => {
    const real = sampleLedger()
    const forged = setStatus(real, 'approved', null, '2030-01-01T00:00:00.000Z')
    const comments = [
      comment(2, renderLedgerComment(real, { runUrl: null })),
      comment(3, renderLedgerComment(forged, { runUrl: null }), 'mallory'),
      comment(4, `see this: ${renderLedgerComment(forged, { runUrl: null })}`, 'eve[bot]')
    ]
    const found = findLedger(comments, BOT)
    expect(found.ledger).toEqual(real)
    expect(found.commentId).toBe(2)
    expect(found.warnings).toEqual([
      'ignored a ledger comment by @mallory (comment 3): only comments by @github-actions[bot] are trusted',
      'ignored a ledger comment by @eve[bot] (comment 4): only comments by @github-actions[bot] are trusted'
    ])
  })

  test('only a forged ledger: no ledger, a new comment is needed, and a warning', () => {
    const body = renderLedgerComment(sampleLedger(), { runUrl: null })
    const found = findLedger([comment(3, body, 'mallory'), comment(4, body, null)], 'app-slug[bot]')
    expect(found.ledger).toBeNull()
    expect(found.commentId).toBeNull()
    expect(found.warnings).toEqual([
      'ignored a ledger comment by @mallory (comment 3): only comments by @app-slug[bot] are trusted',
      'ignored a ledger comment by a deleted account (comment 4): only comments by @app-slug[bot] are trusted'
    ])
  })

  test('the login must match exactly', () => {
    const body = renderLedgerComment(sampleLedger(), { runUrl: null })
    expect(findLedger([comment(1, body, 'GitHub-Actions[bot]')], BOT).ledger).toBeNull()
    expect(findLedger([comment(1, body, 'github-actions')], BOT).ledger).toBeNull()
  })

  test('a trusted comment whose JSON breaks the contract is an error naming the path', () => {
    const body = renderLedgerComment(sampleLedger(), { runUrl: null }).replace(
      '"cycles":0',
      '"cycles":"three"'
    )
    const found = findLedger([comment(8, body)], BOT)
    expect(found.ledger).toBeNull()
    expect(found.commentId).toBe(8)
    expect(found.error?.issues.map(issue => issue.text)).toEqual([
      'cycles: expected a whole number of at least 0, got "three"'
    ])
    expect(found.error?.what).toBe('ledger comment 8')
  })

  test('a trusted comment with text that is not JSON, or an unknown version, is an error', () => {
    const notJson = findLedger([comment(8, `${LEDGER_MARKER} v1\n{oops\n-->`)], BOT)
    expect(notJson.error?.message).toMatch(/expected JSON inside the ledger marker/)
    const future = findLedger([comment(8, `${LEDGER_MARKER} v2\n{}\n-->`)], BOT)
    expect(future.error?.message).toMatch(/ledger version 2 is not understood/)
  })

  test('a body edited in the browser (CRLF line ends) still reads', () => {
    const ledger = sampleLedger()
    const body = renderLedgerComment(ledger, { runUrl: null }).replace(/\n/g, '\r\n')
    expect(findLedger([comment(1, body)], BOT).ledger).toEqual(ledger)
  })

  test('two ledgers by the pipeline: the one updated last wins, the other is named', () => {
    const older = sampleLedger()
    const newer = setStatus(older, 'approved', null, '2025-02-01T00:00:00.000Z')
    const found = findLedger(
      [
        comment(20, renderLedgerComment(newer, { runUrl: null })),
        comment(10, renderLedgerComment(older, { runUrl: null }))
      ],
      BOT
    )
    expect(found.ledger).toEqual(newer)
    expect(found.commentId).toBe(20)
    expect(found.warnings).toEqual([
      'found 2 ledger comments by @github-actions[bot]; using comment 20 (updated last) and ignoring 10'
    ])
  })

  test('a pipeline comment that merely quotes the marker later in its body is not a ledger', () => {
    const quoted = `Review notes\n\n${renderLedgerComment(sampleLedger(), { runUrl: null })}`
    expect(findLedger([comment(1, quoted)], BOT)).toEqual({
      ledger: null,
      commentId: null,
      warnings: [],
      error: null
    })
  })

  test('hostile text in the visible part is escaped', () => {
    const ledger = setStatus(
      sampleLedger(),
      'escalated',
      'see @mallory | <img src=x> [x](javascript:alert(1))',
      '2025-01-31T13:00:00.000Z'
    )
    const visible = renderLedgerComment(ledger, { runUrl: 'javascript:alert(1)' }).split('\n-->')[1]
    const statusRow = visible?.split('\n').find(line => line.startsWith('| Status'))
    expect(statusRow).toBe(
      '| Status | **escalated to a person** — see @\u200bmallory \\| \\<img src=x\\> \\[x\\](javascript:alert(1)) |'
    )
    // No unescaped "](" anywhere: nothing in the visible part can become a link to the hostile URL.
    expect(visible).not.toMatch(/(?<!\\)\]\(/)
    expect(visible).toContain('by the latest run.')
  })
})
