/**
 * The plan id: a hash of the plan's content, so a confirmation given for one plan does not carry
 * to a different one. Hashing is deterministic (no clock, no I/O); it lives apart from the schemas
 * only because it needs `node:crypto`.
 */
import { createHash } from 'node:crypto'
import type { WavePlan, WavePlanContent } from './plan.js'
import { stableStringify } from './stable-json.js'

/** The id of a plan's content: the first 12 hex characters of the SHA-256 of its stable JSON. */
export function computePlanId(content: WavePlanContent): string {
  return createHash('sha256').update(stableStringify(content)).digest('hex').slice(0, 12)
}

/** The plan with its id set from its content. */
export function sealPlan(content: WavePlanContent): WavePlan {
  return { id: computePlanId(content), ...content }
}

/** True when the plan's id is the hash of its content (it was not edited after sealing). */
export function planIdMatches(plan: WavePlan): boolean {
  const { id, ...content } = plan
  return computePlanId(content) === id
}
