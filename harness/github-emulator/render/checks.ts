/**
 * Commit statuses, check runs, workflow runs and artifacts in GitHub's REST shapes, typed against
 * `@octokit/openapi-types`.
 */
import type { components } from '@octokit/openapi-types'
import type { ForgeCore } from '../core.js'
import type { CheckRunRecord, RepoState, StatusRecord, WorkflowRunRecord } from '../state.js'
import type { StoredArtifact } from '../types.js'
import { apiBase, htmlBase, minimalRepository, nodeId, simpleUser } from './repo.js'

type Schemas = components['schemas']

/** One commit status (`status`). */
export function renderStatus(
  core: ForgeCore,
  repo: RepoState,
  status: StatusRecord
): Schemas['status'] {
  return {
    url: `${apiBase(core, repo)}/statuses/${status.sha}`,
    avatar_url: null,
    id: status.id,
    node_id: nodeId('SC', status.id),
    state: status.state,
    description: status.description,
    target_url: status.targetUrl,
    context: status.context,
    created_at: status.createdAt,
    updated_at: status.createdAt,
    creator: simpleUser(core, status.creator)
  }
}

/** The newest status per context, newest first, as the combined status lists them. */
export function latestStatuses(repo: RepoState, sha: string): StatusRecord[] {
  const seen = new Set<string>()
  const latest: StatusRecord[] = []
  for (const status of [...repo.statuses].reverse()) {
    if (status.sha !== sha || seen.has(status.context)) continue
    seen.add(status.context)
    latest.push(status)
  }
  return latest
}

/** GitHub's rule: any error/failure fails; otherwise any pending (or none at all) is pending. */
export function combinedState(
  statuses: readonly StatusRecord[]
): 'failure' | 'pending' | 'success' {
  if (statuses.some(s => s.state === 'error' || s.state === 'failure')) return 'failure'
  if (statuses.length === 0 || statuses.some(s => s.state === 'pending')) return 'pending'
  return 'success'
}

/** The combined status of a commit (`combined-commit-status`). */
export function renderCombinedStatus(
  core: ForgeCore,
  repo: RepoState,
  sha: string
): Schemas['combined-commit-status'] {
  const statuses = latestStatuses(repo, sha)
  return {
    state: combinedState(statuses),
    statuses: statuses.map(status => {
      const full = renderStatus(core, repo, status)
      return { ...full, required: repo.settings.requiredStatusChecks.includes(status.context) }
    }),
    sha,
    total_count: statuses.length,
    repository: minimalRepository(core, repo),
    commit_url: `${apiBase(core, repo)}/commits/${sha}`,
    url: `${apiBase(core, repo)}/commits/${sha}/status`
  }
}

/** One check run (`check-run`). */
export function renderCheckRun(
  core: ForgeCore,
  repo: RepoState,
  run: CheckRunRecord
): Schemas['check-run'] {
  const url = `${apiBase(core, repo)}/check-runs/${run.id}`
  return {
    id: run.id,
    head_sha: run.headSha,
    node_id: nodeId('CR', run.id),
    external_id: run.externalId,
    url,
    html_url: `${htmlBase(core, repo)}/runs/${run.id}`,
    details_url: run.detailsUrl,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: { ...run.output, annotations_count: 0, annotations_url: `${url}/annotations` },
    name: run.name,
    check_suite: { id: run.id },
    app: null,
    pull_requests: []
  }
}

/** One workflow run (`workflow-run`). */
export function renderWorkflowRun(
  core: ForgeCore,
  repo: RepoState,
  run: WorkflowRunRecord
): Schemas['workflow-run'] {
  const url = `${apiBase(core, repo)}/actions/runs/${run.id}`
  return {
    id: run.id,
    name: run.name,
    node_id: nodeId('WFR', run.id),
    head_branch: run.headBranch,
    head_sha: run.headSha,
    path: run.path,
    run_number: run.runNumber,
    run_attempt: 1,
    event: run.event,
    status: run.status,
    conclusion: run.conclusion,
    workflow_id: run.workflowId,
    url,
    html_url: `${htmlBase(core, repo)}/actions/runs/${run.id}`,
    pull_requests: [],
    created_at: run.createdAt,
    updated_at: run.updatedAt,
    actor: simpleUser(core, run.actor),
    triggering_actor: simpleUser(core, run.actor),
    run_started_at: run.createdAt,
    jobs_url: `${url}/jobs`,
    logs_url: `${url}/logs`,
    check_suite_url: `${apiBase(core, repo)}/check-suites/${run.id}`,
    artifacts_url: `${url}/artifacts`,
    cancel_url: `${url}/cancel`,
    rerun_url: `${url}/rerun`,
    workflow_url: `${apiBase(core, repo)}/actions/workflows/${run.workflowId}`,
    head_commit: null,
    repository: minimalRepository(core, repo),
    head_repository: minimalRepository(core, repo),
    display_title: run.displayTitle
  }
}

/** One run artifact (`artifact`), linked to its run when the forge knows it. */
export function renderArtifact(
  core: ForgeCore,
  repo: RepoState,
  artifact: StoredArtifact,
  run: WorkflowRunRecord | undefined
): Schemas['artifact'] {
  const url = `${apiBase(core, repo)}/actions/artifacts/${artifact.id}`
  return {
    id: artifact.id,
    node_id: nodeId('MDg6QXJ0aWZhY3Q', artifact.id),
    name: artifact.name,
    size_in_bytes: artifact.sizeInBytes,
    url,
    archive_download_url: `${url}/zip`,
    expired: artifact.expiresAt !== null && Date.parse(artifact.expiresAt) <= Date.now(),
    created_at: artifact.createdAt,
    expires_at: artifact.expiresAt,
    updated_at: artifact.updatedAt,
    digest: artifact.digest,
    workflow_run: {
      id: artifact.runId,
      repository_id: repo.id,
      head_repository_id: repo.id,
      ...(run ? { head_branch: run.headBranch, head_sha: run.headSha } : {})
    }
  }
}
