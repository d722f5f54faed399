/**
 * The order in which ready PRs merge, with the reason for each position, so the summary can say
 * why one went before another.
 */

/** A ready PR as the ordering sees it. */
export interface MergeCandidate {
  number: number
  /** The issues it closes (the lowest breaks ties). */
  issues: readonly number[]
  /** Its group in the wave plan, when known, so `sequencedAfter` may name groups. */
  group?: string | null
  /** The files it changes and how many lines in each (additions + deletions). */
  files: ReadonlyArray<{ path: string; changes: number }>
  /** PR numbers or group ids that must merge before this PR (the plan's sequence edges). */
  sequencedAfter: ReadonlyArray<number | string>
}

/** One PR's place in the order. */
export interface MergeSlot {
  number: number
  /** Why it is here, in a sentence for the summary. */
  reason: string
}

/** The merge order, and what the ordering had to overrule. */
export interface MergeOrder {
  order: MergeSlot[]
  /** Sequence cycles among the candidates (PR numbers, each cycle starting at its lowest). */
  cycles: number[][]
  /** Sequence references to PRs or groups that are not among the candidates. */
  unknownPredecessors: Array<{ number: number; ref: number | string }>
}

interface Node {
  pr: MergeCandidate
  size: number
  firstIssue: number
  /** PRs the plan sequences before this one. */
  sequenced: Set<number>
  /** PRs that share files with this one and are smaller: file path → PR numbers. */
  smaller: Map<number, string[]>
  /** PRs sequenced after this one. */
  dependents: Set<number>
}

/**
 * Orders PRs for merging: a PR that others are sequenced after goes before them, and such PRs come
 * first among those free to go; among PRs that touch the same file, the one with fewer changed
 * lines goes first (ties: lower issue number, then PR number); otherwise the lowest issue number
 * first. A sequence that loops (A after B, B after A) is reported in `cycles` and broken at the PR
 * with the lowest issue number, so the result is the same on every run.
 */
export function orderMerges(prs: readonly MergeCandidate[]): MergeOrder {
  const nodes = buildNodes(prs)
  const unknownPredecessors = linkSequence(nodes, prs)
  linkSharedFiles(nodes)
  const cycles = findCycles(nodes)

  const done = new Set<number>()
  const order: MergeSlot[] = []
  while (done.size < nodes.size) {
    const pending = [...nodes.values()].filter(node => !done.has(node.pr.number))
    const free = pending.filter(node =>
      [...node.sequenced, ...node.smaller.keys()].every(number => done.has(number))
    )
    const pool = free.length > 0 ? free : cycleEntries(pending, cycles, done)
    const next = pool.sort(byPriority)[0] as Node
    order.push({ number: next.pr.number, reason: reasonFor(next, nodes, free.length === 0) })
    done.add(next.pr.number)
  }
  return { order, cycles, unknownPredecessors }
}

/**
 * When every pending PR waits for another, some sequence cycle has all its outside predecessors
 * merged: its members are where the loop is broken.
 */
function cycleEntries(pending: Node[], cycles: number[][], done: Set<number>): Node[] {
  const entries = pending.filter(node => {
    const cycle = cycles.find(members => members.includes(node.pr.number))
    if (cycle === undefined) return false
    return [...node.sequenced, ...node.smaller.keys()].every(
      number => done.has(number) || cycle.includes(number)
    )
  })
  return entries.length > 0 ? entries : pending
}

function buildNodes(prs: readonly MergeCandidate[]): Map<number, Node> {
  const nodes = new Map<number, Node>()
  for (const pr of [...prs].sort((a, b) => a.number - b.number)) {
    if (nodes.has(pr.number)) throw new Error(`PR #${pr.number} is listed twice for merging.`)
    nodes.set(pr.number, {
      pr,
      size: pr.files.reduce((sum, file) => sum + file.changes, 0),
      firstIssue: pr.issues.length === 0 ? Number.MAX_SAFE_INTEGER : Math.min(...pr.issues),
      sequenced: new Set(),
      smaller: new Map(),
      dependents: new Set()
    })
  }
  return nodes
}

function linkSequence(
  nodes: Map<number, Node>,
  prs: readonly MergeCandidate[]
): MergeOrder['unknownPredecessors'] {
  const unknown: MergeOrder['unknownPredecessors'] = []
  for (const node of nodes.values()) {
    for (const ref of node.pr.sequencedAfter) {
      const targets =
        typeof ref === 'number'
          ? nodes.has(ref)
            ? [ref]
            : []
          : prs.filter(pr => pr.group === ref).map(pr => pr.number)
      const others = targets.filter(number => number !== node.pr.number)
      if (others.length === 0 && !targets.includes(node.pr.number)) {
        unknown.push({ number: node.pr.number, ref })
      }
      for (const number of others) {
        node.sequenced.add(number)
        nodes.get(number)?.dependents.add(node.pr.number)
      }
    }
  }
  return unknown
}

/**
 * For each pair touching a common file, the smaller goes first, unless the plan's sequence already
 * orders them the other way (directly or through others): the plan wins.
 */
function linkSharedFiles(nodes: Map<number, Node>): void {
  const list = [...nodes.values()]
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) {
      const a = list[i] as Node
      const b = list[j] as Node
      const shared = sharedPaths(a.pr, b.pr)
      if (shared.length === 0) continue
      const [first, second] = bySize(a, b) <= 0 ? [a, b] : [b, a]
      if (reaches(nodes, first.pr.number, second.pr.number)) continue
      second.smaller.set(first.pr.number, shared)
    }
  }
}

function sharedPaths(a: MergeCandidate, b: MergeCandidate): string[] {
  const paths = new Set(a.files.map(file => file.path))
  return [...new Set(b.files.map(file => file.path).filter(path => paths.has(path)))].sort()
}

/** True when `to` must already go before `from`, following sequence and size edges. */
function reaches(nodes: Map<number, Node>, from: number, to: number): boolean {
  const stack = [from]
  const seen = new Set<number>()
  while (stack.length > 0) {
    const current = stack.pop() as number
    const node = nodes.get(current)
    if (node === undefined || seen.has(current)) continue
    seen.add(current)
    for (const before of [...node.sequenced, ...node.smaller.keys()]) {
      if (before === to) return true
      stack.push(before)
    }
  }
  return false
}

function bySize(a: Node, b: Node): number {
  return a.size - b.size || a.firstIssue - b.firstIssue || a.pr.number - b.pr.number
}

function byPriority(a: Node, b: Node): number {
  const aFirst = a.dependents.size > 0 ? 0 : 1
  const bFirst = b.dependents.size > 0 ? 0 : 1
  return aFirst - bFirst || a.firstIssue - b.firstIssue || a.pr.number - b.pr.number
}

function reasonFor(node: Node, nodes: Map<number, Node>, breaksCycle: boolean): string {
  const parts: string[] = []
  if (breaksCycle) {
    parts.push('breaks a sequence cycle (the plan orders these PRs in a loop; lowest issue first)')
  }
  const sequenced = [...node.sequenced].sort((a, b) => a - b)
  if (sequenced.length > 0) parts.push(`sequenced after ${sequenced.map(n => `#${n}`).join(', ')}`)
  for (const [number, paths] of [...node.smaller].sort(([a], [b]) => a - b)) {
    const other = nodes.get(number) as Node
    parts.push(
      `shares ${paths.join(', ')} with #${number}, which is smaller (${other.size} vs ${node.size} changed lines)`
    )
  }
  const dependents = [...node.dependents].sort((a, b) => a - b)
  if (dependents.length > 0) {
    parts.push(
      `${dependents.map(n => `#${n}`).join(', ')} ${dependents.length === 1 ? 'is' : 'are'} sequenced after it`
    )
  }
  if (parts.length === 0) {
    parts.push(
      node.firstIssue === Number.MAX_SAFE_INTEGER
        ? 'no constraint; by PR number'
        : `no constraint; by issue number (#${node.firstIssue})`
    )
  }
  const text = parts.join('; ')
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/** Strongly connected groups of sequence edges with more than one PR: the loops in the plan. */
function findCycles(nodes: Map<number, Node>): number[][] {
  const index = new Map<number, number>()
  const low = new Map<number, number>()
  const onStack = new Set<number>()
  const stack: number[] = []
  const cycles: number[][] = []
  let counter = 0

  const visit = (number: number): void => {
    index.set(number, counter)
    low.set(number, counter)
    counter++
    stack.push(number)
    onStack.add(number)
    const node = nodes.get(number) as Node
    for (const next of [...node.sequenced].sort((a, b) => a - b)) {
      if (!index.has(next)) {
        visit(next)
        low.set(number, Math.min(low.get(number) as number, low.get(next) as number))
      } else if (onStack.has(next)) {
        low.set(number, Math.min(low.get(number) as number, index.get(next) as number))
      }
    }
    if (low.get(number) === index.get(number)) {
      const members: number[] = []
      let member: number
      do {
        member = stack.pop() as number
        onStack.delete(member)
        members.push(member)
      } while (member !== number)
      if (members.length > 1) cycles.push(members.sort((a, b) => a - b))
    }
  }
  for (const number of [...nodes.keys()].sort((a, b) => a - b)) {
    if (!index.has(number)) visit(number)
  }
  return cycles.sort((a, b) => (a[0] as number) - (b[0] as number))
}
