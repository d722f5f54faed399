/**
 * Labels of a repository (list, create, get, update, delete) and of an issue or PR (list, add,
 * set, remove one, remove all).
 */
import type { Route, RouteContext, RouteResult } from '../router.js'
import { ApiError, paginate, validationFailed } from '../http.js'
import {
  actorLogin,
  findIssue,
  numberParam,
  optionalString,
  requiredString,
  stringList
} from '../core.js'
import { addLabels, removeLabel, setLabels } from '../issue-ops.js'
import { issueLabels, renderLabel } from '../render/issues.js'
import type { LabelRecord } from '../state.js'

const REPO_DOCS = 'issues/labels'

function findLabel(ctx: RouteContext): LabelRecord {
  const label = ctx.repo.label(ctx.params.name ?? '')
  if (!label) throw new ApiError(404, 'Not Found')
  return label
}

function colour(value: string | null | undefined): string {
  const hex = (value ?? 'ededed').replace(/^#/, '')
  if (!/^[0-9a-fA-F]{6}$/.test(hex)) {
    throw validationFailed(
      { resource: 'Label', code: 'invalid', field: 'color' },
      `${REPO_DOCS}#create-a-label`
    )
  }
  return hex.toLowerCase()
}

async function listRepoLabels(ctx: RouteContext): Promise<RouteResult> {
  const page = paginate([...ctx.repo.labels.values()], ctx.url, ctx.core.baseUrl)
  return {
    status: 200,
    body: page.items.map(label => renderLabel(ctx.core, ctx.repo, label)),
    headers: page.headers
  }
}

async function createRepoLabel(ctx: RouteContext): Promise<RouteResult> {
  const name = requiredString(ctx.body, 'name')
  if (ctx.repo.label(name)) {
    throw validationFailed(
      { resource: 'Label', code: 'already_exists', field: 'name' },
      `${REPO_DOCS}#create-a-label`
    )
  }
  const label: LabelRecord = {
    id: ctx.core.state.nextId(),
    name,
    color: colour(optionalString(ctx.body, 'color')),
    description: optionalString(ctx.body, 'description') ?? null
  }
  ctx.repo.labels.set(name.toLowerCase(), label)
  ctx.core.state.recordEvent(ctx.repo, 'label', 'created', actorLogin(ctx), { label: name })
  const body = renderLabel(ctx.core, ctx.repo, label)
  return { status: 201, body, headers: { location: body.url } }
}

async function getRepoLabel(ctx: RouteContext): Promise<RouteResult> {
  return { status: 200, body: renderLabel(ctx.core, ctx.repo, findLabel(ctx)) }
}

async function updateRepoLabel(ctx: RouteContext): Promise<RouteResult> {
  const label = findLabel(ctx)
  const newName = optionalString(ctx.body, 'new_name')
  if (newName && newName.toLowerCase() !== label.name.toLowerCase() && ctx.repo.label(newName)) {
    throw validationFailed(
      { resource: 'Label', code: 'already_exists', field: 'name' },
      `${REPO_DOCS}#update-a-label`
    )
  }
  if (ctx.body.color !== undefined) label.color = colour(optionalString(ctx.body, 'color'))
  if (ctx.body.description !== undefined)
    label.description = optionalString(ctx.body, 'description') ?? null
  if (newName) {
    for (const issue of ctx.repo.issues.values()) {
      issue.labels = issue.labels.map(held =>
        held.toLowerCase() === label.name.toLowerCase() ? newName : held
      )
    }
    ctx.repo.labels.delete(label.name.toLowerCase())
    label.name = newName
    ctx.repo.labels.set(newName.toLowerCase(), label)
  }
  return { status: 200, body: renderLabel(ctx.core, ctx.repo, label) }
}

async function deleteRepoLabel(ctx: RouteContext): Promise<RouteResult> {
  const label = findLabel(ctx)
  for (const issue of ctx.repo.issues.values()) {
    issue.labels = issue.labels.filter(held => held.toLowerCase() !== label.name.toLowerCase())
  }
  ctx.repo.labels.delete(label.name.toLowerCase())
  return { status: 204 }
}

function labelNames(body: unknown): string[] {
  if (Array.isArray(body)) return stringList(body, 'labels')
  const labels = (body as Record<string, unknown>).labels
  return labels === undefined ? [] : stringList(labels, 'labels')
}

async function listIssueLabels(ctx: RouteContext): Promise<RouteResult> {
  const issue = findIssue(ctx.repo, numberParam(ctx, 'issue_number'))
  const page = paginate(issueLabels(ctx.core, ctx.repo, issue), ctx.url, ctx.core.baseUrl)
  return { status: 200, body: page.items, headers: page.headers }
}

async function addIssueLabels(ctx: RouteContext): Promise<RouteResult> {
  const issue = findIssue(ctx.repo, numberParam(ctx, 'issue_number'))
  addLabels(ctx.core, ctx.repo, issue, labelNames(ctx.body), actorLogin(ctx))
  return { status: 200, body: issueLabels(ctx.core, ctx.repo, issue) }
}

async function setIssueLabels(ctx: RouteContext): Promise<RouteResult> {
  const issue = findIssue(ctx.repo, numberParam(ctx, 'issue_number'))
  setLabels(ctx.core, ctx.repo, issue, labelNames(ctx.body), actorLogin(ctx))
  return { status: 200, body: issueLabels(ctx.core, ctx.repo, issue) }
}

async function removeIssueLabel(ctx: RouteContext): Promise<RouteResult> {
  const issue = findIssue(ctx.repo, numberParam(ctx, 'issue_number'))
  if (!removeLabel(ctx.core, ctx.repo, issue, ctx.params.name ?? '', actorLogin(ctx))) {
    throw new ApiError(404, 'Label does not exist')
  }
  return { status: 200, body: issueLabels(ctx.core, ctx.repo, issue) }
}

async function removeAllIssueLabels(ctx: RouteContext): Promise<RouteResult> {
  const issue = findIssue(ctx.repo, numberParam(ctx, 'issue_number'))
  setLabels(ctx.core, ctx.repo, issue, [], actorLogin(ctx))
  return { status: 204 }
}

const repoLabels = '/repos/{owner}/{repo}/labels'
const issueLabelsPath = '/repos/{owner}/{repo}/issues/{issue_number}/labels'
const d = (anchor: string) => `${REPO_DOCS}#${anchor}`

/** Repository and issue label routes. */
export const labelRoutes: Route[] = [
  {
    method: 'GET',
    template: repoLabels,
    access: 'public',
    scopes: ['issues:read', 'pull-requests:read'],
    docs: d('list-labels-for-a-repository'),
    handle: listRepoLabels
  },
  {
    method: 'POST',
    template: repoLabels,
    access: 'write',
    scopes: ['issues:write', 'pull-requests:write'],
    docs: d('create-a-label'),
    handle: createRepoLabel
  },
  {
    method: 'GET',
    template: `${repoLabels}/{name}`,
    access: 'public',
    scopes: ['issues:read', 'pull-requests:read'],
    docs: d('get-a-label'),
    handle: getRepoLabel
  },
  {
    method: 'PATCH',
    template: `${repoLabels}/{name}`,
    access: 'write',
    scopes: ['issues:write', 'pull-requests:write'],
    docs: d('update-a-label'),
    handle: updateRepoLabel
  },
  {
    method: 'DELETE',
    template: `${repoLabels}/{name}`,
    access: 'write',
    scopes: ['issues:write', 'pull-requests:write'],
    docs: d('delete-a-label'),
    handle: deleteRepoLabel
  },
  {
    method: 'GET',
    template: issueLabelsPath,
    access: 'public',
    scopes: ['issues:read'],
    pullScopes: ['pull-requests:read'],
    docs: d('list-labels-for-an-issue'),
    handle: listIssueLabels
  },
  {
    method: 'POST',
    template: issueLabelsPath,
    access: 'write',
    scopes: ['issues:write'],
    pullScopes: ['pull-requests:write'],
    docs: d('add-labels-to-an-issue'),
    handle: addIssueLabels
  },
  {
    method: 'PUT',
    template: issueLabelsPath,
    access: 'write',
    scopes: ['issues:write'],
    pullScopes: ['pull-requests:write'],
    docs: d('set-labels-for-an-issue'),
    handle: setIssueLabels
  },
  {
    method: 'DELETE',
    template: issueLabelsPath,
    access: 'write',
    scopes: ['issues:write'],
    pullScopes: ['pull-requests:write'],
    docs: d('remove-all-labels-from-an-issue'),
    handle: removeAllIssueLabels
  },
  {
    method: 'DELETE',
    template: `${issueLabelsPath}/{name}`,
    access: 'write',
    scopes: ['issues:write'],
    pullScopes: ['pull-requests:write'],
    docs: d('remove-a-label-from-an-issue'),
    handle: removeIssueLabel
  }
]
