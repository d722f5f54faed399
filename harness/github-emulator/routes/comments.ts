/**
 * Issue comments (on issues and PRs alike): list, create, get, update, delete.
 */
import type { Route, RouteContext, RouteResult } from '../router.js'
import { ApiError, paginate } from '../http.js'
import { actorLogin, findIssue, numberParam, requiredString } from '../core.js'
import { renderComment } from '../render/issues.js'
import type { CommentRecord } from '../state.js'
import { timestamp } from '../state.js'

const DOCS = 'issues/comments'

function findComment(ctx: RouteContext): CommentRecord {
  const comment = ctx.repo.comments.get(numberParam(ctx, 'comment_id'))
  if (!comment) throw new ApiError(404, 'Not Found')
  return comment
}

async function listComments(ctx: RouteContext): Promise<RouteResult> {
  const issue = findIssue(ctx.repo, numberParam(ctx, 'issue_number'))
  const since = ctx.url.searchParams.get('since')
  const comments = [...ctx.repo.comments.values()].filter(
    comment => comment.issueNumber === issue.number && (!since || comment.updatedAt >= since)
  )
  const page = paginate(comments, ctx.url, ctx.core.baseUrl)
  return {
    status: 200,
    body: page.items.map(c => renderComment(ctx.core, ctx.repo, c)),
    headers: page.headers
  }
}

async function createComment(ctx: RouteContext): Promise<RouteResult> {
  const issue = findIssue(ctx.repo, numberParam(ctx, 'issue_number'))
  const now = timestamp()
  const comment: CommentRecord = {
    id: ctx.core.state.nextId(),
    issueNumber: issue.number,
    body: requiredString(ctx.body, 'body'),
    author: actorLogin(ctx),
    createdAt: now,
    updatedAt: now
  }
  ctx.repo.comments.set(comment.id, comment)
  issue.updatedAt = now
  ctx.core.state.recordEvent(ctx.repo, 'issue_comment', 'created', comment.author, {
    number: issue.number,
    comment_id: comment.id
  })
  const body = renderComment(ctx.core, ctx.repo, comment)
  return { status: 201, body, headers: { location: body.url } }
}

async function getComment(ctx: RouteContext): Promise<RouteResult> {
  return { status: 200, body: renderComment(ctx.core, ctx.repo, findComment(ctx)) }
}

async function updateComment(ctx: RouteContext): Promise<RouteResult> {
  const comment = findComment(ctx)
  comment.body = requiredString(ctx.body, 'body')
  comment.updatedAt = timestamp()
  ctx.core.state.recordEvent(ctx.repo, 'issue_comment', 'edited', actorLogin(ctx), {
    number: comment.issueNumber,
    comment_id: comment.id
  })
  return { status: 200, body: renderComment(ctx.core, ctx.repo, comment) }
}

async function deleteComment(ctx: RouteContext): Promise<RouteResult> {
  const comment = findComment(ctx)
  ctx.repo.comments.delete(comment.id)
  ctx.core.state.recordEvent(ctx.repo, 'issue_comment', 'deleted', actorLogin(ctx), {
    number: comment.issueNumber,
    comment_id: comment.id
  })
  return { status: 204 }
}

const onIssue = '/repos/{owner}/{repo}/issues/{issue_number}/comments'
const single = '/repos/{owner}/{repo}/issues/comments/{comment_id}'

/** Issue comment routes. */
export const commentRoutes: Route[] = [
  {
    method: 'GET',
    template: onIssue,
    access: 'public',
    scopes: ['issues:read'],
    pullScopes: ['pull-requests:read'],
    docs: `${DOCS}#list-issue-comments`,
    handle: listComments
  },
  {
    method: 'POST',
    template: onIssue,
    access: 'write',
    scopes: ['issues:write'],
    pullScopes: ['pull-requests:write'],
    docs: `${DOCS}#create-an-issue-comment`,
    handle: createComment
  },
  {
    method: 'GET',
    template: single,
    access: 'public',
    scopes: ['issues:read'],
    pullScopes: ['pull-requests:read'],
    docs: `${DOCS}#get-an-issue-comment`,
    handle: getComment
  },
  {
    method: 'PATCH',
    template: single,
    access: 'write',
    scopes: ['issues:write'],
    pullScopes: ['pull-requests:write'],
    docs: `${DOCS}#update-an-issue-comment`,
    handle: updateComment
  },
  {
    method: 'DELETE',
    template: single,
    access: 'write',
    scopes: ['issues:write'],
    pullScopes: ['pull-requests:write'],
    docs: `${DOCS}#delete-an-issue-comment`,
    handle: deleteComment
  }
]
