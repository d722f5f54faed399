/**
 * Issues: list (state, labels, creator, sort), get, create, update, lock state, sub-issues.
 */
import type { RouteContext, Route, RouteResult } from '../router.js'
import type { IssueRecord } from '../state.js'
import { timestamp } from '../state.js'
import { ApiError, paginate, validationFailed } from '../http.js'
import {
  actorLogin,
  findIssue,
  numberParam,
  optionalString,
  requiredString,
  stringList
} from '../core.js'
import { addLabels, closeIssue, createIssueRecord, reopenIssue, setLabels } from '../issue-ops.js'
import { renderIssue } from '../render/issues.js'
import { permits } from '../auth.js'

const DOCS = 'issues/issues'

function issueFilter(url: URL): (issue: IssueRecord) => boolean {
  const state = url.searchParams.get('state') ?? 'open'
  const labels = (url.searchParams.get('labels') ?? '')
    .split(',')
    .map(name => name.trim().toLowerCase())
    .filter(Boolean)
  const creator = url.searchParams.get('creator')?.toLowerCase()
  const since = url.searchParams.get('since')
  return issue =>
    (state === 'all' || issue.state === state) &&
    labels.every(name => issue.labels.some(held => held.toLowerCase() === name)) &&
    (!creator || issue.author.toLowerCase() === creator) &&
    (!since || issue.updatedAt >= since)
}

function issueOrder(url: URL): (a: IssueRecord, b: IssueRecord) => number {
  const key = url.searchParams.get('sort') === 'updated' ? 'updatedAt' : 'createdAt'
  const sign = url.searchParams.get('direction') === 'asc' ? 1 : -1
  return (a, b) => sign * (a[key].localeCompare(b[key]) || a.number - b.number)
}

async function listIssues(ctx: RouteContext): Promise<RouteResult> {
  const issues = [...ctx.repo.issues.values()]
    .filter(issueFilter(ctx.url))
    .sort(issueOrder(ctx.url))
  const page = paginate(issues, ctx.url, ctx.core.baseUrl)
  return {
    status: 200,
    body: page.items.map(issue => renderIssue(ctx.core, ctx.repo, issue)),
    headers: page.headers
  }
}

async function getIssue(ctx: RouteContext): Promise<RouteResult> {
  const issue = findIssue(ctx.repo, numberParam(ctx, 'issue_number'))
  return { status: 200, body: renderIssue(ctx.core, ctx.repo, issue) }
}

async function createIssue(ctx: RouteContext): Promise<RouteResult> {
  const actor = actorLogin(ctx)
  const issue = createIssueRecord(ctx.core, ctx.repo, {
    title: requiredString(ctx.body, 'title'),
    body: optionalString(ctx.body, 'body') ?? null,
    author: actor,
    assignees: ctx.body.assignees === undefined ? [] : stringList(ctx.body.assignees, 'assignees')
  })
  ctx.core.state.recordEvent(ctx.repo, 'issues', 'opened', actor, { number: issue.number })
  if (ctx.body.labels !== undefined && permits(ctx.caller.user, 'write')) {
    addLabels(ctx.core, ctx.repo, issue, stringList(ctx.body.labels, 'labels'), actor)
  }
  const body = renderIssue(ctx.core, ctx.repo, issue)
  return { status: 201, body, headers: { location: body.url } }
}

function applyState(ctx: RouteContext, issue: IssueRecord, actor: string): void {
  const state = optionalString(ctx.body, 'state')
  if (state === undefined || state === null) return
  if (state !== 'open' && state !== 'closed') {
    throw new ApiError(
      422,
      `Invalid request.\n\n${JSON.stringify(state)} is not a member of ["open", "closed"].`
    )
  }
  if (state === 'closed') {
    const reason =
      optionalString(ctx.body, 'state_reason') === 'not_planned' ? 'not_planned' : 'completed'
    closeIssue(ctx.core, ctx.repo, issue, actor, reason)
  } else if (!issue.pull?.merged) {
    reopenIssue(ctx.core, ctx.repo, issue, actor)
  }
}

async function updateIssue(ctx: RouteContext): Promise<RouteResult> {
  const issue = findIssue(ctx.repo, numberParam(ctx, 'issue_number'))
  const actor = actorLogin(ctx)
  const title = optionalString(ctx.body, 'title')
  const body = optionalString(ctx.body, 'body')
  if ((title !== undefined && title !== null) || body !== undefined) {
    if (title) issue.title = title
    if (body !== undefined) issue.body = body
    issue.updatedAt = timestamp()
    ctx.core.state.recordEvent(ctx.repo, 'issues', 'edited', actor, { number: issue.number })
  }
  if (ctx.body.labels !== undefined)
    setLabels(ctx.core, ctx.repo, issue, stringList(ctx.body.labels, 'labels'), actor)
  if (ctx.body.assignees !== undefined)
    issue.assignees = stringList(ctx.body.assignees, 'assignees')
  applyState(ctx, issue, actor)
  return { status: 200, body: renderIssue(ctx.core, ctx.repo, issue) }
}

const LOCK_REASONS = new Set(['off-topic', 'too heated', 'resolved', 'spam'])

async function lockIssue(ctx: RouteContext): Promise<RouteResult> {
  const issue = findIssue(ctx.repo, numberParam(ctx, 'issue_number'))
  const reason = optionalString(ctx.body, 'lock_reason') ?? null
  if (reason !== null && !LOCK_REASONS.has(reason)) {
    throw new ApiError(
      422,
      `Invalid request.\n\n${JSON.stringify(reason)} is not a valid lock reason.`
    )
  }
  issue.locked = true
  issue.lockReason = reason
  issue.updatedAt = timestamp()
  ctx.core.state.recordEvent(ctx.repo, 'issues', 'locked', actorLogin(ctx), {
    number: issue.number
  })
  return { status: 204 }
}

async function unlockIssue(ctx: RouteContext): Promise<RouteResult> {
  const issue = findIssue(ctx.repo, numberParam(ctx, 'issue_number'))
  issue.locked = false
  issue.lockReason = null
  issue.updatedAt = timestamp()
  ctx.core.state.recordEvent(ctx.repo, 'issues', 'unlocked', actorLogin(ctx), {
    number: issue.number
  })
  return { status: 204 }
}

async function listSubIssues(ctx: RouteContext): Promise<RouteResult> {
  const parent = findIssue(ctx.repo, numberParam(ctx, 'issue_number'))
  const children = parent.subIssues.map(n => findIssue(ctx.repo, n))
  const page = paginate(children, ctx.url, ctx.core.baseUrl)
  return {
    status: 200,
    body: page.items.map(issue => renderIssue(ctx.core, ctx.repo, issue)),
    headers: page.headers
  }
}

async function addSubIssue(ctx: RouteContext): Promise<RouteResult> {
  const parent = findIssue(ctx.repo, numberParam(ctx, 'issue_number'))
  const childId = ctx.body.sub_issue_id
  const child = [...ctx.repo.issues.values()].find(
    issue => issue.id === childId && issue.pull === null
  )
  if (!child || child === parent) {
    throw validationFailed(
      { resource: 'Issue', code: 'invalid', field: 'sub_issue_id' },
      'issues/sub-issues#add-sub-issue'
    )
  }
  if (child.parent !== null && child.parent !== parent.number && ctx.body.replace_parent !== true) {
    const message = 'Issue may not have more than one parent; pass replace_parent to move it.'
    throw validationFailed(
      { resource: 'Issue', code: 'custom', field: 'sub_issue_id', message },
      'issues/sub-issues#add-sub-issue'
    )
  }
  if (child.parent !== null) {
    const old = findIssue(ctx.repo, child.parent)
    old.subIssues = old.subIssues.filter(n => n !== child.number)
  }
  child.parent = parent.number
  if (!parent.subIssues.includes(child.number)) parent.subIssues.push(child.number)
  return { status: 201, body: renderIssue(ctx.core, ctx.repo, parent) }
}

const issue = '/repos/{owner}/{repo}/issues/{issue_number}'

/** Issue routes, lock state and sub-issues. */
export const issueRoutes: Route[] = [
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/issues',
    access: 'public',
    scopes: ['issues:read'],
    docs: `${DOCS}#list-repository-issues`,
    handle: listIssues
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/issues',
    access: 'write',
    scopes: ['issues:write'],
    docs: `${DOCS}#create-an-issue`,
    handle: createIssue
  },
  {
    method: 'GET',
    template: issue,
    access: 'public',
    scopes: ['issues:read'],
    docs: `${DOCS}#get-an-issue`,
    handle: getIssue
  },
  {
    method: 'PATCH',
    template: issue,
    access: 'write',
    scopes: ['issues:write'],
    pullScopes: ['pull-requests:write'],
    docs: `${DOCS}#update-an-issue`,
    handle: updateIssue
  },
  {
    method: 'PUT',
    template: `${issue}/lock`,
    access: 'write',
    scopes: ['issues:write'],
    pullScopes: ['pull-requests:write'],
    docs: `${DOCS}#lock-an-issue`,
    handle: lockIssue
  },
  {
    method: 'DELETE',
    template: `${issue}/lock`,
    access: 'write',
    scopes: ['issues:write'],
    pullScopes: ['pull-requests:write'],
    docs: `${DOCS}#unlock-an-issue`,
    handle: unlockIssue
  },
  {
    method: 'GET',
    template: `${issue}/sub_issues`,
    access: 'public',
    scopes: ['issues:read'],
    docs: 'issues/sub-issues#list-sub-issues',
    handle: listSubIssues
  },
  {
    method: 'POST',
    template: `${issue}/sub_issues`,
    access: 'write',
    scopes: ['issues:write'],
    docs: 'issues/sub-issues#add-sub-issue',
    handle: addSubIssue
  }
]
