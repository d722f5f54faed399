/**
 * Pull requests: list (state, head, base), create, get (with mergeability), update, files, commits.
 */
import type { Route, RouteContext, RouteResult } from '../router.js'
import { ApiError, paginate, validationFailed } from '../http.js'
import {
  actorLogin,
  findPull,
  numberParam,
  optionalBoolean,
  optionalString,
  requiredString
} from '../core.js'
import { createIssueRecord, closeIssue, reopenIssue } from '../issue-ops.js'
import { pullDetails, pullMergeBase } from '../pull-state.js'
import { renderPull, renderPullSimple } from '../render/pulls.js'
import { renderCommit, renderDiffEntry } from '../render/git.js'
import { diffFiles, readCommits } from '../git-diff.js'
import { countCommits, listBranches } from '../git.js'
import type { IssueRecord, PullRecord } from '../state.js'
import { timestamp } from '../state.js'

const DOCS = 'pulls/pulls'
type PullIssue = IssueRecord & { pull: PullRecord }

/** `owner:branch` or `branch` → the branch, when the owner is this repository's. */
function branchName(ctx: RouteContext, value: string): string {
  const colon = value.indexOf(':')
  if (colon < 0) return value
  return value.slice(0, colon).toLowerCase() === ctx.repo.owner.toLowerCase()
    ? value.slice(colon + 1)
    : `\0${value}`
}

function pullFilter(ctx: RouteContext): (issue: PullIssue) => boolean {
  const state = ctx.url.searchParams.get('state') ?? 'open'
  const head = ctx.url.searchParams.get('head')
  const headBranch = head === null ? null : branchName(ctx, head)
  const base = ctx.url.searchParams.get('base')
  return issue =>
    (state === 'all' || issue.state === state) &&
    (headBranch === null || issue.pull.headRef === headBranch) &&
    (base === null || issue.pull.baseRef === base)
}

async function listPulls(ctx: RouteContext): Promise<RouteResult> {
  const sign = ctx.url.searchParams.get('direction') === 'asc' ? 1 : -1
  const key = ctx.url.searchParams.get('sort') === 'updated' ? 'updatedAt' : 'createdAt'
  const pulls = (ctx.repo.pulls() as PullIssue[])
    .filter(pullFilter(ctx))
    .sort((a, b) => sign * (a[key].localeCompare(b[key]) || a.number - b.number))
  const page = paginate(pulls, ctx.url, ctx.core.baseUrl)
  return {
    status: 200,
    body: page.items.map(p => renderPullSimple(ctx.core, ctx.repo, p)),
    headers: page.headers
  }
}

async function getPull(ctx: RouteContext): Promise<RouteResult> {
  const issue = findPull(ctx.repo, numberParam(ctx, 'pull_number'))
  return {
    status: 200,
    body: renderPull(ctx.core, ctx.repo, issue, await pullDetails(ctx.core, ctx.repo, issue))
  }
}

async function checkNewPull(
  ctx: RouteContext,
  head: string,
  base: string
): Promise<{ headSha: string; baseSha: string }> {
  const branches = await listBranches(ctx.repo.gitDir)
  const headSha = branches.get(head)
  const baseSha = branches.get(base)
  const docs = `${DOCS}#create-a-pull-request`
  if (baseSha === undefined)
    throw validationFailed({ resource: 'PullRequest', field: 'base', code: 'invalid' }, docs)
  if (headSha === undefined)
    throw validationFailed({ resource: 'PullRequest', field: 'head', code: 'invalid' }, docs)
  if ((await countCommits(ctx.repo.gitDir, baseSha, headSha)) === 0) {
    throw validationFailed(
      {
        resource: 'PullRequest',
        code: 'custom',
        message: `No commits between ${base} and ${head}`
      },
      docs
    )
  }
  const duplicate = (ctx.repo.pulls() as PullIssue[]).find(
    p => p.state === 'open' && p.pull.headRef === head && p.pull.baseRef === base
  )
  if (duplicate) {
    const message = `A pull request already exists for ${ctx.repo.owner}:${head}.`
    throw validationFailed({ resource: 'PullRequest', code: 'custom', message }, docs)
  }
  return { headSha, baseSha }
}

async function createPull(ctx: RouteContext): Promise<RouteResult> {
  const head = branchName(ctx, requiredString(ctx.body, 'head'))
  const base = requiredString(ctx.body, 'base')
  const { headSha, baseSha } = await checkNewPull(ctx, head, base)
  const actor = actorLogin(ctx)
  const issue = createIssueRecord(ctx.core, ctx.repo, {
    title: requiredString(ctx.body, 'title'),
    body: optionalString(ctx.body, 'body') ?? null,
    author: actor
  })
  issue.pull = {
    headRef: head,
    headSha,
    baseRef: base,
    baseSha,
    draft: optionalBoolean(ctx.body, 'draft') ?? false,
    merged: false,
    mergedAt: null,
    mergedBy: null,
    mergeCommitSha: null,
    maintainerCanModify: optionalBoolean(ctx.body, 'maintainer_can_modify') ?? true,
    mergeability: { key: '', mergeable: null }
  }
  const pull = issue as PullIssue
  ctx.core.state.recordEvent(ctx.repo, 'pull_request', 'opened', actor, {
    number: issue.number,
    head,
    base,
    sha: headSha
  })
  const body = renderPull(ctx.core, ctx.repo, pull, await pullDetails(ctx.core, ctx.repo, pull))
  return { status: 201, body, headers: { location: body.url } }
}

async function changeBase(ctx: RouteContext, issue: PullIssue, base: string): Promise<void> {
  const baseSha = (await listBranches(ctx.repo.gitDir)).get(base)
  if (baseSha === undefined) {
    throw validationFailed(
      { resource: 'PullRequest', field: 'base', code: 'invalid' },
      `${DOCS}#update-a-pull-request`
    )
  }
  issue.pull.baseRef = base
  issue.pull.baseSha = baseSha
}

async function updatePull(ctx: RouteContext): Promise<RouteResult> {
  const issue = findPull(ctx.repo, numberParam(ctx, 'pull_number'))
  const actor = actorLogin(ctx)
  const title = optionalString(ctx.body, 'title')
  const body = optionalString(ctx.body, 'body')
  if (title) issue.title = title
  if (body !== undefined) issue.body = body
  const base = optionalString(ctx.body, 'base')
  if (base) await changeBase(ctx, issue, base)
  const canModify = optionalBoolean(ctx.body, 'maintainer_can_modify')
  if (canModify !== undefined) issue.pull.maintainerCanModify = canModify
  issue.updatedAt = timestamp()
  ctx.core.state.recordEvent(ctx.repo, 'pull_request', 'edited', actor, { number: issue.number })
  const state = optionalString(ctx.body, 'state')
  if (state === 'closed') closeIssue(ctx.core, ctx.repo, issue, actor)
  if (state === 'open' && !issue.pull.merged) {
    if (!(await listBranches(ctx.repo.gitDir)).has(issue.pull.headRef)) {
      throw new ApiError(
        422,
        'Validation Failed: the head branch no longer exists; restore it to reopen.'
      )
    }
    reopenIssue(ctx.core, ctx.repo, issue, actor)
  }
  return {
    status: 200,
    body: renderPull(ctx.core, ctx.repo, issue, await pullDetails(ctx.core, ctx.repo, issue))
  }
}

async function listPullFiles(ctx: RouteContext): Promise<RouteResult> {
  const issue = findPull(ctx.repo, numberParam(ctx, 'pull_number'))
  const base = await pullMergeBase(ctx.repo, issue.pull)
  const files = (await diffFiles(ctx.repo.gitDir, base, issue.pull.headSha)).slice(0, 3000)
  const page = paginate(files, ctx.url, ctx.core.baseUrl)
  const body = page.items.map(file => renderDiffEntry(ctx.core, ctx.repo, file, issue.pull.headSha))
  return { status: 200, body, headers: page.headers }
}

async function listPullCommits(ctx: RouteContext): Promise<RouteResult> {
  const issue = findPull(ctx.repo, numberParam(ctx, 'pull_number'))
  const commits = await readCommits(ctx.repo.gitDir, [
    `${issue.pull.baseSha}..${issue.pull.headSha}`
  ])
  const page = paginate(commits.slice(0, 250), ctx.url, ctx.core.baseUrl)
  return {
    status: 200,
    body: page.items.map(c => renderCommit(ctx.core, ctx.repo, c)),
    headers: page.headers
  }
}

const pulls = '/repos/{owner}/{repo}/pulls'
const pull = `${pulls}/{pull_number}`

/** Pull request routes. */
export const pullRoutes: Route[] = [
  {
    method: 'GET',
    template: pulls,
    access: 'public',
    scopes: ['pull-requests:read'],
    docs: `${DOCS}#list-pull-requests`,
    handle: listPulls
  },
  {
    method: 'POST',
    template: pulls,
    access: 'write',
    scopes: ['pull-requests:write'],
    docs: `${DOCS}#create-a-pull-request`,
    handle: createPull
  },
  {
    method: 'GET',
    template: pull,
    access: 'public',
    scopes: ['pull-requests:read', 'contents:read'],
    docs: `${DOCS}#get-a-pull-request`,
    handle: getPull
  },
  {
    method: 'PATCH',
    template: pull,
    access: 'write',
    scopes: ['pull-requests:write'],
    docs: `${DOCS}#update-a-pull-request`,
    handle: updatePull
  },
  {
    method: 'GET',
    template: `${pull}/files`,
    access: 'public',
    scopes: ['pull-requests:read'],
    docs: `${DOCS}#list-pull-requests-files`,
    handle: listPullFiles
  },
  {
    method: 'GET',
    template: `${pull}/commits`,
    access: 'public',
    scopes: ['pull-requests:read'],
    docs: `${DOCS}#list-commits-on-a-pull-request`,
    handle: listPullCommits
  }
]
