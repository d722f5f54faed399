/**
 * A job's `strategy` (already evaluated) as GitHub expands it: the product of the matrix's
 * vectors, `exclude` removing combinations, `include` extending matching ones or adding new ones;
 * at most 256 jobs; `fail-fast` (default true) and `max-parallel`.
 */
import type { Value } from './expressions.js'

/** One combination of a matrix. */
export type MatrixLeg = Record<string, Value>

/** A job's expanded strategy. */
export interface Strategy {
  /** The combinations; a job without a matrix has one empty combination. */
  legs: MatrixLeg[]
  failFast: boolean
  maxParallel: number
}

/** GitHub's limit on the jobs one matrix may generate. */
export const MAX_MATRIX_JOBS = 256

function isRecord(value: Value | undefined): value is Record<string, Value> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function same(a: Value | undefined, b: Value | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

function product(vectors: Array<[string, Value[]]>): MatrixLeg[] {
  return vectors.reduce<MatrixLeg[]>(
    (legs, [key, values]) => legs.flatMap(leg => values.map(value => ({ ...leg, [key]: value }))),
    [{}]
  )
}

function matches(leg: MatrixLeg, filter: Record<string, Value>): boolean {
  return Object.entries(filter).every(([key, value]) => same(leg[key], value))
}

/** Applies `include` entries the way GitHub documents: extend every original leg that matches, else add. */
function applyIncludes(
  legs: MatrixLeg[],
  includes: Record<string, Value>[],
  original: Set<string>
) {
  for (const include of includes) {
    let extended = false
    for (const leg of legs) {
      const originals = Object.entries(include).filter(([key]) => original.has(key))
      if (originals.every(([key, value]) => same(leg[key], value))) {
        const additions = Object.entries(include).filter(([key]) => !original.has(key))
        // An addition may not overwrite a value an earlier include already added.
        if (additions.every(([key, value]) => leg[key] === undefined || same(leg[key], value))) {
          Object.assign(leg, Object.fromEntries(additions))
          extended = true
        }
      }
    }
    if (!extended) legs.push({ ...include })
  }
}

/** Expands an evaluated `strategy`; throws GitHub's error text when the matrix is unusable. */
export function expandStrategy(strategy: Value | null): Strategy {
  if (strategy === null) return { legs: [{}], failFast: true, maxParallel: Infinity }
  if (!isRecord(strategy))
    throw new Error(`'strategy' is ${JSON.stringify(strategy)}, not a mapping`)
  const failFast = strategy['fail-fast'] !== false
  const maxParallel =
    typeof strategy['max-parallel'] === 'number' ? strategy['max-parallel'] : Infinity
  const matrix = strategy.matrix
  if (matrix === undefined) return { legs: [{}], failFast, maxParallel }
  if (!isRecord(matrix))
    throw new Error(`'strategy.matrix' is ${JSON.stringify(matrix)}, not a mapping`)
  const vectors: Array<[string, Value[]]> = []
  for (const [key, value] of Object.entries(matrix)) {
    if (key === 'include' || key === 'exclude') continue
    if (!Array.isArray(value) || value.length === 0) {
      throw new Error(`Matrix vector '${key}' does not contain any values`)
    }
    vectors.push([key, value])
  }
  const list = (key: string) => {
    const value = matrix[key]
    if (value === undefined || value === null) return []
    if (!Array.isArray(value) || !value.every(isRecord)) {
      throw new Error(`Matrix '${key}' is ${JSON.stringify(value)}, not a list of mappings`)
    }
    return value as Record<string, Value>[]
  }
  const includes = list('include')
  let legs = vectors.length > 0 ? product(vectors) : []
  legs = legs.filter(leg => !list('exclude').some(filter => matches(leg, filter)))
  applyIncludes(legs, includes, new Set(vectors.map(([key]) => key)))
  if (legs.length === 0) throw new Error("Matrix vector 'include' does not contain any values")
  if (legs.length > MAX_MATRIX_JOBS) {
    throw new Error(
      `The matrix generates ${legs.length} jobs; GitHub allows at most ${MAX_MATRIX_JOBS}`
    )
  }
  return { legs, failFast, maxParallel }
}

/** The name GitHub shows for one leg: `job (a, b)`. */
export function legName(jobName: string, leg: MatrixLeg): string {
  const values = Object.values(leg).map(value =>
    typeof value === 'object' ? JSON.stringify(value) : String(value)
  )
  return values.length === 0 ? jobName : `${jobName} (${values.join(', ')})`
}
