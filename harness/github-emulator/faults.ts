/**
 * Fault injection per route: server errors, secondary rate limits and latency, each firing a
 * fixed number of times or with a probability drawn from a seeded generator, so a failing run
 * can be replayed exactly.
 */
import type { FaultRule } from './types.js'

/** A small deterministic generator (mulberry32): the same seed gives the same draws. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const KINDS = new Set(['error', 'secondary-rate-limit', 'latency'])

/** Checks a rule received from outside the process; throws naming the bad field. */
export function validateFaultRule(input: unknown): FaultRule {
  if (typeof input !== 'object' || input === null) {
    throw new Error(
      `Fault rule: expected an object like {"kind":"error","status":500}, got ${JSON.stringify(input)}`
    )
  }
  const rule = input as Record<string, unknown>
  if (!KINDS.has(rule.kind as string)) {
    throw new Error(
      `Fault rule kind: expected error, secondary-rate-limit or latency, got ${JSON.stringify(rule.kind)}`
    )
  }
  for (const key of ['status', 'retryAfterSeconds', 'latencyMs', 'times', 'probability']) {
    if (rule[key] !== undefined && typeof rule[key] !== 'number') {
      throw new Error(`Fault rule ${key}: expected a number, got ${JSON.stringify(rule[key])}`)
    }
  }
  if (rule.route !== undefined && typeof rule.route !== 'string') {
    throw new Error(
      `Fault rule route: expected "METHOD /template" or "*", got ${JSON.stringify(rule.route)}`
    )
  }
  return rule as unknown as FaultRule
}

function matches(rule: FaultRule, method: string, template: string): boolean {
  const route = rule.route ?? '*'
  if (route === '*') return true
  const space = route.indexOf(' ')
  if (space < 0) return route === template
  return route.slice(0, space).toUpperCase() === method && route.slice(space + 1) === template
}

/** The active fault rules of one forge. */
export class FaultInjector {
  private rules: Array<{ rule: FaultRule; remaining: number }> = []
  private random: () => number

  constructor(seed = 1) {
    this.random = seededRandom(seed)
  }

  /** Restarts the generator, so probabilities replay from the start. */
  reseed(seed: number): void {
    this.random = seededRandom(seed)
  }

  add(rule: FaultRule): void {
    this.rules.push({ rule: { ...rule }, remaining: rule.times ?? Number.POSITIVE_INFINITY })
  }

  clear(): void {
    this.rules = []
  }

  /** The rules still active, with how many firings each has left (null: unlimited). */
  list(): Array<FaultRule & { remaining: number | null }> {
    return this.rules.map(({ rule, remaining }) => ({
      ...rule,
      remaining: Number.isFinite(remaining) ? remaining : null
    }))
  }

  /** The fault to apply to this request, if any; consumes one firing of the rule. */
  pick(method: string, template: string): FaultRule | null {
    for (const entry of this.rules) {
      if (entry.remaining <= 0 || !matches(entry.rule, method, template)) continue
      if (entry.rule.probability !== undefined && this.random() >= entry.rule.probability) continue
      entry.remaining -= 1
      return entry.rule
    }
    return null
  }
}
