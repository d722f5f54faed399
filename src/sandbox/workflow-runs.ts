/**
 * Workflow runs the forge knows about: created by `workflow_dispatch` through the API, or by a
 * test or the local runner through the in-process API, and updated as the "run" progresses.
 */
import type { ForgeCore } from './core.js'
import type { RepoState, WorkflowRunRecord } from './state.js'
import { timestamp } from './state.js'

/** A stable numeric id for a workflow file, as GitHub gives each workflow one. */
export function workflowIdFor(path: string): number {
  let hash = 7
  for (const char of path) hash = (hash * 31 + char.charCodeAt(0)) % 9_000_000
  return 1_000_000 + hash
}

export interface NewWorkflowRun {
  /** The workflow file name (`review.yml`) or path (`.github/workflows/review.yml`). */
  workflow: string
  event: string
  headBranch: string
  headSha: string
  actor: string
  name?: string
  displayTitle?: string
  status?: WorkflowRunRecord['status']
  conclusion?: string | null
}

/** Records a run; run numbers count up per workflow. */
export function createWorkflowRun(
  core: ForgeCore,
  repo: RepoState,
  fields: NewWorkflowRun
): WorkflowRunRecord {
  const path = fields.workflow.includes('/')
    ? fields.workflow
    : `.github/workflows/${fields.workflow}`
  const workflowId = workflowIdFor(path)
  const previous = [...repo.workflowRuns.values()].filter(run => run.workflowId === workflowId)
  const now = timestamp()
  const name = fields.name ?? path.replace(/^.*\//, '')
  const run: WorkflowRunRecord = {
    id: core.state.nextId(),
    runNumber: previous.length + 1,
    workflowId,
    path,
    name,
    event: fields.event,
    headBranch: fields.headBranch,
    headSha: fields.headSha,
    status: fields.status ?? 'queued',
    conclusion: fields.conclusion ?? null,
    actor: fields.actor,
    displayTitle: fields.displayTitle ?? name,
    createdAt: now,
    updatedAt: now
  }
  repo.workflowRuns.set(run.id, run)
  return run
}

/** Moves a run along (`in_progress`, then `completed` with a conclusion). */
export function updateWorkflowRun(
  run: WorkflowRunRecord,
  change: { status: WorkflowRunRecord['status']; conclusion?: string | null }
): WorkflowRunRecord {
  run.status = change.status
  if (change.conclusion !== undefined) run.conclusion = change.conclusion
  run.updatedAt = timestamp()
  return run
}
