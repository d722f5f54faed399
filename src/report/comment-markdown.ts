/**
 * Markdown for the pipeline's PR comments and its wave report, on top of the shared escaping in
 * `markdown.ts`: text with line breaks kept, code spans that cannot be closed early, tables, safe
 * links, hidden comment markers (and finding the comment that carries one), and the figures shown
 * (counts, durations, short SHAs). Pure and deterministic: the same input renders the same text,
 * so an unchanged comment stays unchanged.
 *
 * Untrusted strings (titles, reviewer findings, logins, codex output) reach Markdown only through
 * {@link escapeText} or {@link codeSpan}; tables from {@link table} then escape every `|`.
 */
import { escapeMarkdown, tableRow } from './markdown.js'

/** Bidi controls and other invisible format characters that could make text read differently. */
const INVISIBLE = /[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/g

/** Control characters except the line feed (line breaks are handled on their own). */
const CONTROL = /(?!\n)\p{Cc}/gu

/** Options of {@link escapeText}. */
export interface EscapeOptions {
  /** Cut the text to this many characters (before escaping), ending with `…`. Default 300. */
  max?: number
  /** Keep line breaks as `<br>` instead of turning them into spaces. */
  breaks?: boolean
}

/**
 * Makes untrusted text safe inline in Markdown, table cells included (with {@link table}): the
 * shared `escapeMarkdown` (code, emphasis, links, HTML and entities backslash-escaped, mentions
 * defused), plus `$` (GitHub renders math between dollars), and with bidi controls, invisible and
 * control characters removed first. Line breaks become spaces, or `<br>` with `breaks`.
 */
export function escapeText(text: string, options: EscapeOptions = {}): string {
  const clean = cut(
    text.replace(/\r\n?/g, '\n').replace(INVISIBLE, '').replace(CONTROL, ' '),
    options.max ?? 300
  )
  const lines = options.breaks === true ? clean.split('\n') : [clean]
  const escaped = lines.map(line =>
    escapeMarkdown(line, Number.POSITIVE_INFINITY).replace(/\$/g, '\\$')
  )
  return options.breaks === true
    ? escaped.join('<br>').replace(/(?:<br>){3,}/g, '<br><br>')
    : escaped.join(' ')
}

/**
 * A code span holding `text` verbatim. The fence is one backtick longer than any backtick run
 * inside, so the text cannot close it; line breaks become spaces, invisible and control characters
 * are dropped. In a table (built with {@link table}) its `|` are escaped as GitHub requires.
 */
export function codeSpan(text: string, max = 300): string {
  const clean = cut(
    text
      .replace(/[\r\n\t]+/g, ' ')
      .replace(INVISIBLE, '')
      .replace(CONTROL, ' '),
    max
  )
  if (clean.trim() === '') return '` `'
  const longestRun = Math.max(0, ...(clean.match(/`+/g) ?? []).map(run => run.length))
  const fence = '`'.repeat(longestRun + 1)
  const pad = clean.startsWith('`') || clean.endsWith('`') || /^ .* $/.test(clean) ? ' ' : ''
  return `${fence}${pad}${clean}${pad}${fence}`
}

/**
 * A Markdown table. Cells are Markdown already rendered with {@link escapeText}, {@link codeSpan}
 * or {@link link}; every `|` in them is escaped and line breaks become spaces (the shared
 * `tableRow`), so no cell can add a column or a row.
 */
export function table(
  headers: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  align: ReadonlyArray<'left' | 'right'> = []
): string {
  const rule = `| ${headers.map((_, index) => (align[index] === 'right' ? '---:' : '---')).join(' | ')} |`
  return [tableRow(headers), rule, ...rows.map(row => tableRow(row))].join('\n')
}

/**
 * A link whose text is escaped and whose target must be an `http:` or `https:` URL; any other
 * target (a `javascript:` URL, a relative path, garbage, null) renders the text alone, unlinked.
 */
export function link(text: string, url: string | null | undefined): string {
  const label = escapeText(text)
  const target = safeUrl(url)
  return target === null ? label : `[${label}](${target})`
}

/** The URL as a link target when it is `http(s)`, with the characters that could end one encoded. */
export function safeUrl(url: string | null | undefined): string | null {
  if (url === null || url === undefined) return null
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return null
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null
  return parsed.href.replace(
    /[()<>| ]/g,
    character => `%${character.charCodeAt(0).toString(16).toUpperCase()}`
  )
}

/** The first 7 characters of a commit SHA, as git and GitHub abbreviate them. */
export function shortSha(sha: string): string {
  return sha.slice(0, 7)
}

/** A count with thousands separators (`12,345`), the same on every machine whatever its locale. */
export function formatCount(value: number): string {
  const sign = value < 0 ? '-' : ''
  return sign + String(Math.round(Math.abs(value))).replace(/\B(?=(\d{3})+$)/g, ',')
}

/** A duration for people: `850 ms`, `12 s`, `3 min 05 s`, `2 h 07 min`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  const seconds = Math.round(ms / 1000)
  if (seconds < 60) return `${seconds} s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes} min ${pad2(seconds % 60)} s`
  return `${Math.floor(minutes / 60)} h ${pad2(minutes % 60)} min`
}

/** Issue or PR numbers as GitHub references: `#12, #15`. */
export function refs(numbers: readonly number[]): string {
  return numbers.map(number => `#${number}`).join(', ')
}

/** The prefix of every hidden marker the pipeline writes into its comments. */
export const MARKER_PREFIX = '<!-- codex-waves:'

/**
 * A hidden HTML comment that identifies a comment the pipeline owns, e.g.
 * `<!-- codex-waves:review pr=41 head=0123… -->`. Kinds, keys and values are the pipeline's own
 * (names, numbers, SHAs): anything but letters, digits, `_`, `.`, `=` and single dashes is refused,
 * so a marker can never contain `--`.
 */
export function hiddenMarker(
  kind: string,
  fields: ReadonlyArray<readonly [key: string, value: string | number]> = []
): string {
  const parts = [kind, ...fields.map(([key, value]) => `${key}=${String(value)}`)]
  for (const part of parts) {
    if (!/^[\w.=]+(?:-[\w.=]+)*$/.test(part)) {
      throw new Error(
        `Marker part ${JSON.stringify(part)} is not allowed: use letters, digits, "_", ".", "=" and single dashes.`
      )
    }
  }
  return `${MARKER_PREFIX}${parts.join(' ')} -->`
}

/** An issue or PR comment as the REST API lists it (only the fields the pipeline reads). */
export interface ForgeComment {
  id: number
  body?: string | null
  /** Null when the author's account was deleted. */
  user: { login: string; type?: string } | null
}

/**
 * The pipeline's own comment whose body starts with `marker` (leading whitespace ignored), or null.
 * Only comments by `trustedAuthor` (the pipeline's login, exact match) count, so a comment that
 * copies the marker cannot take the pipeline's place. When several match, the oldest (lowest id)
 * is the one to update.
 */
export function findMarkedComment<C extends ForgeComment>(
  comments: readonly C[],
  trustedAuthor: string,
  marker: string
): C | null {
  const matches = comments
    .filter(comment => comment.user?.login === trustedAuthor)
    .filter(comment => (comment.body ?? '').trimStart().startsWith(marker))
    .sort((a, b) => a.id - b.id)
  return matches[0] ?? null
}

function cut(text: string, max: number): string {
  const characters = Array.from(text)
  if (characters.length <= max) return text
  return `${characters.slice(0, Math.max(0, max - 1)).join('')}…`
}

function pad2(value: number): string {
  return String(value).padStart(2, '0')
}
