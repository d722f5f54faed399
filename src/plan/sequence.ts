/**
 * The order between groups: edges added strongest reason first, never one that would close a
 * cycle, so the plan always has an order to follow.
 */
import type { SequenceEdge } from '../contracts/index.js'

/** How an edge request ended. */
export type EdgeOutcome = 'added' | 'joined' | 'implied-reverse' | 'same-group'

/** A growing set of sequence edges between groups, kept acyclic. */
export class SequenceBuilder {
  private readonly next = new Map<string, Map<string, string[]>>()

  /**
   * Asks for `before` to come before `after`. Refused (`implied-reverse`) when the edges already
   * put `after` before `before`; an existing edge gets the reason added (`joined`).
   */
  add(before: string, after: string, reason: string): EdgeOutcome {
    if (before === after) return 'same-group'
    const existing = this.next.get(before)?.get(after)
    if (existing !== undefined) {
      if (!existing.includes(reason)) existing.push(reason)
      return 'joined'
    }
    if (this.reaches(after, before)) return 'implied-reverse'
    const targets = this.next.get(before) ?? new Map<string, string[]>()
    targets.set(after, [reason])
    this.next.set(before, targets)
    return 'added'
  }

  /** True when the edges lead from `from` to `to` (a group reaches itself). */
  reaches(from: string, to: string): boolean {
    const seen = new Set<string>()
    const stack = [from]
    while (stack.length > 0) {
      const node = stack.pop() as string
      if (node === to) return true
      if (seen.has(node)) continue
      seen.add(node)
      for (const target of this.next.get(node)?.keys() ?? []) stack.push(target)
    }
    return false
  }

  /** The edges, sorted by `before` then `after` (each reason joined into one sentence list). */
  edges(rank: (group: string) => number): SequenceEdge[] {
    const edges: SequenceEdge[] = []
    for (const [before, targets] of this.next) {
      for (const [after, reasons] of targets)
        edges.push({ before, after, reason: reasons.join(' ') })
    }
    return edges.sort((a, b) => rank(a.before) - rank(b.before) || rank(a.after) - rank(b.after))
  }

  /**
   * The groups in an order that respects every edge; among groups free to go, the lower `rank`
   * first (Kahn's algorithm, deterministic).
   */
  order(groups: readonly string[], rank: (group: string) => number): string[] {
    // Only edges inside `groups` count: an edge from a group outside it would hold its target forever.
    const incoming = new Map(groups.map(group => [group, 0]))
    for (const group of groups) {
      for (const after of this.next.get(group)?.keys() ?? []) {
        if (incoming.has(after)) incoming.set(after, (incoming.get(after) ?? 0) + 1)
      }
    }
    const ready = groups.filter(group => incoming.get(group) === 0)
    const ordered: string[] = []
    while (ready.length > 0) {
      ready.sort((a, b) => rank(a) - rank(b))
      const group = ready.shift() as string
      ordered.push(group)
      for (const after of this.next.get(group)?.keys() ?? []) {
        if (!incoming.has(after)) continue
        const left = (incoming.get(after) ?? 0) - 1
        incoming.set(after, left)
        if (left === 0) ready.push(after)
      }
    }
    return ordered
  }
}
