/**
 * Cutting a unified diff to a character budget at file and hunk boundaries, with a note that says
 * exactly what was left out: a reviewer must never believe it saw a whole diff when it did not.
 */
import { inlineUntrusted } from './untrusted.js'

/** A file whose diff was kept in part: its header and the first `hunksKept` hunks. */
export interface PartialFile {
  file: string
  hunksKept: number
  hunksTotal: number
}

/** What {@link truncateToBudget} left out of a diff. */
export interface OmittedDiff {
  /** Files left out whole, in diff order. */
  files: string[]
  /** The file cut at a hunk boundary, if any. */
  partial: PartialFile | null
  /** Characters of the diff left out (0 when the diff is whole). */
  chars: number
}

/** A diff cut to a budget. */
export interface DiffCut {
  /** The kept part: whole files, and possibly one file cut after a hunk; at most the budget long. */
  text: string
  omitted: OmittedDiff
  /** One line for the reader: that the diff is complete, or exactly what was left out. */
  note: string
}

/** One file's part of a diff: the lines before its first hunk, then its hunks. */
interface FileDiff {
  name: string
  header: string
  hunks: string[]
  text: string
}

/** The text between successive matches of `pattern` (a line-start regex with the `gm` flags). */
function splitAtLines(text: string, pattern: RegExp): string[] {
  const starts = [...text.matchAll(pattern)].map(match => match.index)
  if (starts[0] !== 0) starts.unshift(0)
  return starts.map((start, i) => text.slice(start, starts[i + 1] ?? text.length))
}

const C_ESCAPES: Readonly<Record<string, number>> = {
  a: 7,
  b: 8,
  t: 9,
  n: 10,
  v: 11,
  f: 12,
  r: 13,
  '"': 34,
  '\\': 92
}

/** Reads a path git quoted C-style (`"na\\303\\257ve \\"x\\".txt"`): escapes are bytes of UTF-8. */
function unquoteGitPath(quoted: string): string {
  const inner = quoted.slice(1, -1)
  const encoder = new TextEncoder()
  const bytes: number[] = []
  let plainFrom = 0
  for (const escape of inner.matchAll(/\\([0-7]{3}|.)/gs)) {
    const code = escape[1] ?? ''
    bytes.push(...encoder.encode(inner.slice(plainFrom, escape.index)))
    bytes.push(/^[0-7]{3}$/.test(code) ? Number.parseInt(code, 8) : (C_ESCAPES[code] ?? 0x3f))
    plainFrom = escape.index + escape[0].length
  }
  bytes.push(...encoder.encode(inner.slice(plainFrom)))
  return new TextDecoder().decode(new Uint8Array(bytes))
}

/** A path as a diff header writes it, without git's quoting and the `a/` or `b/` prefix. */
function headerPath(raw: string): string {
  const path =
    raw.length > 1 && raw.startsWith('"') && raw.endsWith('"') ? unquoteGitPath(raw) : raw
  return path.replace(/^[ab]\//, '')
}

/**
 * The file a diff part is about: the `+++` path (the `---` one for a deletion), else the target of
 * a rename or copy, else the `diff --git a/x b/x` line read as two equal halves.
 */
function fileName(header: string): string | null {
  const lines = header.split('\n')
  for (const marker of ['+++ ', '--- ', 'rename to ', 'copy to ']) {
    const line = lines.find(candidate => candidate.startsWith(marker))
    const path = line?.slice(marker.length).replace(/\t.*$/, '')
    if (path !== undefined && path !== '/dev/null') return headerPath(path)
  }
  const paths = lines[0]?.startsWith('diff --git ') ? lines[0].slice('diff --git '.length) : ''
  const half = (paths.length - 1) / 2
  if (Number.isInteger(half) && paths[half] === ' ') return headerPath(paths.slice(half + 1))
  return null
}

/** Splits a diff into its files (text before the first `diff --git` line is a part of its own). */
function splitFiles(diff: string): FileDiff[] {
  if (diff === '') return []
  return splitAtLines(diff, /^diff --git /gm).map((text, index) => {
    const [header = '', ...hunks] = splitAtLines(text, /^@@ /gm)
    const startsWithHunk = text.startsWith('@@ ')
    const name =
      fileName(startsWithHunk ? '' : header) ??
      (index === 0 && !text.startsWith('diff --git ') ? '(text before the first file)' : '(a file)')
    return startsWithHunk
      ? { name, header: '', hunks: [header, ...hunks], text }
      : { name, header, hunks, text }
  })
}

/** The longest prefix of a file's hunks that fits in `room`, with its header; null if none does. */
function cutAtHunk(file: FileDiff, room: number): { text: string; hunksKept: number } | null {
  let text = file.header
  let hunksKept = 0
  for (const hunk of file.hunks) {
    if (text.length + hunk.length > room) break
    text += hunk
    hunksKept += 1
  }
  return hunksKept === 0 ? null : { text, hunksKept }
}

const count = (n: number) => n.toLocaleString('en-US')

/** The note line for a cut (or uncut) diff. Paths come from the diff, so they render inline-safe. */
function describeCut(budgetChars: number, total: number, omitted: OmittedDiff): string {
  if (omitted.chars === 0) return `The diff is complete (${count(total)} characters).`
  const parts = [
    `The diff was cut to fit ${count(budgetChars)} characters: ` +
      `${count(omitted.chars)} of its ${count(total)} characters were left out.`
  ]
  if (omitted.files.length > 0) {
    const names = omitted.files.map(inlineUntrusted).join(', ')
    const files = omitted.files.length === 1 ? '1 file' : `${count(omitted.files.length)} files`
    parts.push(`Left out whole (${files}): ${names}.`)
  }
  if (omitted.partial !== null) {
    const { file, hunksKept, hunksTotal } = omitted.partial
    parts.push(`Cut after hunk ${hunksKept} of ${hunksTotal}: ${inlineUntrusted(file)}.`)
  }
  return parts.join(' ')
}

/**
 * Cuts a unified diff (as `git diff` writes it) to at most `budgetChars` characters (UTF-16 code
 * units, as `String.length` counts them). Whole files are kept first, in diff order, skipping any
 * that do not fit; then the first skipped file is kept in part, cut at a hunk boundary, when its
 * header and at least one hunk fit. The result says what was left out, and its note says it in
 * words. A diff within the budget comes back unchanged.
 */
export function truncateToBudget(diff: string, budgetChars: number): DiffCut {
  if (!Number.isInteger(budgetChars) || budgetChars < 0) {
    throw new RangeError(
      `Diff budget: expected a whole number of characters (0 or more), got ${String(budgetChars)}. ` +
        'Pass the configured review.diff-budget.'
    )
  }
  if (diff.length <= budgetChars) {
    const omitted: OmittedDiff = { files: [], partial: null, chars: 0 }
    return { text: diff, omitted, note: describeCut(budgetChars, diff.length, omitted) }
  }
  const files = splitFiles(diff)
  const kept: (string | null)[] = files.map(() => null)
  let used = 0
  files.forEach((file, index) => {
    if (used + file.text.length > budgetChars) return
    kept[index] = file.text
    used += file.text.length
  })
  let partial: PartialFile | null = null
  const firstSkipped = kept.indexOf(null)
  const skippedFile = files[firstSkipped]
  const cut = skippedFile === undefined ? null : cutAtHunk(skippedFile, budgetChars - used)
  if (skippedFile !== undefined && cut !== null) {
    kept[firstSkipped] = cut.text
    partial = {
      file: skippedFile.name,
      hunksKept: cut.hunksKept,
      hunksTotal: skippedFile.hunks.length
    }
  }
  const text = kept.filter(part => part !== null).join('')
  const omitted: OmittedDiff = {
    files: files.filter((_, index) => kept[index] === null).map(file => file.name),
    partial,
    chars: diff.length - text.length
  }
  return { text, omitted, note: describeCut(budgetChars, diff.length, omitted) }
}
