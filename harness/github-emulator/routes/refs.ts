/**
 * Git refs (get, matching, create, update, delete), commits and comparisons, read from and
 * written to the bare repository.
 */
import type { components } from '@octokit/openapi-types'
import type { Route, RouteContext, RouteResult } from '../router.js'
import { actorLogin, optionalBoolean, requiredString } from '../core.js'
import { ApiError, paginate, validationFailed } from '../http.js'
import {
  compareAndSwapRef,
  countCommits,
  deleteRef,
  isAncestor,
  matchingRefs,
  mergeBase,
  readRef,
  resolveCommit
} from '../git.js'
import { diffFiles, readCommit, readCommits } from '../git-diff.js'
import { syncPulls } from '../pull-state.js'
import { renderCommit, renderDiffEntry, renderRef } from '../render/git.js'
import { apiBase, htmlBase } from '../render/repo.js'
import { timestamp } from '../state.js'

const DOCS = 'git/refs'
/** git's well-known empty tree, the "parent" of a root commit. */
const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904'

function fullRef(ctx: RouteContext): string {
  return `refs/${ctx.params.ref ?? ''}`
}

async function getRef(ctx: RouteContext): Promise<RouteResult> {
  const ref = fullRef(ctx)
  const sha = await readRef(ctx.repo.gitDir, ref)
  if (sha === null || !/^refs\/(heads|tags)\//.test(ref)) throw new ApiError(404, 'Not Found')
  return { status: 200, body: renderRef(ctx.core, ctx.repo, ref, sha) }
}

async function listMatchingRefs(ctx: RouteContext): Promise<RouteResult> {
  const refs = await matchingRefs(ctx.repo.gitDir, fullRef(ctx))
  return {
    status: 200,
    body: refs.map(entry => renderRef(ctx.core, ctx.repo, entry.ref, entry.sha))
  }
}

async function createRef(ctx: RouteContext): Promise<RouteResult> {
  const ref = requiredString(ctx.body, 'ref')
  const sha = requiredString(ctx.body, 'sha')
  if (!/^refs\/[^/]+\/.+/.test(ref)) throw new ApiError(422, `${ref} is not a valid ref name.`)
  if ((await resolveCommit(ctx.repo.gitDir, sha)) !== sha)
    throw new ApiError(422, 'Object does not exist')
  if (!(await compareAndSwapRef(ctx.repo.gitDir, ref, sha, null)))
    throw new ApiError(422, 'Reference already exists')
  ctx.core.state.recordEvent(ctx.repo, 'create', null, actorLogin(ctx), { ref, sha })
  const body = renderRef(ctx.core, ctx.repo, ref, sha)
  return { status: 201, body, headers: { location: body.url } }
}

async function updateRef(ctx: RouteContext): Promise<RouteResult> {
  const ref = fullRef(ctx)
  const sha = requiredString(ctx.body, 'sha')
  const current = await readRef(ctx.repo.gitDir, ref)
  if (current === null) throw new ApiError(422, 'Reference does not exist')
  if ((await resolveCommit(ctx.repo.gitDir, sha)) !== sha)
    throw new ApiError(422, 'Object does not exist')
  const force = optionalBoolean(ctx.body, 'force') ?? false
  if (!force && !(await isAncestor(ctx.repo.gitDir, current, sha)))
    throw new ApiError(422, 'Update is not a fast forward')
  if (!(await compareAndSwapRef(ctx.repo.gitDir, ref, sha, current)))
    throw new ApiError(422, 'Reference cannot be updated')
  const actor = actorLogin(ctx)
  ctx.core.state.recordEvent(ctx.repo, 'push', null, actor, {
    ref,
    before: current,
    after: sha,
    forced: force
  })
  ctx.repo.pushedAt = timestamp()
  await syncPulls(ctx.core, ctx.repo, actor)
  return { status: 200, body: renderRef(ctx.core, ctx.repo, ref, sha) }
}

async function deleteRefRoute(ctx: RouteContext): Promise<RouteResult> {
  const ref = fullRef(ctx)
  const current = await readRef(ctx.repo.gitDir, ref)
  if (current === null || !(await deleteRef(ctx.repo.gitDir, ref, current))) {
    throw new ApiError(422, 'Reference does not exist')
  }
  const actor = actorLogin(ctx)
  ctx.core.state.recordEvent(ctx.repo, 'delete', null, actor, { ref, sha: current })
  await syncPulls(ctx.core, ctx.repo, actor)
  return { status: 204 }
}

/** Resolves a compare side: a branch, tag or SHA, optionally `owner:branch`. */
async function compareSide(ctx: RouteContext, side: string): Promise<string> {
  const name = side.includes(':') ? side.slice(side.indexOf(':') + 1) : side
  const sha = await resolveCommit(ctx.repo.gitDir, name)
  if (sha === null) throw new ApiError(404, `No commit found for the ref ${name}`)
  return sha
}

function compareStatus(
  ahead: number,
  behind: number
): 'identical' | 'ahead' | 'behind' | 'diverged' {
  if (ahead === 0 && behind === 0) return 'identical'
  if (behind === 0) return 'ahead'
  return ahead === 0 ? 'behind' : 'diverged'
}

async function compare(ctx: RouteContext): Promise<RouteResult> {
  const basehead = ctx.params.basehead ?? ''
  const separator = basehead.indexOf('...')
  if (separator < 0) throw new ApiError(404, 'Not Found')
  const base = await compareSide(ctx, basehead.slice(0, separator))
  const head = await compareSide(ctx, basehead.slice(separator + 3))
  const fork = (await mergeBase(ctx.repo.gitDir, base, head)) ?? base
  const gitDir = ctx.repo.gitDir
  const [ahead, behind, commits, files, baseCommit, forkCommit] = await Promise.all([
    countCommits(gitDir, base, head),
    countCommits(gitDir, head, base),
    readCommits(gitDir, [`${base}..${head}`]),
    diffFiles(gitDir, fork, head),
    readCommit(gitDir, base),
    readCommit(gitDir, fork)
  ])
  const page = paginate(commits, ctx.url, ctx.core.baseUrl, 250)
  const body = {
    url: `${apiBase(ctx.core, ctx.repo)}/compare/${basehead}`,
    html_url: `${htmlBase(ctx.core, ctx.repo)}/compare/${basehead}`,
    permalink_url: `${htmlBase(ctx.core, ctx.repo)}/compare/${base}...${head}`,
    diff_url: `${htmlBase(ctx.core, ctx.repo)}/compare/${basehead}.diff`,
    patch_url: `${htmlBase(ctx.core, ctx.repo)}/compare/${basehead}.patch`,
    base_commit: renderCommit(ctx.core, ctx.repo, baseCommit),
    merge_base_commit: renderCommit(ctx.core, ctx.repo, forkCommit),
    status: compareStatus(ahead, behind),
    ahead_by: ahead,
    behind_by: behind,
    total_commits: ahead,
    commits: page.items.map(commit => renderCommit(ctx.core, ctx.repo, commit)),
    files: files.slice(0, 300).map(file => renderDiffEntry(ctx.core, ctx.repo, file, head))
  } satisfies components['schemas']['commit-comparison']
  return { status: 200, body, headers: page.headers }
}

async function getCommit(ctx: RouteContext): Promise<RouteResult> {
  const sha = await resolveCommit(ctx.repo.gitDir, ctx.params.ref ?? '')
  if (sha === null)
    throw validationFailed(
      { resource: 'Commit', code: 'invalid', field: 'ref' },
      'commits/commits#get-a-commit'
    )
  const commit = await readCommit(ctx.repo.gitDir, sha)
  const files = await diffFiles(ctx.repo.gitDir, commit.parents[0] ?? EMPTY_TREE, sha)
  return { status: 200, body: renderCommit(ctx.core, ctx.repo, commit, files) }
}

const git = '/repos/{owner}/{repo}/git'

/** Git ref and compare routes. */
export const refRoutes: Route[] = [
  {
    method: 'GET',
    template: `${git}/ref/{ref}`,
    access: 'public',
    scopes: ['contents:read'],
    docs: `${DOCS}#get-a-reference`,
    handle: getRef
  },
  {
    method: 'GET',
    template: `${git}/matching-refs/{ref}`,
    access: 'public',
    scopes: ['contents:read'],
    docs: `${DOCS}#list-matching-references`,
    handle: listMatchingRefs
  },
  {
    method: 'POST',
    template: `${git}/refs`,
    access: 'write',
    scopes: ['contents:write'],
    docs: `${DOCS}#create-a-reference`,
    handle: createRef
  },
  {
    method: 'PATCH',
    template: `${git}/refs/{ref}`,
    access: 'write',
    scopes: ['contents:write'],
    docs: `${DOCS}#update-a-reference`,
    handle: updateRef
  },
  {
    method: 'DELETE',
    template: `${git}/refs/{ref}`,
    access: 'write',
    scopes: ['contents:write'],
    docs: `${DOCS}#delete-a-reference`,
    handle: deleteRefRoute
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/compare/{basehead}',
    access: 'public',
    scopes: ['contents:read'],
    docs: 'commits/commits#compare-two-commits',
    handle: compare
  }
]

/** Listed after the status and check routes, whose paths it would otherwise swallow. */
export const commitRoute: Route = {
  method: 'GET',
  template: '/repos/{owner}/{repo}/commits/{ref}',
  access: 'public',
  scopes: ['contents:read'],
  docs: 'commits/commits#get-a-commit',
  handle: getCommit
}
