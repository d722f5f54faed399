/**
 * `ImplementerResult`: the JSON the implementer codex run ends with. Like the review verdict, its
 * strict JSON Schema goes to `codex exec --output-schema`.
 */
import { z } from 'zod'
import { nonBlank } from './common.js'
import { parseJsonWith, parseWith, type ParseResult } from './parse.js'
import { toStrictJsonSchema, type JsonSchema } from './strict-json-schema.js'

const lines = (error: string) => z.array(nonBlank(), { error })

/** What the implementer reports when it stops. */
export const ImplementerResult = z.strictObject({
  /** `done`: the change is made; `blocked`: it could not be, and `open_questions` says why. */
  status: z.enum(['done', 'blocked'], { error: 'expected "done" or "blocked"' }),
  /** A conventional commit title, e.g. `fix(parser): accept empty titles`. */
  commit_title: nonBlank(),
  commit_body: z.string({ error: 'expected a string (may be empty)' }),
  /** The pull request description's summary of the change. */
  pr_summary: nonBlank(),
  /** The test commands run and how they ended, one per entry. */
  tests_run: lines('expected a list of test commands'),
  /** What the implementer had to decide without an answer, or what blocked it. */
  open_questions: lines('expected a list of questions')
})
/** @see ImplementerResult */
export type ImplementerResult = z.output<typeof ImplementerResult>

/** The strict JSON Schema of {@link ImplementerResult}, for `codex exec --output-schema`. */
export const implementerResultJsonSchema: JsonSchema = toStrictJsonSchema(ImplementerResult)

/** Validates an implementer result already parsed from JSON. */
export function parseImplementerResult(
  value: unknown,
  what = 'implementer result'
): ParseResult<ImplementerResult> {
  return parseWith(ImplementerResult, value, what)
}

/** Validates the implementer's final message (JSON text). */
export function parseImplementerResultJson(
  text: string,
  what = 'implementer result'
): ParseResult<ImplementerResult> {
  return parseJsonWith(ImplementerResult, text, what)
}
