import { z } from 'zod'
import {
  ImplementerResult,
  ReviewVerdict,
  implementerResultJsonSchema,
  reviewVerdictJsonSchema,
  toStrictJsonSchema,
  type JsonSchema
} from '../../src/contracts/index.js'

/** Keywords the model API accepts in a strict structured output schema. */
const STRICT_KEYWORDS = new Set([
  '$schema',
  '$defs',
  '$ref',
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'anyOf',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minItems',
  'maxItems',
  'description',
  'title'
])

interface Problem {
  at: string
  problem: string
}

/** Walks every subschema and lists each place that strict mode would refuse. */
function strictProblems(node: unknown, at = '#'): Problem[] {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) {
    return [{ at, problem: `subschema is not an object: ${JSON.stringify(node)}` }]
  }
  const schema = node as JsonSchema
  const problems: Problem[] = []
  for (const key of Object.keys(schema)) {
    if (!STRICT_KEYWORDS.has(key)) problems.push({ at, problem: `unsupported keyword "${key}"` })
  }
  const types = Array.isArray(schema.type) ? schema.type : [schema.type]
  if (types.includes('object') || 'properties' in schema) {
    const properties = (schema.properties ?? {}) as Record<string, unknown>
    if (schema.additionalProperties !== false) {
      problems.push({ at, problem: 'object without additionalProperties: false' })
    }
    const required = Array.isArray(schema.required) ? [...(schema.required as string[])].sort() : []
    const keys = Object.keys(properties).sort()
    if (JSON.stringify(required) !== JSON.stringify(keys)) {
      problems.push({
        at,
        problem: `required ${JSON.stringify(required)} ≠ properties ${JSON.stringify(keys)}`
      })
    }
    for (const [key, child] of Object.entries(properties)) {
      problems.push(...strictProblems(child, `${at}/properties/${key}`))
    }
  }
  if ('items' in schema) problems.push(...strictProblems(schema.items, `${at}/items`))
  for (const combinator of ['anyOf', 'oneOf', 'allOf'] as const) {
    const options = schema[combinator]
    if (Array.isArray(options)) {
      options.forEach((option, i) =>
        problems.push(...strictProblems(option, `${at}/${combinator}/${i}`))
      )
    }
  }
  const defs = (schema.$defs ?? {}) as Record<string, unknown>
  for (const [name, child] of Object.entries(defs)) {
    problems.push(...strictProblems(child, `${at}/$defs/${name}`))
  }
  return problems
}

function objectNodeCount(node: unknown): number {
  if (typeof node !== 'object' || node === null) return 0
  const own = (node as JsonSchema).type === 'object' ? 1 : 0
  return (
    own +
    Object.values(node as JsonSchema).reduce<number>(
      (sum, child) => sum + objectNodeCount(child),
      0
    )
  )
}

describe('strict JSON Schemas for codex --output-schema', () => {
  test.each([
    ['ReviewVerdict', reviewVerdictJsonSchema, 5],
    ['ImplementerResult', implementerResultJsonSchema, 1]
  ])('%s: every object is closed and requires every property', (_name, schema, objects) => {
    expect(strictProblems(schema)).toEqual([])
    // The root and (for the verdict) the finding object of each of the four lists were all visited.
    expect(objectNodeCount(schema)).toBe(objects)
  })

  test('the walk catches what strict mode refuses (so its silence above means something)', () => {
    const loose = toStrictJsonSchema(
      z.strictObject({
        inner: z.looseObject({ note: z.string().optional() }),
        name: z.string().min(1)
      })
    )
    expect(strictProblems(loose)).toEqual([
      { at: '#/properties/inner', problem: 'object without additionalProperties: false' },
      { at: '#/properties/inner', problem: 'required [] ≠ properties ["note"]' },
      { at: '#/properties/name', problem: 'unsupported keyword "minLength"' }
    ])
  })

  test('the verdict schema is generated from the zod contract, field for field', () => {
    const properties = reviewVerdictJsonSchema.properties as Record<string, JsonSchema>
    expect(Object.keys(properties)).toEqual(Object.keys(ReviewVerdict.shape))
    const finding = (properties.blocking!.items as JsonSchema).properties as Record<
      string,
      JsonSchema
    >
    expect(Object.keys(finding)).toEqual([
      'id',
      'title',
      'detail',
      'file',
      'line',
      'checklist_item'
    ])
    expect(finding.file).toEqual({ type: ['string', 'null'] })
    expect(finding.line!.anyOf).toContainEqual({ type: 'null' })
    expect(Object.keys(implementerResultJsonSchema.properties as object)).toEqual(
      Object.keys(ImplementerResult.shape)
    )
  })

  test('the schema is plain JSON that survives a round trip to the file codex reads', () => {
    expect(JSON.parse(JSON.stringify(reviewVerdictJsonSchema))).toEqual(reviewVerdictJsonSchema)
    expect(reviewVerdictJsonSchema.$schema).toBe('https://json-schema.org/draft/2020-12/schema')
  })
})
