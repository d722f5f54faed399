/**
 * JSON with object keys in sorted order, so equal data always gives equal text whatever order its
 * keys were built in: the input of content hashes such as the plan id.
 */

/**
 * Like `JSON.stringify(value)` (same handling of `undefined`, `toJSON` and non-finite numbers),
 * with every object's keys in one canonical order (sorted; integer-like keys come first, ascending,
 * as JavaScript always orders them). Array order is kept: it is meaningful.
 */
export function stableStringify(value: unknown): string {
  return (
    JSON.stringify(value, (_key, item: unknown) => (isPlainObject(item) ? sortKeys(item) : item)) ??
    'null'
  )
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  const prototype: unknown = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

function sortKeys(object: Record<string, unknown>): Record<string, unknown> {
  const sorted: Record<string, unknown> = {}
  for (const key of Object.keys(object).sort()) sorted[key] = object[key]
  return sorted
}
