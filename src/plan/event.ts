/**
 * The batch of a plan started by an event instead of an issue list: an issue labelled with the
 * pipeline's trigger label joins a wave on its own.
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
