/**
 * The repository itself and collaborator permissions; plus the full route table in match order.
 */
import type { components } from '@octokit/openapi-types'
import type { Route, RouteContext, RouteResult } from '../router.js'
import { ApiError } from '../http.js'
import { fullRepository, simpleUser } from '../render/repo.js'
import { actionRoutes } from './actions.js'
import { commentRoutes } from './comments.js'
import { issueRoutes } from './issues.js'
import { labelRoutes } from './labels.js'
import { mergeRoutes } from './merge.js'
import { pullRoutes } from './pulls.js'
import { commitRoute, refRoutes } from './refs.js'
import { statusRoutes } from './statuses.js'

async function getRepo(ctx: RouteContext): Promise<RouteResult> {
  return { status: 200, body: fullRepository(ctx.core, ctx.repo, ctx.caller.user) }
}

async function collaboratorPermission(ctx: RouteContext): Promise<RouteResult> {
  const user = ctx.core.state.user(ctx.params.username ?? '')
  if (!user || user.tokenKind === null)
    throw new ApiError(404, `${ctx.params.username} is not a user`)
  const body: components['schemas']['repository-collaborator-permission'] = {
    permission: user.permission,
    role_name: user.permission,
    user: {
      ...simpleUser(ctx.core, user.login),
      permissions: {
        admin: user.permission === 'admin',
        maintain: user.permission === 'admin',
        push: user.permission !== 'read',
        triage: user.permission !== 'read',
        pull: true
      },
      role_name: user.permission
    }
  }
  return { status: 200, body }
}

const repoRoutes: Route[] = [
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}',
    access: 'public',
    scopes: ['metadata:read'],
    docs: 'repos/repos#get-a-repository',
    handle: getRepo
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/collaborators/{username}/permission',
    access: 'read',
    scopes: ['metadata:read'],
    docs: 'collaborators/collaborators#get-repository-permissions-for-a-user',
    handle: collaboratorPermission
  }
]

/** Every REST route, most specific first where templates overlap. */
export const allRoutes: Route[] = [
  ...repoRoutes,
  ...issueRoutes,
  ...labelRoutes,
  ...commentRoutes,
  ...pullRoutes,
  ...mergeRoutes,
  ...refRoutes,
  ...statusRoutes,
  ...actionRoutes,
  commitRoute
]
