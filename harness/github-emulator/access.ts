/**
 * Who may do what, per request: personal tokens by their account's role, job and installation
 * tokens by the scopes they carry on their own repository, as GitHub decides for REST routes and
 * for git over HTTP. Each decision also names the scope the request used, for the request log.
 */
import type { Caller, TokenGrant } from './auth.js'
import { permits } from './auth.js'
import { ApiError } from './http.js'
import type { Route } from './router.js'
import type { ScopeNeed, ScopeUse } from './scopes.js'
import { acceptedPermissionsHeader, holds, parseNeed, usableScope } from './scopes.js'
import type { RepoState } from './state.js'

/** Whether the route's issue, or the issue its comment is on, is a pull request. */
function targetIsPull(repo: RepoState, params: Record<string, string>): boolean {
  const number =
    params.issue_number !== undefined
      ? Number(params.issue_number)
      : repo.comments.get(Number(params.comment_id))?.issueNumber
  return number !== undefined && (repo.issues.get(number)?.pull ?? null) !== null
}

/** The scopes a token may use the route with on this request's target. */
export function acceptedScopes(
  route: Route,
  repo: RepoState,
  params: Record<string, string>
): readonly ScopeNeed[] {
  if (!route.pullScopes || !targetIsPull(repo, params)) return route.scopes
  return [...route.scopes, ...route.pullScopes]
}

function ownRepository(grant: TokenGrant, repo: RepoState): boolean {
  return grant.repository === null || grant.repository.toLowerCase() === repo.fullName.toLowerCase()
}

function notAccessible(needs: readonly ScopeNeed[]): ApiError {
  return new ApiError(403, 'Resource not accessible by integration', null, null, {
    'x-accepted-github-permissions': acceptedPermissionsHeader(needs)
  })
}

/**
 * A job or installation token on a REST route: its own repository needs one of the route's
 * scopes; a public repository's readable routes need none ("can be used without ... the
 * aforementioned permissions if only public resources are requested"); another private
 * repository does not exist for it.
 */
function authorizeGrant(
  route: Route,
  grant: TokenGrant,
  repo: RepoState,
  params: Record<string, string>
): ScopeUse | null {
  const needs = acceptedScopes(route, repo, params)
  const publicRead = !repo.settings.private && route.access === 'public'
  if (!ownRepository(grant, repo)) {
    if (repo.settings.private) throw new ApiError(404, 'Not Found')
    if (publicRead) return null
    throw notAccessible(needs)
  }
  const use = usableScope(grant.permissions, needs)
  if (use !== null || publicRead) return use
  throw notAccessible(needs)
}

/**
 * Decides whether `caller` may use `route` on `repo`; throws GitHub's answer when not. Returns
 * the scope the request used: the token's own for job and installation tokens, the route's
 * first for personal tokens (which have no scopes, but the log still says what the route needs).
 */
export function authorizeRoute(
  route: Route,
  caller: Caller,
  repo: RepoState,
  params: Record<string, string>
): ScopeUse | null {
  if (caller.grant) return authorizeGrant(route, caller.grant, repo, params)
  if (repo.settings.private && !permits(caller.user, 'read')) throw new ApiError(404, 'Not Found')
  const first = route.scopes[0]
  const primary = first === undefined ? null : parseNeed(first)
  if (route.access === 'public') return primary
  if (caller.user === null) throw new ApiError(401, 'Requires authentication')
  if (!permits(caller.user, route.access))
    throw new ApiError(403, 'Resource not accessible by personal access token')
  return primary
}

/** What git over HTTP decided for one request of a job or installation token. */
export interface GitGrantDecision {
  /** The plain-text answer when refused (GitHub's words), else null. */
  refusal: { status: number; text: string } | null
  scope: ScopeUse
  /** Whether a push must not add, change or delete files under `.github/workflows/`. */
  guardWorkflows: boolean
}

/**
 * A job or installation token over git: fetching needs `contents: read` (a public repository
 * needs nothing), pushing `contents: write`, and a push that touches workflow files needs
 * `workflows` too. A private repository the token cannot read is "not found", as on GitHub.
 */
export function authorizeGitGrant(
  grant: TokenGrant,
  repo: RepoState,
  push: boolean
): GitGrantDecision {
  const scope: ScopeUse = { name: 'contents', level: push ? 'write' : 'read' }
  const own = ownRepository(grant, repo)
  const canRead = own && holds(grant.permissions, { name: 'contents', level: 'read' })
  const guardWorkflows = !holds(grant.permissions, { name: 'workflows', level: 'write' })
  if (!canRead && repo.settings.private)
    return { refusal: { status: 404, text: 'Repository not found.\n' }, scope, guardWorkflows }
  if (push && !(own && holds(grant.permissions, scope))) {
    const text = `Permission to ${repo.fullName}.git denied to ${grant.user.login}.\n`
    return { refusal: { status: 403, text }, scope, guardWorkflows }
  }
  return { refusal: null, scope, guardWorkflows }
}
