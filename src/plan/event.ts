/**
 * The batch of a plan started by an event instead of an issue list: an issue labelled with the
 * pipeline's trigger label joins a wave on its own, if the person who labelled it may write to the
 * repository.
 */

/** What the plan step needs of the triggering event, read from its payload by the entry point. */
export interface TriggerEvent {
  /** The event's name, e.g. `issues` or `workflow_dispatch`. */
  name: string
  /** The payload's `action` (`labeled`), or null when it has none. */
  action: string | null
  /** The payload's issue number, or null when it names none. */
  issue: number | null
  /** The name of the label the event added, or null. */
  label: string | null
  /** The login of the person (or app) who caused the event, or null when the payload has none. */
  sender: string | null
}

/** The issues an event asks to plan, a reason there is nothing to plan, or an error. */
export type EventBatch =
  | { outcome: 'plan'; issues: number[] }
  | { outcome: 'nothing'; reason: string }
  | { outcome: 'error'; message: string }

/**
 * The batch of an event when the `issues` input is empty: an `issues: labeled` event with the
 * trigger label plans that issue; another label plans nothing (labelling is no request for a wave);
 * any other event is an error that says to pass `issues`.
 */
export function batchFromEvent(event: TriggerEvent, triggerLabel: string): EventBatch {
  const labelled = event.name === 'issues' && event.action === 'labeled' && event.issue !== null
  if (!labelled) {
    const what = event.action === null ? event.name : `${event.name} (${event.action})`
    return {
      outcome: 'error',
      message:
        `Input 'issues' is empty and the triggering event '${what}' is not an issue labelled '${triggerLabel}'. ` +
        "Pass the issue numbers in 'issues', e.g. '12, 15, 17'."
    }
  }
  if (event.label?.toLowerCase() !== triggerLabel.toLowerCase()) {
    const label = event.label === null ? 'a label' : `'${event.label}'`
    return {
      outcome: 'nothing',
      reason: `Issue #${event.issue} was labelled ${label}, not the trigger label '${triggerLabel}': nothing to plan.`
    }
  }
  return { outcome: 'plan', issues: [event.issue as number] }
}

/** The roles that may start a wave with a label: the ones that can write to the repository. */
export const WAVE_STARTER_ROLES: readonly string[] = ['admin', 'maintain', 'write']

/**
 * Whose permission decides whether the event may start a wave. Anyone with triage access can
 * label an issue, so an `issues: labeled` event needs its sender checked; nothing else does
 * (dispatching a workflow by hand already takes write access).
 */
export type SenderCheck =
  { check: 'none' } | { check: 'permission'; login: string } | { check: 'refuse'; message: string }

/** What must be checked before an event may start a wave. */
export function senderCheck(event: TriggerEvent | null): SenderCheck {
  if (event?.name !== 'issues' || event.action !== 'labeled') return { check: 'none' }
  if (event.sender === null || event.sender === '') {
    return {
      check: 'refuse',
      message:
        'The labelled event names no sender, so whether its label may start a wave cannot be checked. Nothing was done; someone with write access can run the dispatch workflow by hand.'
    }
  }
  return { check: 'permission', login: event.sender }
}

/**
 * Why the sender may not start a wave, or null when they may.
 * @param permission the sender's role on the repository (`none` when GitHub knows no such user).
 */
export function senderRefusal(
  login: string,
  permission: string,
  repository: string
): string | null {
  if (WAVE_STARTER_ROLES.includes(permission)) return null
  const has = permission === 'none' ? 'no access' : `'${permission}' access`
  return `${login} has ${has} to ${repository}, not write, maintain or admin: a label starts a wave only when the person who set it may write to the repository. Nothing was done; someone with write access can set the label again or run the dispatch workflow by hand.`
}
