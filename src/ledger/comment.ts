/**
 * The ledger's home: one status comment on the PR, readable by people, with the ledger's JSON in a
 * hidden HTML comment that only the pipeline's own identity is trusted to have written.
 */
import {
  ContractError,
  NO_USAGE,
  addUsage,
  parseLedger,
  stableStringify,
  type CodexUsageRecord,
  type Ledger,
  type LedgerReview,
  type ParseResult
} from '../contracts/index.js'
import {
  codeSpan,
  escapeText,
  formatCount,
  formatDuration,
  link,
  refs,
  shortSha,
  table,
  type ForgeComment
} from '../report/comment-markdown.js'

/** How every ledger comment starts; the version follows on the same line. */
export const LEDGER_MARKER = '<!-- codex-waves:ledger'

const LEDGER_VERSION = 1

/** Matches the marker at the start of a body: the version, then the JSON up to the closing `-->`. */
const LEDGER_BLOCK = /^<!-- codex-waves:ledger v(\d+)[ \t]*\r?\n([\s\S]*?)\r?\n?-->/

const STATUS_TEXT: Record<Ledger['status'], string> = {
  implementing: 'implementing',
  'in-review': 'in review',
  'changes-requested': 'changes requested',
  approved: 'approved',
  escalated: 'escalated to a person',
  merged: 'merged',
  closed: 'closed',
  failed: 'failed'
}

/** Options of {@link renderLedgerComment}. */
export interface LedgerCommentOptions {
  /** The run that wrote this version of the ledger (linked as the latest run); null outside Actions. */
  runUrl: string | null
}

/**
 * The body of the PR's status comment: the ledger JSON in a hidden marker first (so the comment is
 * found by how it starts), then the status, issues, branch, plan id, reviews, cycles and codex usage
 * for people, and a link to the latest run. In the JSON every `--` is written `-\u002d` (the same
 * string to a JSON parser), so no value can close the HTML comment early.
 */
export function renderLedgerComment(ledger: Ledger, options: LedgerCommentOptions): string {
  const json = stableStringify(ledger).replace(/--/g, '-\\u002d')
  const reason = ledger.statusReason === null ? '' : ` — ${escapeText(ledger.statusReason)}`
  const facts = table(
    ['', ''],
    [
      ['Status', `**${STATUS_TEXT[ledger.status]}**${reason}`],
      ['Issues', refs(ledger.issues)],
      ['Branch', codeSpan(ledger.branch)],
      ['Plan', `${codeSpan(ledger.planId)} (group ${codeSpan(ledger.group)})`],
      ['Correction cycles', String(ledger.cycles)],
      ['Malformed reviewer outputs', String(ledger.malformed)],
      [
        'Read-only violations',
        `${ledger.boundaryViolations.total} (${ledger.boundaryViolations.consecutive} in a row)`
      ]
    ]
  )
  const latest = link('the latest run', options.runUrl)
  return [
    `${LEDGER_MARKER} v${LEDGER_VERSION}`,
    json,
    '-->',
    `### codex-waves · PR #${ledger.pr} · ${STATUS_TEXT[ledger.status]}`,
    '',
    facts,
    '',
    '#### Reviews',
    '',
    reviewsTable(ledger.reviews),
    '',
    '#### Codex usage',
    '',
    usageTable(ledger),
    '',
    `Updated ${ledger.updatedAt} by ${latest}.`,
    ''
  ].join('\n')
}

function reviewsTable(reviews: readonly LedgerReview[]): string {
  if (reviews.length === 0) return 'No review yet.'
  const rows = reviews.map(review => [
    codeSpan(shortSha(review.headSha)),
    review.verdict === null
      ? 'none (discarded)'
      : review.carriedFrom === null
        ? review.verdict.replace('_', ' ')
        : `approved (carried from ${codeSpan(shortSha(review.carriedFrom))}, same patch)`,
    review.readOnly,
    String(review.blocking),
    review.at
  ])
  return table(['Head', 'Verdict', 'Read-only check', 'Blocking', 'At'], rows, [
    'left',
    'left',
    'left',
    'right'
  ])
}

function usageTable(ledger: Ledger): string {
  const phases = ['dispatch', 'review', 'correct'] as const
  const row = (name: string, usage: CodexUsageRecord) => [
    name,
    formatCount(usage.inputTokens),
    formatCount(usage.cachedInputTokens),
    formatCount(usage.outputTokens),
    formatDuration(usage.durationMs)
  ]
  const total = phases.reduce<CodexUsageRecord>(
    (sum, phase) => addUsage(sum, ledger.usage[phase]),
    NO_USAGE
  )
  return table(
    ['Phase', 'Input tokens', 'Cached input', 'Output tokens', 'Codex time'],
    [...phases.map(phase => row(phase, ledger.usage[phase])), row('**total**', total)],
    ['left', 'right', 'right', 'right', 'right']
  )
}

/** What {@link findLedger} found among a PR's comments. */
export interface FoundLedger {
  /** The trusted ledger, or null when there is none (or it did not parse: see `error`). */
  ledger: Ledger | null
  /** The trusted ledger comment to update, or null when a new one must be created. */
  commentId: number | null
  /** Comments that were ignored and why: ledger-looking comments by anyone else, duplicates. */
  warnings: string[]
  /** Why the trusted ledger comment could not be read; null when it was read or there is none. */
  error: ContractError | null
}

/**
 * Finds the PR's ledger among its comments. Only a comment whose author's login is exactly
 * `trustedAuthor` (the pipeline's identity, e.g. `github-actions[bot]` or an App's `<slug>[bot]`)
 * and whose body starts with the ledger marker is read; every other comment that carries the marker
 * is ignored with a warning. The JSON is validated against the `Ledger` contract; a trusted comment
 * that fails it is returned as `error`, with its id so the phase can say which comment to repair.
 * When the pipeline left more than one ledger comment, the one updated last wins and the others
 * are named in a warning.
 */
export function findLedger(comments: readonly ForgeComment[], trustedAuthor: string): FoundLedger {
  const warnings: string[] = []
  const trusted: Array<{ id: number; result: ParseResult<Ledger> }> = []
  for (const comment of comments) {
    const body = comment.body ?? ''
    if (!body.includes(LEDGER_MARKER)) continue
    const author = comment.user?.login
    if (author !== trustedAuthor) {
      const who = author === undefined ? 'a deleted account' : `@${author}`
      warnings.push(
        `ignored a ledger comment by ${who} (comment ${comment.id}): only comments by @${trustedAuthor} are trusted`
      )
      continue
    }
    const trimmed = body.trimStart()
    if (trimmed.startsWith(LEDGER_MARKER)) {
      trusted.push({ id: comment.id, result: readLedgerBody(trimmed, comment.id) })
    }
  }
  if (trusted.length === 0) return { ledger: null, commentId: null, warnings, error: null }

  const valid = trusted.flatMap(({ id, result }) =>
    result.ok ? [{ id, ledger: result.value }] : []
  )
  if (valid.length === 0) {
    const first = trusted.sort((a, b) => a.id - b.id)[0] as (typeof trusted)[number]
    const error = first.result.ok ? null : first.result.error
    return { ledger: null, commentId: first.id, warnings, error }
  }
  valid.sort((a, b) =>
    a.ledger.updatedAt === b.ledger.updatedAt
      ? a.id - b.id
      : a.ledger.updatedAt < b.ledger.updatedAt
        ? 1
        : -1
  )
  const chosen = valid[0] as (typeof valid)[number]
  const others = trusted.filter(({ id }) => id !== chosen.id).map(({ id }) => id)
  if (others.length > 0) {
    warnings.push(
      `found ${trusted.length} ledger comments by @${trustedAuthor}; using comment ${chosen.id} (updated last) and ignoring ${others.join(', ')}`
    )
  }
  return { ledger: chosen.ledger, commentId: chosen.id, warnings, error: null }
}

function readLedgerBody(body: string, commentId: number): ParseResult<Ledger> {
  const what = `ledger comment ${commentId}`
  const fail = (text: string): ParseResult<Ledger> => ({
    ok: false,
    error: new ContractError(what, [{ path: '(top level)', text }])
  })
  const match = LEDGER_BLOCK.exec(body)
  if (match === null) {
    return fail(
      `(top level): expected "${LEDGER_MARKER} v1", a line of JSON and "-->"; delete the comment to let the pipeline write a new ledger`
    )
  }
  const version = Number(match[1])
  if (version !== LEDGER_VERSION) {
    return fail(
      `(top level): ledger version ${version} is not understood by this pipeline (it reads version ${LEDGER_VERSION}); use the pipeline version that wrote it`
    )
  }
  let value: unknown
  try {
    value = JSON.parse(match[2] ?? '')
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    return fail(`(top level): expected JSON inside the ledger marker (${reason})`)
  }
  return parseLedger(value, what)
}
