/**
 * Which workflows an event starts, by GitHub's rules: the workflow must subscribe to the event
 * (its activity types, branch filters and, for `workflow_run`, the workflows it follows); an event
 * caused by `GITHUB_TOKEN` starts only `workflow_dispatch` and `repository_dispatch` runs; a
 * `workflow_run` chain stops after three levels; `workflow_dispatch` starts only the workflow it
 * names. Pure: the event and the workflows are passed in.
 */
import { UnsupportedConstruct } from './errors.js'
import type { WorkflowModel } from './workflow.js'

/** An event as the engine delivers it to workflows. */
export interface TriggerEvent {
  /** The webhook event name (`issues`, `workflow_run`, ...). */
  name: string
  /** The activity type, or null for events without one (`push`, `status`, ...). */
  action: string | null
  /** The webhook payload, as `github.event` reads it. */
  payload: Record<string, unknown>
  /** Caused by a workflow's `GITHUB_TOKEN`. */
  causedByActionsToken: boolean
  /** `workflow_run` events: how many `workflow_run` levels led here (1 for a run started otherwise). */
  depth: number
  /** `workflow_dispatch` and `schedule` events: the one workflow (path) they start. */
  target?: string
  /** `workflow_dispatch` events: the run the forge created for them. */
  runId?: number
}

/** The events the engine delivers; a workflow that subscribes to another is refused. */
export const DELIVERED_EVENTS = new Set([
  'workflow_dispatch',
  'workflow_run',
  'schedule',
  'issues',
  'issue_comment',
  'pull_request',
  'pull_request_review',
  'push',
  'status',
  'check_run',
  'check_suite',
  'merge_group',
  'create',
  'delete',
  'label'
])

/** GitHub's rule: an event caused by `GITHUB_TOKEN` starts only these. */
const STARTED_BY_GITHUB_TOKEN = new Set(['workflow_dispatch', 'repository_dispatch'])

/** GitHub's rule: a `workflow_run` chain runs at most three levels deep. */
export const MAX_WORKFLOW_RUN_DEPTH = 3

/** The activity types GitHub uses when a workflow names an event without `types`. */
const DEFAULT_TYPES: Record<string, string[]> = {
  pull_request: ['opened', 'synchronize', 'reopened'],
  workflow_run: ['requested', 'completed'],
  merge_group: ['checks_requested']
}

interface EventFilter {
  types?: string[]
  branches?: string[]
  'branches-ignore'?: string[]
  workflows?: string[]
  paths?: string[]
  'paths-ignore'?: string[]
  tags?: string[]
  'tags-ignore'?: string[]
}

/** A branch filter pattern as GitHub matches it: `*` within a segment, `**` across, `?` one. */
function globMatches(pattern: string, value: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .split('**')
    .map(part => part.replace(/\*/g, '[^/]*').replace(/\?/g, '.'))
    .join('.*')
  return new RegExp(`^${source}$`).test(value)
}

/** Whether `branch` passes `branches` / `branches-ignore` (with `!` negations, last match wins). */
export function branchPasses(filter: EventFilter, branch: string): boolean {
  if (filter.branches) {
    let included = false
    for (const pattern of filter.branches) {
      if (pattern.startsWith('!')) {
        if (globMatches(pattern.slice(1), branch)) included = false
      } else if (globMatches(pattern, branch)) included = true
    }
    return included
  }
  if (filter['branches-ignore']) {
    return !filter['branches-ignore'].some(pattern => globMatches(pattern, branch))
  }
  return true
}

/** The branch a branch filter applies to, for the events that have one. */
function filteredBranch(event: TriggerEvent): string | null {
  const payload = event.payload as {
    ref?: string
    pull_request?: { base?: { ref?: string } }
    workflow_run?: { head_branch?: string }
  }
  if (event.name === 'push') return String(payload.ref ?? '').replace(/^refs\/heads\//, '')
  if (event.name === 'pull_request') return payload.pull_request?.base?.ref ?? ''
  if (event.name === 'workflow_run') return payload.workflow_run?.head_branch ?? ''
  return null
}

/**
 * Refuses a workflow that subscribes to what the engine cannot deliver faithfully: events it does
 * not produce, and path or tag filters.
 */
export function checkSubscriptions(workflow: WorkflowModel): void {
  for (const [name, config] of Object.entries(workflow.events)) {
    const place = { file: workflow.path, line: undefined }
    if (!DELIVERED_EVENTS.has(name)) throw new UnsupportedConstruct(place, `the '${name}' event`)
    const filter = (config ?? {}) as EventFilter
    for (const key of ['paths', 'paths-ignore', 'tags', 'tags-ignore'] as const) {
      if (filter[key]) throw new UnsupportedConstruct(place, `'${key}' filters (on ${name})`)
    }
  }
}

/** Whether GitHub starts a run of `workflow` for `event`. */
export function starts(workflow: WorkflowModel, event: TriggerEvent): boolean {
  if (event.causedByActionsToken && !STARTED_BY_GITHUB_TOKEN.has(event.name)) return false
  if (event.name === 'workflow_run' && event.depth > MAX_WORKFLOW_RUN_DEPTH) return false
  if (!(event.name in workflow.events)) return false
  if (event.target !== undefined) return event.target === workflow.path
  const filter = (workflow.events[event.name] ?? {}) as EventFilter
  const types = filter.types ?? DEFAULT_TYPES[event.name]
  if (types && event.action !== null && !types.includes(event.action)) return false
  if (event.name === 'workflow_run') {
    const run = event.payload.workflow_run as { name?: string }
    if (!filter.workflows?.includes(run.name ?? '')) return false
  }
  const branch = filteredBranch(event)
  return branch === null || branchPasses(filter, branch)
}
