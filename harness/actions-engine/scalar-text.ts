/**
 * The text of a workflow value that mixes text and `${{ }}`, as YAML decodes it. GitHub's parser
 * hands such a value on as one `format()` expression built from the raw source (block scalars keep
 * their indentation, quotes their escapes); the runner instead substitutes each `${{ }}` into the
 * decoded text. The decoded texts are read once per file with the `yaml` package and found again by
 * the position where each value starts.
 */
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token'
import { LineCounter, parseDocument, visit } from 'yaml'

const decoded = new WeakMap<TemplateToken, string>()

/** Every string value of a YAML text that holds `${{`, by `line:column` of its start. */
export function embeddedTexts(content: string): Map<string, string> {
  const lines = new LineCounter()
  const document = parseDocument(content, { lineCounter: lines })
  const texts = new Map<string, string>()
  visit(document, {
    Scalar(_, node) {
      if (typeof node.value !== 'string' || !node.value.includes('${{') || !node.range) return
      const start = lines.linePos(node.range[0])
      texts.set(`${start.line}:${start.col}`, node.value)
    }
  })
  return texts
}

/** Remembers the decoded text of an expression token built from a value with embedded `${{ }}`. */
export function rememberText(token: TemplateToken, texts: ReadonlyMap<string, string>): void {
  const start = token.range?.start
  const text = start === undefined ? undefined : texts.get(`${start.line}:${start.column}`)
  if (text !== undefined) decoded.set(token, text)
}

/** The decoded text of a token with embedded `${{ }}`, or undefined for any other token. */
export function textOf(token: TemplateToken): string | undefined {
  return decoded.get(token)
}

/** The parts of a text with embedded expressions: literal text and expressions, in order. */
export function splitEmbedded(text: string): Array<{ literal: string } | { expression: string }> {
  const parts: Array<{ literal: string } | { expression: string }> = []
  let rest = text
  for (let open = rest.indexOf('${{'); open >= 0; open = rest.indexOf('${{')) {
    const close = closingBraces(rest, open + 3)
    if (close < 0) break
    if (open > 0) parts.push({ literal: rest.slice(0, open) })
    parts.push({ expression: rest.slice(open + 3, close).trim() })
    rest = rest.slice(close + 2)
  }
  if (rest !== '') parts.push({ literal: rest })
  return parts
}

/** Where the `}}` closing an expression is, skipping string literals ('...', with '' inside). */
function closingBraces(text: string, from: number): number {
  let quoted = false
  for (let i = from; i < text.length - 1; i++) {
    if (text[i] === "'") quoted = !quoted
    else if (!quoted && text[i] === '}' && text[i + 1] === '}') return i
  }
  return -1
}
