/**
 * JSON Schemas for `codex exec --output-schema`, generated from the zod contracts so the schema the
 * model is held to and the one its answer is validated with cannot drift apart.
 */
import { z } from 'zod'

/** A JSON Schema document as plain JSON data. */
export type JsonSchema = Record<string, unknown>

/**
 * Converts a zod schema to JSON Schema (draft 2020-12) for a strict structured output.
 *
 * `z.toJSONSchema` already emits what strict mode requires when the contract is built from
 * `z.strictObject` with nullable (never optional) fields: `additionalProperties: false` and every
 * property in `required`; nullable fields come out as `type: [T, "null"]` or
 * `anyOf: [T, {type: "null"}]`, both accepted. The root `$schema` key is accepted too, so the output
 * is used as is. Refinements (such as unique finding ids) do not appear in JSON Schema; they are
 * enforced when the answer is parsed.
 */
export function toStrictJsonSchema(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'output',
    unrepresentable: 'throw'
  }) as JsonSchema
}
