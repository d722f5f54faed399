/**
 * A small reader of the markdown the prompts are made of, for assertions: which lines are inside a
 * backtick fence, which `##` headings are outside every fence, and what each section holds.
 */

/** A fenced block: its fence, its content (with the final newline), and the line before it. */
export interface FencedBlock {
  fence: string
  content: string
  lineBefore: string
}

/** A line outside every fence, with its index in the text's lines. */
interface OutsideLine {
  index: number
  text: string
}

/** Splits markdown into fenced blocks and the lines outside any fence (fence lines excluded). */
export function parseFences(markdown: string): { blocks: FencedBlock[]; outside: OutsideLine[] } {
  const blocks: FencedBlock[] = []
  const outside: OutsideLine[] = []
  let open: { fence: string; lines: string[]; lineBefore: string } | null = null
  markdown.split('\n').forEach((line, index) => {
    if (open === null) {
      const opening = /^(`{3,})[^`]*$/.exec(line)
      if (opening?.[1] === undefined) outside.push({ index, text: line })
      else open = { fence: opening[1], lines: [], lineBefore: outside.at(-1)?.text ?? '' }
      return
    }
    const closing = /^(`{3,})\s*$/.exec(line)
    if (closing?.[1] !== undefined && closing[1].length >= open.fence.length) {
      const content = open.lines.map(text => `${text}\n`).join('')
      blocks.push({ fence: open.fence, content, lineBefore: open.lineBefore })
      open = null
    } else open.lines.push(line)
  })
  if (open !== null) throw new Error('unclosed fence')
  return { blocks, outside }
}

/** The text outside every fence. */
export function outsideFences(markdown: string): string {
  return parseFences(markdown)
    .outside.map(line => line.text)
    .join('\n')
}

/** The `##` headings outside every fence, without the `## ` marker, in order. */
export function topLevelHeadings(markdown: string): string[] {
  return parseFences(markdown)
    .outside.filter(line => line.text.startsWith('## '))
    .map(line => line.text.slice(3))
}

/** The text of the top-level `## title` section, up to the next top-level `##` heading. */
export function section(markdown: string, title: string): string {
  const headings = parseFences(markdown).outside.filter(line => line.text.startsWith('## '))
  const at = headings.findIndex(line => line.text === `## ${title}`)
  const start = headings[at]
  if (start === undefined) throw new Error(`no section "## ${title}"`)
  const lines = markdown.split('\n')
  return lines.slice(start.index + 1, headings[at + 1]?.index ?? lines.length).join('\n')
}

/** The text between two lines (exclusive), e.g. `### In scope` and `### Out of scope`. */
export function between(text: string, startLine: string, endLine: string | null): string {
  const lines = text.split('\n')
  const start = lines.indexOf(startLine)
  const end = endLine === null ? lines.length : lines.indexOf(endLine)
  if (start === -1 || end === -1 || end < start) {
    throw new Error(`no "${startLine}" … "${endLine ?? '(end)'}" in the text`)
  }
  return lines.slice(start + 1, end).join('\n')
}

/** The longest run of backticks in `text`. */
export function longestBacktickRun(text: string): number {
  let longest = 0
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length)
  return longest
}

/** Counts the occurrences of `needle` in `haystack`. */
export function occurrences(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1
}
