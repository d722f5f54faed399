/**
 * Workflow runs the forge knows about: created by `workflow_dispatch` through the API, or by a
 * test or the local runner through the in-process API, and updated as the "run" progresses. Each
 * run is registered with the artifact service, so its jobs can be given a runtime token.
 */
import { randomUUID } from 'node:crypto'
import { serverToServerToken } from './auth.js'
import type { ForgeCore } from './core.js'
import type { TokenPermissions } from './scopes.js'
import { readPermissions } from './scopes.js'
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
  core.artifactService?.registerRun({ owner: repo.owner, repo: repo.name, runId: run.id })
  return run
}

/**
 * The environment the runner gives a job of a run, as far as `@actions/artifact` reads it: the
 * REST API and repository (for `findBy`), the run id, and a fresh job's runtime token and results
 * URL. `GITHUB_SERVER_URL` is left out on purpose: the client takes any host but github.com for
 * GitHub Enterprise Server, where it refuses to work.
 */
export interface JobEnvironment {
  GITHUB_API_URL: string
  GITHUB_REPOSITORY: string
  GITHUB_RUN_ID: string
  ACTIONS_RUNTIME_TOKEN: string
  ACTIONS_RESULTS_URL: string
}

/** What a job asks of its `GITHUB_TOKEN`: the job's `permissions:`. */
export interface JobOptions {
  /** Scopes and levels; a scope left out is `none`, and `metadata: read` is always granted. */
  permissions: TokenPermissions
}

/** A job's environment with its own `GITHUB_TOKEN` (`ghs_`), which acts as `github-actions[bot]`. */
export type ScopedJobEnvironment = JobEnvironment & { GITHUB_TOKEN: string }

/** Mints a job's `GITHUB_TOKEN`, holding exactly the job's permissions on its repository. */
function mintJobToken(core: ForgeCore, repo: RepoState, job: JobOptions): string {
  const token = serverToServerToken()
  core.tokens.add(token, {
    kind: 'job',
    user: core.state.users.find(user => user.tokenKind === 'actions')!,
    permissions: readPermissions(job.permissions, 'job'),
    repository: repo.fullName,
    expiresAt: null
  })
  return token
}

/**
 * The environment of a new job of a run, with a fresh `GITHUB_TOKEN` when `job` says what the
 * token may do; throws naming the run when there is none to give.
 */
export function jobEnvironment(core: ForgeCore, repo: RepoState, runId: number): JobEnvironment
export function jobEnvironment(
  core: ForgeCore,
  repo: RepoState,
  runId: number,
  job: JobOptions
): ScopedJobEnvironment
export function jobEnvironment(
  core: ForgeCore,
  repo: RepoState,
  runId: number,
  job?: JobOptions
): JobEnvironment {
  const where = `${repo.owner}/${repo.name}`
  if (!repo.workflowRuns.has(runId)) {
    throw new Error(
      `Sandbox forge: no workflow run ${runId} in ${where}; create it with createWorkflowRun or a workflow dispatch first.`
    )
  }
  if (!core.artifactService) {
    throw new Error(
      `Sandbox forge: run ${runId} in ${where} has no job environment because the artifact service is off; start the forge without artifactService: false.`
    )
  }
  const run = core.artifactService.registerRun({ owner: repo.owner, repo: repo.name, runId })
  return {
    GITHUB_API_URL: core.baseUrl,
    GITHUB_REPOSITORY: where,
    GITHUB_RUN_ID: String(runId),
    ...core.artifactService.jobEnvironment({
      runBackendId: run.runBackendId,
      jobBackendId: randomUUID()
    }),
    ...(job ? { GITHUB_TOKEN: mintJobToken(core, repo, job) } : {})
  }
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
