/**
 * Commit statuses (create, list, combined) and check runs (create, update, get, list for a ref).
 * As on GitHub, only an app token (here the actions token) may write check runs.
 */
import type { Route, RouteContext, RouteResult } from '../router.js'
import { actorLogin, numberParam, optionalString, requiredString } from '../core.js'
import { ApiError, paginate } from '../http.js'
import { resolveCommit } from '../git.js'
import { renderCheckRun, renderCombinedStatus, renderStatus } from '../render/checks.js'
import type { CheckConclusion, CheckRunRecord, CheckStatus, StatusRecord } from '../state.js'
import { timestamp } from '../state.js'

const STATES = ['error', 'failure', 'pending', 'success'] as const
const CHECK_STATUSES = ['queued', 'in_progress', 'completed'] as const
const CONCLUSIONS = [
  'success',
  'failure',
  'neutral',
  'cancelled',
  'skipped',
  'timed_out',
  'action_required'
] as const

function oneOf<T extends string>(
  value: string | null | undefined,
  allowed: readonly T[],
  field: string
): T | undefined {
  if (value === undefined || value === null) return undefined
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ApiError(
      422,
      `Invalid request.\n\nFor 'properties/${field}', ${JSON.stringify(value)} is not one of ${allowed.join(', ')}.`
    )
  }
  return value as T
}

async function commitOf(ctx: RouteContext, ref: string): Promise<string> {
  const sha = await resolveCommit(ctx.repo.gitDir, ref)
  if (sha === null) throw new ApiError(422, `No commit found for SHA: ${ref}`)
  return sha
}

async function createStatus(ctx: RouteContext): Promise<RouteResult> {
  const sha = await commitOf(ctx, ctx.params.sha ?? '')
  const state = oneOf(requiredString(ctx.body, 'state'), STATES, 'state')!
  const status: StatusRecord = {
    id: ctx.core.state.nextId(),
    sha,
    state,
    context: optionalString(ctx.body, 'context') ?? 'default',
    description: optionalString(ctx.body, 'description') ?? null,
    targetUrl: optionalString(ctx.body, 'target_url') ?? null,
    creator: actorLogin(ctx),
    createdAt: timestamp()
  }
  ctx.repo.statuses.push(status)
  ctx.core.state.recordEvent(ctx.repo, 'status', null, status.creator, {
    sha,
    context: status.context,
    state
  })
  const body = renderStatus(ctx.core, ctx.repo, status)
  return { status: 201, body, headers: { location: body.url } }
}

async function resolveForRead(ctx: RouteContext): Promise<string> {
  const sha = await resolveCommit(ctx.repo.gitDir, ctx.params.ref ?? '')
  if (sha === null) throw new ApiError(404, `No commit found for SHA: ${ctx.params.ref}`)
  return sha
}

async function combinedStatus(ctx: RouteContext): Promise<RouteResult> {
  return { status: 200, body: renderCombinedStatus(ctx.core, ctx.repo, await resolveForRead(ctx)) }
}

async function listStatuses(ctx: RouteContext): Promise<RouteResult> {
  const sha = await resolveForRead(ctx)
  const statuses = ctx.repo.statuses.filter(status => status.sha === sha).reverse()
  const page = paginate(statuses, ctx.url, ctx.core.baseUrl)
  return {
    status: 200,
    body: page.items.map(s => renderStatus(ctx.core, ctx.repo, s)),
    headers: page.headers
  }
}

/** Check runs belong to GitHub Apps: job and installation tokens are App tokens, others are not. */
function requireApp(ctx: RouteContext): void {
  if (ctx.caller.grant === null) throw new ApiError(403, 'You must authenticate via a GitHub App.')
}

/** Applies status, conclusion, times, output and links from a create or update body. */
function applyCheckFields(ctx: RouteContext, run: CheckRunRecord): void {
  const conclusion = oneOf(optionalString(ctx.body, 'conclusion'), CONCLUSIONS, 'conclusion') as
    CheckConclusion | undefined
  const status = oneOf(optionalString(ctx.body, 'status'), CHECK_STATUSES, 'status') as
    CheckStatus | undefined
  if (status) run.status = status
  if (conclusion) {
    run.conclusion = conclusion
    run.status = 'completed'
  }
  if (run.status === 'completed' && run.conclusion === null) {
    throw new ApiError(
      422,
      'Invalid request.\n\nNo subschema in "anyOf" matched: "conclusion" is required when status is completed.'
    )
  }
  if (run.status !== 'queued')
    run.startedAt = optionalString(ctx.body, 'started_at') ?? run.startedAt ?? timestamp()
  if (run.status === 'completed')
    run.completedAt = optionalString(ctx.body, 'completed_at') ?? run.completedAt ?? timestamp()
  const output = ctx.body.output as Record<string, unknown> | undefined
  if (output) {
    run.output = {
      title: optionalString(output, 'title') ?? null,
      summary: optionalString(output, 'summary') ?? null,
      text: optionalString(output, 'text') ?? null
    }
  }
  if (ctx.body.details_url !== undefined)
    run.detailsUrl = optionalString(ctx.body, 'details_url') ?? null
  if (ctx.body.external_id !== undefined)
    run.externalId = optionalString(ctx.body, 'external_id') ?? null
}

async function createCheckRun(ctx: RouteContext): Promise<RouteResult> {
  requireApp(ctx)
  const run: CheckRunRecord = {
    id: ctx.core.state.nextId(),
    headSha: await commitOf(ctx, requiredString(ctx.body, 'head_sha')),
    name: requiredString(ctx.body, 'name'),
    status: 'queued',
    conclusion: null,
    startedAt: null,
    completedAt: null,
    detailsUrl: null,
    externalId: null,
    output: { title: null, summary: null, text: null },
    creator: actorLogin(ctx)
  }
  applyCheckFields(ctx, run)
  ctx.repo.checkRuns.set(run.id, run)
  ctx.core.state.recordEvent(ctx.repo, 'check_run', 'created', run.creator, {
    id: run.id,
    name: run.name,
    sha: run.headSha
  })
  return { status: 201, body: renderCheckRun(ctx.core, ctx.repo, run) }
}

function findCheckRun(ctx: RouteContext): CheckRunRecord {
  const run = ctx.repo.checkRuns.get(numberParam(ctx, 'check_run_id'))
  if (!run) throw new ApiError(404, 'Not Found')
  return run
}

async function updateCheckRun(ctx: RouteContext): Promise<RouteResult> {
  requireApp(ctx)
  const run = findCheckRun(ctx)
  if (typeof ctx.body.name === 'string') run.name = ctx.body.name
  applyCheckFields(ctx, run)
  ctx.core.state.recordEvent(
    ctx.repo,
    'check_run',
    run.status === 'completed' ? 'completed' : 'updated',
    actorLogin(ctx),
    {
      id: run.id,
      name: run.name,
      sha: run.headSha
    }
  )
  return { status: 200, body: renderCheckRun(ctx.core, ctx.repo, run) }
}

async function getCheckRun(ctx: RouteContext): Promise<RouteResult> {
  return { status: 200, body: renderCheckRun(ctx.core, ctx.repo, findCheckRun(ctx)) }
}

async function listCheckRunsForRef(ctx: RouteContext): Promise<RouteResult> {
  const sha = await resolveForRead(ctx)
  const name = ctx.url.searchParams.get('check_name')
  const status = ctx.url.searchParams.get('status')
  const latestOnly = ctx.url.searchParams.get('filter') !== 'all'
  const seen = new Set<string>()
  const runs = [...ctx.repo.checkRuns.values()].reverse().filter(run => {
    if (run.headSha !== sha || (name && run.name !== name) || (status && run.status !== status))
      return false
    if (!latestOnly) return true
    if (seen.has(run.name)) return false
    seen.add(run.name)
    return true
  })
  const page = paginate(runs, ctx.url, ctx.core.baseUrl)
  const check_runs = page.items.map(run => renderCheckRun(ctx.core, ctx.repo, run))
  return { status: 200, body: { total_count: runs.length, check_runs }, headers: page.headers }
}

const commit = '/repos/{owner}/{repo}/commits/{ref}'
const checkRuns = '/repos/{owner}/{repo}/check-runs'

/** Commit status and check run routes. */
export const statusRoutes: Route[] = [
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/statuses/{sha}',
    access: 'write',
    scopes: ['statuses:write'],
    docs: 'commits/statuses#create-a-commit-status',
    handle: createStatus
  },
  {
    method: 'GET',
    template: `${commit}/status`,
    access: 'public',
    scopes: ['statuses:read'],
    docs: 'commits/statuses#get-the-combined-status-for-a-specific-reference',
    handle: combinedStatus
  },
  {
    method: 'GET',
    template: `${commit}/statuses`,
    access: 'public',
    scopes: ['statuses:read'],
    docs: 'commits/statuses#list-commit-statuses-for-a-reference',
    handle: listStatuses
  },
  {
    method: 'GET',
    template: `${commit}/check-runs`,
    access: 'public',
    scopes: ['checks:read'],
    docs: 'checks/runs#list-check-runs-for-a-git-reference',
    handle: listCheckRunsForRef
  },
  {
    method: 'POST',
    template: checkRuns,
    access: 'write',
    scopes: ['checks:write'],
    docs: 'checks/runs#create-a-check-run',
    handle: createCheckRun
  },
  {
    method: 'GET',
    template: `${checkRuns}/{check_run_id}`,
    access: 'public',
    scopes: ['checks:read'],
    docs: 'checks/runs#get-a-check-run',
    handle: getCheckRun
  },
  {
    method: 'PATCH',
    template: `${checkRuns}/{check_run_id}`,
    access: 'write',
    scopes: ['checks:write'],
    docs: 'checks/runs#update-a-check-run',
    handle: updateCheckRun
  }
]
