/**
 * The pull request a triggering event is about, for the review and correct actions when their
 * `pr` input is empty. Pure: the payload is passed in.
 */

/** The PR number of a `pull_request`, `workflow_run` or `workflow_dispatch` (input `pr`) event. */
export function pullNumberFromEvent(payload: unknown): number | null {
  const event = (payload ?? {}) as {
    pull_request?: { number?: unknown }
    workflow_run?: { pull_requests?: Array<{ number?: unknown }> }
    inputs?: { pr?: unknown }
  }
  const candidates = [
    event.pull_request?.number,
    event.workflow_run?.pull_requests?.[0]?.number,
    event.inputs?.pr
  ]
  for (const candidate of candidates) {
    const number = typeof candidate === 'string' ? Number(candidate.replace(/^#/, '')) : candidate
    if (typeof number === 'number' && Number.isSafeInteger(number) && number > 0) return number
  }
  return null
}

/** The repository's default branch from an event payload, or null when it does not say. */
export function defaultBranchFromEvent(payload: unknown): string | null {
  const branch = (payload as { repository?: { default_branch?: unknown } } | null)?.repository
    ?.default_branch
  return typeof branch === 'string' && branch !== '' ? branch : null
}

/** The id of the run a `workflow_run` event reports on, or null for any other event. */
export function workflowRunIdFromEvent(event: {
  eventName: string
  payload: unknown
}): number | null {
  if (event.eventName !== 'workflow_run') return null
  const id = (event.payload as { workflow_run?: { id?: unknown } } | null)?.workflow_run?.id
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? id : null
}
