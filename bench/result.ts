/**
 * One benchmark's entry in `bench/results.json`: the figure's median, min and max over its runs,
 * the target it is held to, and whether the median meets it.
 */

export interface BenchResult {
  name: string
  unit: string
  median: number
  min: number
  max: number
  /** Every run's figure, in the order measured. */
  runs: number[]
  /** The target, e.g. `<= 15`. */
  target: string
  /** Whether the median meets the target. */
  holds: boolean
  /** How it was measured and the breakdown behind the figure. */
  detail: Record<string, unknown>
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values: a benchmark made no runs.')
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

/** Rounds to `digits` decimals (figures are reported, not computed with, after this). */
export function round(value: number, digits = 2): number {
  const scale = 10 ** digits
  return Math.round(value * scale) / scale
}

/** An entry whose figure must be at most `limit`. */
export function atMost(
  name: string,
  unit: string,
  runs: readonly number[],
  limit: number,
  detail: Record<string, unknown>,
  digits = 2
): BenchResult {
  const rounded = runs.map(value => round(value, digits))
  const mid = round(median(runs), digits)
  return {
    name,
    unit,
    median: mid,
    min: Math.min(...rounded),
    max: Math.max(...rounded),
    runs: rounded,
    target: `<= ${limit}`,
    holds: mid <= limit,
    detail
  }
}

/** An entry whose figure must be at least `limit`. */
export function atLeast(
  name: string,
  unit: string,
  runs: readonly number[],
  limit: number,
  detail: Record<string, unknown>,
  digits = 2
): BenchResult {
  const entry = atMost(name, unit, runs, limit, detail, digits)
  return { ...entry, target: `>= ${limit}`, holds: entry.median >= limit }
}
