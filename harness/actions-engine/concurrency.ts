/**
 * Concurrency groups with GitHub's semantics: in one group at most one run (or job) is in
 * progress and one is pending; a newer pending one cancels the older pending one; with
 * `cancel-in-progress` a newcomer cancels the one in progress as well. Group names are
 * case-insensitive.
 */

/** A run or job that may hold a group. */
export interface GroupMember {
  /** Called when the group cancels it (it is pending and a newer one came, or cancel-in-progress). */
  cancel(): void
}

interface Group {
  running: GroupMember | null
  pending: { member: GroupMember; admit: (admitted: boolean) => void } | null
}

/** The concurrency groups of one repository. */
export class ConcurrencyGroups {
  private readonly groups = new Map<string, Group>()

  /**
   * Waits for `member`'s turn in `name`; true when it may start, false when it was cancelled while
   * pending (a newer run took its place).
   */
  enter(name: string, member: GroupMember, cancelInProgress: boolean): Promise<boolean> {
    const key = name.toLowerCase()
    const group = this.groups.get(key) ?? { running: null, pending: null }
    this.groups.set(key, group)
    if (group.running === null) {
      group.running = member
      return Promise.resolve(true)
    }
    if (cancelInProgress) group.running.cancel()
    if (group.pending !== null) {
      group.pending.member.cancel()
      group.pending.admit(false)
    }
    return new Promise(admit => {
      group.pending = { member, admit }
    })
  }

  /** Gives the group up; the pending member, if any, starts. */
  leave(name: string, member: GroupMember): void {
    const key = name.toLowerCase()
    const group = this.groups.get(key)
    if (group === undefined || group.running !== member) return
    const next = group.pending
    group.running = next?.member ?? null
    group.pending = null
    next?.admit(true)
    if (group.running === null) this.groups.delete(key)
  }
}

/** A `concurrency:` value (already evaluated): a group name, or a mapping with `group` and `cancel-in-progress`. */
export function readConcurrency(value: unknown): { group: string; cancelInProgress: boolean } {
  if (typeof value === 'string') return { group: value, cancelInProgress: false }
  const settings = (typeof value === 'object' && value !== null ? value : {}) as Record<
    string,
    unknown
  >
  return {
    group: String(settings.group ?? ''),
    cancelInProgress: settings['cancel-in-progress'] === true
  }
}
