/**
 * The control endpoints under `/_sandbox/` (admin token only), so a client in another process can
 * do what tests do in-process: read the request and event logs, inject and clear faults, record
 * workflow runs, get the environment (and scoped token) of a job of one, mint App installation
 * tokens and revoke tokens. Control requests are not part of the request log.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createInstallationToken } from './apps.js'
import type { Caller } from './auth.js'
import type { ForgeCore } from './core.js'
import type { FaultInjector } from './faults.js'
import { validateFaultRule } from './faults.js'
import { ApiError, errorBody, parseJsonBody, readBody, sendJson } from './http.js'
import type { TokenPermissions } from './scopes.js'
import type { RequestLogEntry } from './types.js'
import { createWorkflowRun, jobEnvironment, updateWorkflowRun } from './workflow-runs.js'
import type { WorkflowRunRecord } from './state.js'

/** What the control endpoints act on. */
export interface ControlTarget {
  core: ForgeCore
  faults: FaultInjector
  requests: RequestLogEntry[]
}

type Handler = (
  target: ControlTarget,
  body: unknown,
  url: URL,
  match: RegExpExecArray
) => { status: number; body?: unknown }

function faultRules(target: ControlTarget, body: unknown) {
  const input = body as { rules?: unknown; seed?: unknown }
  const rules = Array.isArray(input.rules) ? input.rules : [body]
  const valid = rules.map(validateFaultRule)
  if (typeof input.seed === 'number') target.faults.reseed(input.seed)
  valid.forEach(rule => target.faults.add(rule))
  return { status: 201, body: { rules: target.faults.list() } }
}

function repoOf(target: ControlTarget, match: RegExpExecArray) {
  const repo = target.core.state.repo(match[1] ?? '', match[2] ?? '')
  if (!repo) throw new ApiError(404, 'Not Found')
  return repo
}

function createRun(target: ControlTarget, body: unknown, match: RegExpExecArray) {
  const repo = repoOf(target, match)
  const fields = body as Record<string, string | undefined>
  for (const key of ['workflow', 'headBranch', 'headSha']) {
    if (typeof fields[key] !== 'string')
      throw new ApiError(422, `Workflow run: "${key}" must be a string`)
  }
  const run = createWorkflowRun(target.core, repo, {
    workflow: fields.workflow!,
    event: fields.event ?? 'workflow_dispatch',
    headBranch: fields.headBranch!,
    headSha: fields.headSha!,
    actor: fields.actor ?? 'github-actions[bot]',
    status: fields.status as WorkflowRunRecord['status'] | undefined
  })
  return { status: 201, body: { id: run.id, run_number: run.runNumber } }
}

function updateRun(target: ControlTarget, body: unknown, match: RegExpExecArray) {
  const run = repoOf(target, match).workflowRuns.get(Number(match[3]))
  if (!run) throw new ApiError(404, 'Not Found')
  const change = body as { status?: WorkflowRunRecord['status']; conclusion?: string | null }
  updateWorkflowRun(run, { status: change.status ?? run.status, conclusion: change.conclusion })
  return { status: 200, body: { id: run.id, status: run.status, conclusion: run.conclusion } }
}

function newJob(target: ControlTarget, body: unknown, match: RegExpExecArray) {
  const repo = repoOf(target, match)
  const runId = Number(match[3])
  if (!repo.workflowRuns.has(runId)) throw new ApiError(404, 'Not Found')
  const permissions = (body as { permissions?: TokenPermissions }).permissions
  const env =
    permissions === undefined
      ? jobEnvironment(target.core, repo, runId)
      : jobEnvironment(target.core, repo, runId, { permissions })
  return { status: 201, body: env }
}

function newInstallationToken(target: ControlTarget, body: unknown, match: RegExpExecArray) {
  const input = body as { permissions?: TokenPermissions; app_slug?: string }
  const minted = createInstallationToken(target.core, repoOf(target, match), {
    permissions: input.permissions ?? {},
    appSlug: input.app_slug
  })
  return { status: 201, body: minted }
}

function revoke(target: ControlTarget, body: unknown) {
  const token = (body as { token?: unknown }).token
  if (typeof token !== 'string' || !target.core.tokens.revoke(token))
    throw new ApiError(
      422,
      'Revoke: "token" must be a token from a job environment or an installation token.'
    )
  return { status: 204 }
}

const HANDLERS: Array<[string, RegExp, Handler]> = [
  ['GET', /^\/_sandbox\/requests$/, t => ({ status: 200, body: { requests: t.requests } })],
  ['DELETE', /^\/_sandbox\/requests$/, t => (t.requests.splice(0), { status: 204 })],
  ['GET', /^\/_sandbox\/faults$/, t => ({ status: 200, body: { rules: t.faults.list() } })],
  ['POST', /^\/_sandbox\/faults$/, (t, body) => faultRules(t, body)],
  ['DELETE', /^\/_sandbox\/faults$/, t => (t.faults.clear(), { status: 204 })],
  [
    'GET',
    /^\/_sandbox\/events$/,
    (t, _b, url) => {
      const repository = url.searchParams.get('repository')
      const events = t.core.state.events.filter(e => !repository || e.repository === repository)
      return { status: 200, body: { events } }
    }
  ],
  [
    'POST',
    /^\/_sandbox\/repos\/([^/]+)\/([^/]+)\/runs$/,
    (t, body, _u, m) => createRun(t, body, m)
  ],
  [
    'PATCH',
    /^\/_sandbox\/repos\/([^/]+)\/([^/]+)\/runs\/(\d+)$/,
    (t, body, _u, m) => updateRun(t, body, m)
  ],
  [
    'POST',
    /^\/_sandbox\/repos\/([^/]+)\/([^/]+)\/runs\/(\d+)\/jobs$/,
    (t, body, _u, m) => newJob(t, body, m)
  ],
  [
    'POST',
    /^\/_sandbox\/repos\/([^/]+)\/([^/]+)\/installation-tokens$/,
    (t, body, _u, m) => newInstallationToken(t, body, m)
  ],
  ['POST', /^\/_sandbox\/tokens\/revoke$/, (t, body) => revoke(t, body)]
]

/** Answers a `/_sandbox/` request. */
export async function serveControl(
  target: ControlTarget,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  caller: Caller
): Promise<void> {
  try {
    if (caller.kind === 'anonymous' || caller.kind === 'invalid')
      throw new ApiError(401, 'Requires authentication')
    if (caller.kind !== 'admin')
      throw new ApiError(403, 'The sandbox control API needs the admin token.')
    for (const [method, pattern, handler] of HANDLERS) {
      const match = pattern.exec(url.pathname)
      if (!match || method !== req.method) continue
      const result = handler(target, parseJsonBody(await readBody(req)), url, match)
      sendJson(res, result.status, result.body, {})
      return
    }
    throw new ApiError(404, 'Not Found')
  } catch (error) {
    const apiError = error instanceof ApiError ? error : new ApiError(422, (error as Error).message)
    sendJson(res, apiError.status, errorBody(apiError, null), {})
  }
}
