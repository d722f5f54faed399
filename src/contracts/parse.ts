/**
 * Parsing against a contract with errors a maintainer can act on: every issue names the path, what
 * was expected and the value that was found, e.g.
 * `review.max-cycles: expected a whole number from 1 to 10, got "three"`.
 */
import type { z } from 'zod'
import { describeIssue, formatPath, renderValue, suggestKey } from './format.js'

/** One problem found in an input: where it is and the full line that explains it. */
export interface ContractIssue {
  /** The path in the style of the messages (`groups[0].issues[1]`), or `(top level)`. */
  path: string
  /** The whole line, path included: `review.max-cycles: expected ..., got "three"`. */
  text: string
}

/** An input that did not satisfy its contract; `issues` lists every problem, not just the first. */
export class ContractError extends Error {
  override readonly name = 'ContractError'

  /**
   * @param what names the input for people, e.g. `.github/codex-waves.yml` or `review verdict`.
   * @param issues every problem found, in the order they were found.
   */
  constructor(
    readonly what: string,
    readonly issues: readonly ContractIssue[]
  ) {
    super(`${what} is not valid:\n${issues.map(issue => `- ${issue.text}`).join('\n')}`)
  }
}

/** The outcome of a parse: the typed value, or an error that lists every problem. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: ContractError }

/**
 * Validates `value` against `schema` and returns the parsed value (defaults applied) or a
 * {@link ContractError} whose lines name each path and value. Never throws for bad input.
 * @param what names the input in the error, e.g. `review verdict`.
 */
export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string
): ParseResult<z.output<S>> {
  const result = schema.safeParse(value, { reportInput: true, error: describeIssue })
  if (result.success) return { ok: true, value: result.data }
  return {
    ok: false,
    error: new ContractError(
      what,
      result.error.issues.flatMap(issue => issueLines(schema, issue))
    )
  }
}

/**
 * Parses JSON text (a codex final message, an artifact file, an output) and validates it against
 * `schema`. Text that is not JSON gets an error saying so, with the parser's reason.
 */
export function parseJsonWith<S extends z.ZodType>(
  schema: S,
  text: string,
  what: string
): ParseResult<z.output<S>> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    const path = formatPath([])
    const issue = {
      path,
      text: `${path}: expected JSON text, got ${renderValue(text)} (${reason})`
    }
    return { ok: false, error: new ContractError(what, [issue]) }
  }
  return parseWith(schema, value, what)
}

/** Unwraps a parse result: the value, or the {@link ContractError} thrown. */
export function valueOrThrow<T>(result: ParseResult<T>): T {
  if (result.ok) return result.value
  throw result.error
}

function issueLines(schema: z.ZodType, issue: z.core.$ZodIssue): ContractIssue[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map(key => {
      const path = formatPath([...issue.path, key])
      const suggestion = suggestKey(schema, issue.path, key)
      const hint = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`
      return { path, text: `${path}: unknown key${hint}` }
    })
  }
  const path = formatPath(issue.path)
  if (issue.code === 'custom') return [{ path, text: `${path}: ${issue.message}` }]
  const found =
    issue.input === undefined ? ', but it is missing' : `, got ${renderValue(issue.input)}`
  return [{ path, text: `${path}: ${issue.message}${found}` }]
}
