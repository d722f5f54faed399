/**
 * Where a plan goes besides the summary: the artifact that keeps it whole, and the `plan` output,
 * which shares the job's 1 MB of outputs with the matrix.
 */
import type { WavePlan } from '../contracts/index.js'

/** The most bytes of the `plan` output; a larger plan is only in the artifact. */
export const MAX_PLAN_OUTPUT_BYTES = 512 * 1024

/** The name of the artifact holding the whole plan: `waves-plan-<plan id>-<attempt>`. */
export function planArtifactName(planId: string, attempt: number): string {
  return `waves-plan-${planId}-${attempt}`
}

/**
 * The `plan` output: the plan's JSON, or empty text with a warning naming the artifact when the
 * JSON is larger than `limit` bytes.
 */
export function planOutput(
  plan: WavePlan,
  artifact: string,
  limit = MAX_PLAN_OUTPUT_BYTES
): { text: string; warning: string | null } {
  const text = JSON.stringify(plan)
  const bytes = new TextEncoder().encode(text).length
  if (bytes <= limit) return { text, warning: null }
  return {
    text: '',
    warning: `The plan is ${bytes} bytes, more than the ${limit} the 'plan' output may take (a job's outputs share 1 MB); the output is empty and the whole plan is in the artifact '${artifact}'.`
  }
}
