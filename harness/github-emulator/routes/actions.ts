/**
 * Actions: workflow dispatch (inputs checked against the workflow file, recorded as an event and
 * a queued run), workflow runs, and run artifacts answered from the mounted artifact source
 * (list, get, zip download by 302).
 */
import type { Route, RouteContext, RouteResult } from '../router.js'
import { actorLogin, numberParam, requiredString } from '../core.js'
import { ApiError, paginate } from '../http.js'
import { gitOk, resolveCommit, showFile } from '../git.js'
import { renderArtifact, renderWorkflowRun } from '../render/checks.js'
import type { WorkflowRunRecord } from '../state.js'
import { providedInputs, readDispatchableWorkflow, resolveInputs } from '../workflow-inputs.js'
import { createWorkflowRun, workflowIdFor } from '../workflow-runs.js'

const WORKFLOWS_DIR = '.github/workflows'

/** The workflow file path an id (numeric or file name) names at a commit, or null. */
async function workflowPath(ctx: RouteContext, id: string, commit: string): Promise<string | null> {
  if (!/^\d+$/.test(id)) return `${WORKFLOWS_DIR}/${id}`
  const listing = await gitOk(ctx.repo.gitDir, [
    'ls-tree',
    '--name-only',
    `${commit}:${WORKFLOWS_DIR}`
  ]).catch(() => '')
  const files = listing.split('\n').filter(Boolean)
  const match = files.find(file => workflowIdFor(`${WORKFLOWS_DIR}/${file}`) === Number(id))
  return match ? `${WORKFLOWS_DIR}/${match}` : null
}

async function dispatch(ctx: RouteContext): Promise<RouteResult> {
  const ref = requiredString(ctx.body, 'ref')
  const provided = providedInputs(ctx.body.inputs)
  const branch = ref.replace(/^refs\/(heads|tags)\//, '')
  const sha = await resolveCommit(ctx.repo.gitDir, ref)
  if (sha === null) throw new ApiError(422, `No ref found for: ${ref}`)
  const path = await workflowPath(ctx, ctx.params.workflow_id ?? '', sha)
  const text = path === null ? null : await showFile(ctx.repo.gitDir, sha, path)
  if (path === null || text === null) throw new ApiError(404, 'Not Found')
  const workflow = readDispatchableWorkflow(path, text)
  if (workflow.inputs === null)
    throw new ApiError(422, "Workflow does not have 'workflow_dispatch' trigger")
  const inputs = resolveInputs(workflow.inputs, provided)
  const actor = actorLogin(ctx)
  const run = createWorkflowRun(ctx.core, ctx.repo, {
    workflow: path,
    event: 'workflow_dispatch',
    headBranch: branch,
    headSha: sha,
    actor,
    name: workflow.name ?? undefined
  })
  ctx.core.state.recordEvent(ctx.repo, 'workflow_dispatch', null, actor, {
    workflow: path,
    ref,
    inputs,
    run_id: run.id
  })
  return { status: 204 }
}

function runFilter(url: URL): (run: WorkflowRunRecord) => boolean {
  const q = (name: string) => url.searchParams.get(name)
  const [actor, branch, event, status, headSha] = [
    'actor',
    'branch',
    'event',
    'status',
    'head_sha'
  ].map(q)
  return run =>
    (!actor || run.actor === actor) &&
    (!branch || run.headBranch === branch) &&
    (!event || run.event === event) &&
    (!status || run.status === status || run.conclusion === status) &&
    (!headSha || run.headSha === headSha)
}

function listRunsWhere(ctx: RouteContext, keep: (run: WorkflowRunRecord) => boolean): RouteResult {
  const runs = [...ctx.repo.workflowRuns.values()].filter(runFilter(ctx.url)).filter(keep).reverse()
  const page = paginate(runs, ctx.url, ctx.core.baseUrl)
  const workflow_runs = page.items.map(run => renderWorkflowRun(ctx.core, ctx.repo, run))
  return { status: 200, body: { total_count: runs.length, workflow_runs }, headers: page.headers }
}

async function listRuns(ctx: RouteContext): Promise<RouteResult> {
  return listRunsWhere(ctx, () => true)
}

async function listWorkflowRuns(ctx: RouteContext): Promise<RouteResult> {
  const id = ctx.params.workflow_id ?? ''
  return listRunsWhere(
    ctx,
    run => String(run.workflowId) === id || run.path === `${WORKFLOWS_DIR}/${id}`
  )
}

async function getRun(ctx: RouteContext): Promise<RouteResult> {
  const run = ctx.repo.workflowRuns.get(numberParam(ctx, 'run_id'))
  if (!run) throw new ApiError(404, 'Not Found')
  return { status: 200, body: renderWorkflowRun(ctx.core, ctx.repo, run) }
}

function where(ctx: RouteContext) {
  return { owner: ctx.repo.owner, repo: ctx.repo.name }
}

async function listRunArtifacts(ctx: RouteContext): Promise<RouteResult> {
  const runId = numberParam(ctx, 'run_id')
  const run = ctx.repo.workflowRuns.get(runId)
  if (!run) throw new ApiError(404, 'Not Found')
  const name = ctx.url.searchParams.get('name')
  const stored = ctx.core.artifacts
    ? await ctx.core.artifacts.listRunArtifacts({ ...where(ctx), runId })
    : []
  const matching = stored.filter(artifact => !name || artifact.name === name)
  const page = paginate(matching, ctx.url, ctx.core.baseUrl)
  const artifacts = page.items.map(artifact => renderArtifact(ctx.core, ctx.repo, artifact, run))
  return { status: 200, body: { total_count: matching.length, artifacts }, headers: page.headers }
}

async function findArtifact(ctx: RouteContext) {
  const artifactId = numberParam(ctx, 'artifact_id')
  const artifact = ctx.core.artifacts
    ? await ctx.core.artifacts.getArtifact({ ...where(ctx), artifactId })
    : null
  if (!artifact) throw new ApiError(404, 'Not Found')
  return artifact
}

async function getArtifact(ctx: RouteContext): Promise<RouteResult> {
  const artifact = await findArtifact(ctx)
  return {
    status: 200,
    body: renderArtifact(ctx.core, ctx.repo, artifact, ctx.repo.workflowRuns.get(artifact.runId))
  }
}

async function downloadArtifact(ctx: RouteContext): Promise<RouteResult> {
  if (ctx.params.archive_format !== 'zip') throw new ApiError(404, 'Not Found')
  const artifact = await findArtifact(ctx)
  const query = { ...where(ctx), artifactId: artifact.id, apiUrl: ctx.core.baseUrl }
  const location = await ctx.core.artifacts!.downloadUrl(query)
  return { status: 302, headers: { location } }
}

const actions = '/repos/{owner}/{repo}/actions'
const artifacts = `${actions}/artifacts/{artifact_id}`

/** Workflow dispatch, workflow runs and run artifacts. */
export const actionRoutes: Route[] = [
  {
    method: 'POST',
    template: `${actions}/workflows/{workflow_id}/dispatches`,
    access: 'write',
    scopes: ['actions:write'],
    docs: 'actions/workflows#create-a-workflow-dispatch-event',
    handle: dispatch
  },
  {
    method: 'GET',
    template: `${actions}/workflows/{workflow_id}/runs`,
    access: 'read',
    scopes: ['actions:read'],
    docs: 'actions/workflow-runs#list-workflow-runs-for-a-workflow',
    handle: listWorkflowRuns
  },
  {
    method: 'GET',
    template: `${actions}/runs`,
    access: 'read',
    scopes: ['actions:read'],
    docs: 'actions/workflow-runs#list-workflow-runs-for-a-repository',
    handle: listRuns
  },
  {
    method: 'GET',
    template: `${actions}/runs/{run_id}`,
    access: 'read',
    scopes: ['actions:read'],
    docs: 'actions/workflow-runs#get-a-workflow-run',
    handle: getRun
  },
  {
    method: 'GET',
    template: `${actions}/runs/{run_id}/artifacts`,
    access: 'read',
    scopes: ['actions:read'],
    docs: 'actions/artifacts#list-workflow-run-artifacts',
    handle: listRunArtifacts
  },
  {
    method: 'GET',
    template: artifacts,
    access: 'read',
    scopes: ['actions:read'],
    docs: 'actions/artifacts#get-an-artifact',
    handle: getArtifact
  },
  {
    method: 'GET',
    template: `${artifacts}/{archive_format}`,
    access: 'read',
    scopes: ['actions:read'],
    docs: 'actions/artifacts#download-an-artifact',
    handle: downloadArtifact
  }
]
