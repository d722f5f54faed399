/**
 * Merging a pull request (merge, squash or rebase, with the `sha` guard) and updating its branch
 * from the base (`expected_head_sha` guard): real commits written into the bare repository, refs
 * moved with compare-and-swap so concurrent callers cannot both win.
 */
import type { Route, RouteContext, RouteResult } from '../router.js'
import type { ForgeCore } from '../core.js'
import { actorLogin, findPull, numberParam, optionalString } from '../core.js'
import { ApiError } from '../http.js'
import { createMergeCommit, createRebasedCommits, createSquashCommit } from '../git-merge.js'
import type { CommitPeople } from '../git-merge.js'
import { readCommits } from '../git-diff.js'
import { compareAndSwapRef, deleteRef, isAncestor } from '../git.js'
import { closeIssue } from '../issue-ops.js'
import { closingReferences, syncPulls, unmetRequiredCheck } from '../pull-state.js'
import { account, htmlBase } from '../render/repo.js'
import type { IssueRecord, PullRecord, RepoState } from '../state.js'
import { timestamp } from '../state.js'

const DOCS = 'pulls/pulls'
type PullIssue = IssueRecord & { pull: PullRecord }
const GITHUB = { name: 'GitHub', email: 'noreply@github.com' }

function people(core: ForgeCore, author: string): CommitPeople {
  const user = account(core, author)
  return { author: { name: user.login, email: user.email }, committer: GITHUB }
}

async function squashMessage(
  repo: RepoState,
  issue: PullIssue,
  title: string | undefined,
  message: string | undefined
) {
  const commits = await readCommits(repo.gitDir, [`${issue.pull.baseSha}..${issue.pull.headSha}`])
  const defaultBody = commits.map(commit => `* ${commit.message}`).join('\n\n')
  return (
    `${title ?? `${issue.title} (#${issue.number})`}\n\n${message ?? defaultBody}`.trimEnd() + '\n'
  )
}

async function buildMerge(
  ctx: RouteContext,
  issue: PullIssue,
  method: string
): Promise<string | null> {
  const { repo, core } = ctx
  const title = optionalString(ctx.body, 'commit_title') ?? undefined
  const message = optionalString(ctx.body, 'commit_message') ?? undefined
  const { baseSha, headSha } = issue.pull
  if (method === 'squash') {
    const text = await squashMessage(repo, issue, title, message)
    return createSquashCommit(repo.gitDir, baseSha, headSha, text, people(core, issue.author))
  }
  if (method === 'rebase') return createRebasedCommits(repo.gitDir, baseSha, headSha, GITHUB)
  const text = `${title ?? `Merge pull request #${issue.number} from ${repo.owner}/${issue.pull.headRef}`}\n\n${message ?? issue.title}\n`
  return createMergeCommit(repo.gitDir, baseSha, headSha, text, people(core, actorLogin(ctx)))
}

function refuseMerge(ctx: RouteContext, issue: PullIssue): void {
  if (issue.state !== 'open') throw new ApiError(405, 'Pull Request is not mergeable')
  const sha = optionalString(ctx.body, 'sha')
  if (sha && sha !== issue.pull.headSha)
    throw new ApiError(409, 'Head branch was modified. Review and try the merge again.')
  if (issue.pull.draft) throw new ApiError(405, 'Pull Request is still a draft')
  const unmet =
    issue.pull.baseRef === ctx.repo.settings.defaultBranch &&
    unmetRequiredCheck(ctx.repo, issue.pull.headSha)
  if (unmet) throw new ApiError(405, `Required status check "${unmet}" is expected.`)
}

function mergeMethod(ctx: RouteContext): string {
  const method = optionalString(ctx.body, 'merge_method') ?? 'merge'
  if (!['merge', 'squash', 'rebase'].includes(method)) {
    throw new ApiError(
      422,
      `Invalid request.\n\n${JSON.stringify(method)} is not a member of ["merge", "squash", "rebase"].`
    )
  }
  return method
}

function closeReferencedIssues(ctx: RouteContext, issue: PullIssue, actor: string): void {
  if (issue.pull.baseRef !== ctx.repo.settings.defaultBranch) return
  for (const number of closingReferences(issue.body)) {
    const target = ctx.repo.issues.get(number)
    if (target && target.pull === null) closeIssue(ctx.core, ctx.repo, target, actor, 'completed')
  }
}

function recordMerged(ctx: RouteContext, issue: PullIssue, commit: string, actor: string): void {
  const now = timestamp()
  Object.assign(issue.pull, {
    merged: true,
    mergedAt: now,
    mergedBy: actor,
    mergeCommitSha: commit
  })
  Object.assign(issue, { state: 'closed', closedAt: now, closedBy: actor, updatedAt: now })
  ctx.repo.pushedAt = now
  const events = ctx.core.state
  events.recordEvent(ctx.repo, 'push', null, actor, {
    ref: `refs/heads/${issue.pull.baseRef}`,
    before: issue.pull.baseSha,
    after: commit
  })
  events.recordEvent(ctx.repo, 'pull_request', 'closed', actor, {
    number: issue.number,
    merged: true,
    sha: commit
  })
}

async function mergePull(ctx: RouteContext): Promise<RouteResult> {
  const issue = findPull(ctx.repo, numberParam(ctx, 'pull_number'))
  refuseMerge(ctx, issue)
  const commit = await buildMerge(ctx, issue, mergeMethod(ctx))
  if (commit === null) {
    issue.pull.mergeability = {
      key: `${issue.pull.headSha}:${issue.pull.baseSha}`,
      mergeable: false
    }
    throw new ApiError(405, 'Pull Request is not mergeable')
  }
  const baseRef = `refs/heads/${issue.pull.baseRef}`
  if (!(await compareAndSwapRef(ctx.repo.gitDir, baseRef, commit, issue.pull.baseSha))) {
    throw new ApiError(405, 'Base branch was modified. Review and try the merge again.')
  }
  const actor = actorLogin(ctx)
  recordMerged(ctx, issue, commit, actor)
  closeReferencedIssues(ctx, issue, actor)
  if (ctx.repo.settings.deleteBranchOnMerge) {
    await deleteRef(ctx.repo.gitDir, `refs/heads/${issue.pull.headRef}`)
  }
  const body = { sha: commit, merged: true, message: 'Pull Request successfully merged' }
  return { status: 200, body }
}

async function checkMerged(ctx: RouteContext): Promise<RouteResult> {
  const issue = findPull(ctx.repo, numberParam(ctx, 'pull_number'))
  if (!issue.pull.merged) throw new ApiError(404, 'Not Found')
  return { status: 204 }
}

const HEAD_MOVED = "expected head sha didn't match current head ref."

/** The refusals GitHub answers update-branch with before trying the merge. */
async function refuseUpdate(ctx: RouteContext, issue: PullIssue): Promise<void> {
  if (issue.state !== 'open') throw new ApiError(422, 'Pull request is closed.')
  const expected = optionalString(ctx.body, 'expected_head_sha')
  if (expected && expected !== issue.pull.headSha) throw new ApiError(422, HEAD_MOVED)
  if (await isAncestor(ctx.repo.gitDir, issue.pull.baseSha, issue.pull.headSha)) {
    throw new ApiError(422, 'There are no new commits on the base branch.')
  }
}

async function updateBranch(ctx: RouteContext): Promise<RouteResult> {
  const issue = findPull(ctx.repo, numberParam(ctx, 'pull_number'))
  await refuseUpdate(ctx, issue)
  const { baseSha, headSha, baseRef, headRef } = issue.pull
  const actor = actorLogin(ctx)
  const message = `Merge branch '${baseRef}' into ${headRef}\n`
  const gitDir = ctx.repo.gitDir
  const commit = await createMergeCommit(gitDir, headSha, baseSha, message, people(ctx.core, actor))
  if (commit === null) throw new ApiError(422, 'merge conflict between base and head')
  const ref = `refs/heads/${headRef}`
  if (!(await compareAndSwapRef(gitDir, ref, commit, headSha))) throw new ApiError(422, HEAD_MOVED)
  ctx.core.state.recordEvent(ctx.repo, 'push', null, actor, { ref, before: headSha, after: commit })
  await syncPulls(ctx.core, ctx.repo, actor)
  const url = `${htmlBase(ctx.core, ctx.repo)}/pull/${issue.number}`
  return { status: 202, body: { message: 'Updating pull request branch.', url } }
}

const pull = '/repos/{owner}/{repo}/pulls/{pull_number}'

/** Merge check, merge and update-branch routes. */
export const mergeRoutes: Route[] = [
  {
    method: 'GET',
    template: `${pull}/merge`,
    access: 'public',
    scopes: ['pull-requests:read'],
    docs: `${DOCS}#check-if-a-pull-request-has-been-merged`,
    handle: checkMerged
  },
  {
    method: 'PUT',
    template: `${pull}/merge`,
    access: 'write',
    scopes: ['contents:write'],
    docs: `${DOCS}#merge-a-pull-request`,
    handle: mergePull
  },
  {
    method: 'PUT',
    template: `${pull}/update-branch`,
    access: 'write',
    scopes: ['pull-requests:write'],
    docs: `${DOCS}#update-a-pull-request-branch`,
    handle: updateBranch
  }
]
