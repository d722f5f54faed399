/**
 * What an implement job knows about the rest of its wave: whether its group belongs to the plan it
 * was given, and the other groups' issues (out of scope for it).
 */
import type { PlanIssue, WaveGroup, WavePlan } from '../contracts/index.js'
import { stableStringify } from '../contracts/index.js'

/**
 * Why `group` is not a group of `plan` exactly as the plan has it (a matrix entry from another
 * plan, or edited on the way), or null when it is.
 */
export function groupMismatch(plan: WavePlan, group: WaveGroup): string | null {
  const planned = plan.groups.find(candidate => candidate.id === group.id)
  if (planned === undefined) {
    const ids = plan.groups.map(candidate => `"${candidate.id}"`).join(', ') || 'none'
    return `group "${group.id}" is not in plan ${plan.id} (its groups: ${ids})`
  }
  if (stableStringify(planned) !== stableStringify(group)) {
    return `group "${group.id}" differs from the group of that id in plan ${plan.id}`
  }
  return null
}

/** The issues of the plan's other groups, in the plan's order: out of scope for `group`. */
export function otherWaveIssues(plan: WavePlan, group: WaveGroup): PlanIssue[] {
  const own = new Set(group.issues)
  const grouped = new Set(plan.groups.flatMap(candidate => candidate.issues))
  return plan.issues.filter(issue => grouped.has(issue.number) && !own.has(issue.number))
}
