/**
 * Putting text from outside (issue titles, branch names) into Markdown and mermaid without letting
 * it change the document: no table breaks, no links or HTML, no mentions, no broken fences.
 */

/** Characters that start Markdown constructs inline (code, emphasis, links, HTML, entities). */
const MARKDOWN_SPECIAL = /[\\`*_[\]<>~&!]/g

/**
 * Escapes untrusted text for inline Markdown: every character that could start code, emphasis,
 * a link, an image, HTML or an entity is backslash-escaped, line breaks become spaces, and
 * `@name` no longer mentions anyone (a zero-width space follows the `@`). Long text is cut.
 */
export function escapeMarkdown(text: string, maxLength = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  const cut = flat.length > maxLength ? `${flat.slice(0, maxLength - 1)}…` : flat
  return cut.replace(MARKDOWN_SPECIAL, '\\$&').replace(/@(?=\w)/g, '@\u200b')
}

/** Makes text one table cell: line breaks become spaces and every `|` is escaped. */
export function tableCell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|')
}

/** A Markdown table row from cells that are already Markdown. */
export function tableRow(cells: readonly string[]): string {
  return `| ${cells.map(tableCell).join(' | ')} |`
}

/**
 * Escapes untrusted text for a quoted mermaid label (`id["..."]`): characters that close the
 * label, start HTML or markup, or end the fenced block become mermaid's numeric entity codes
 * (`#35;`), and line breaks become spaces. Long text is cut.
 */
export function escapeMermaidLabel(text: string, maxLength = 60): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  const cut = flat.length > maxLength ? `${flat.slice(0, maxLength - 1)}…` : flat
  return cut.replace(/[#"'`<>&|[\]{}()\\;]/g, char => `#${char.charCodeAt(0)};`)
}

/** A mermaid node id for any id: letters, digits and underscores only. */
export function mermaidId(prefix: string, id: string): string {
  return `${prefix}${id.replace(/[^A-Za-z0-9]/g, '_')}`
}
