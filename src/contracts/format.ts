/**
 * The wording of contract errors: paths, values and the generic "expected ..." phrases used when a
 * schema gives no message of its own.
 */
import { z } from 'zod'

/** Values longer than this (as JSON) are cut, so one huge input cannot flood a summary. */
const MAX_VALUE_LENGTH = 80

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/

/**
 * Renders an issue path: keys joined with dots, array indices in brackets, odd keys quoted:
 * `groups[0].issues[1]`, `branches.types["needs work"]`. The empty path is `(top level)`.
 */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)'
  let text = ''
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`
    else if (typeof key === 'string' && PLAIN_KEY.test(key)) text += text === '' ? key : `.${key}`
    else text += `[${JSON.stringify(String(key))}]`
  }
  return text
}

/** Renders a value as JSON (`"three"`, `null`, `[1,2]`), cut with `…` past a few dozen characters. */
export function renderValue(value: unknown): string {
  let text: string
  if (typeof value === 'number' && !Number.isFinite(value)) text = String(value)
  else if (typeof value === 'bigint') text = value.toString()
  else if (value === undefined) text = 'undefined'
  else {
    try {
      text = JSON.stringify(value) ?? String(value)
    } catch {
      text = String(value)
    }
  }
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 1)}…` : text
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  null: 'null',
  bigint: 'a whole number',
  date: 'a date'
}

/**
 * The per-parse error map: the generic wording for an issue whose schema gives no message of its
 * own. It says only what was expected; the value found is appended by the formatter.
 */
export function describeIssue(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${TYPE_WORDS[issue.expected] ?? issue.expected}`
    case 'invalid_value':
      return issue.values.length === 1
        ? `expected ${renderValue(issue.values[0])}`
        : `expected one of ${issue.values.map(value => renderValue(value)).join(', ')}`
    case 'too_small':
      return `expected ${sizeBound(issue.origin, 'at least', issue.minimum, issue.inclusive)}`
    case 'too_big':
      return `expected ${sizeBound(issue.origin, 'at most', issue.maximum, issue.inclusive)}`
    case 'invalid_format':
      return issue.format === 'regex'
        ? `expected a string matching ${issue.pattern ?? 'the required pattern'}`
        : `expected a valid ${issue.format}`
    case 'not_multiple_of':
      return `expected a multiple of ${String(issue.divisor)}`
    case 'invalid_union':
      return 'expected a value of one of the allowed forms'
    case 'invalid_key':
      return 'expected a valid key'
    case 'invalid_element':
      return 'expected valid elements'
    default:
      return 'is not valid'
  }
}

function sizeBound(
  origin: string,
  bound: 'at least' | 'at most',
  limit: number | bigint,
  inclusive: boolean | undefined
): string {
  const n = Number(limit)
  if (origin === 'string' && bound === 'at least' && n === 1) return 'a non-empty string'
  if (origin === 'string') return `a string of ${bound} ${n} characters`
  if (origin === 'array' || origin === 'set') return `${bound} ${n} item${n === 1 ? '' : 's'}`
  const sign =
    bound === 'at least' ? (inclusive === false ? '>' : '≥') : inclusive === false ? '<' : '≤'
  return `a number ${sign} ${n}`
}

/**
 * The known key closest to an unknown one, found by walking `schema` to the object at `objectPath`;
 * undefined when no key is close enough to be a likely typo.
 */
export function suggestKey(
  schema: z.ZodType,
  objectPath: readonly PropertyKey[],
  unknown: string
): string | undefined {
  const known = knownKeysAt(schema, objectPath)
  let best: { key: string; distance: number } | undefined
  for (const key of known) {
    const distance = editDistance(unknown.toLowerCase(), key.toLowerCase())
    if (best === undefined || distance < best.distance) best = { key, distance }
  }
  const allowed = Math.max(1, Math.floor(unknown.length / 3))
  return best !== undefined && best.distance <= allowed ? best.key : undefined
}

function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const node = unwrap(schema)
  if (path.length === 0) return node instanceof z.ZodObject ? Object.keys(node.shape) : []
  const [head, ...rest] = path
  if (node instanceof z.ZodObject && typeof head === 'string') {
    const child = (node.shape as Record<string, z.ZodType>)[head]
    return child === undefined ? [] : knownKeysAt(child, rest)
  }
  if (node instanceof z.ZodArray) return knownKeysAt(node.element as z.ZodType, rest)
  if (node instanceof z.ZodRecord) return knownKeysAt(node.valueType as z.ZodType, rest)
  if (node instanceof z.ZodUnion) {
    return (node.options as z.ZodType[]).flatMap(option => knownKeysAt(option, path))
  }
  return []
}

/** Looks through the wrappers that do not change an input's shape: defaults, optionals, pipes. */
function unwrap(schema: z.ZodType): z.ZodType {
  if (
    schema instanceof z.ZodDefault ||
    schema instanceof z.ZodPrefault ||
    schema instanceof z.ZodOptional ||
    schema instanceof z.ZodNullable ||
    schema instanceof z.ZodReadonly
  ) {
    return unwrap(schema.unwrap() as z.ZodType)
  }
  if (schema instanceof z.ZodPipe) return unwrap(schema.in as z.ZodType)
  return schema
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution))
    }
    previous = current
  }
  return previous[b.length] ?? 0
}
