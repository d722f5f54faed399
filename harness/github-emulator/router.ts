/**
 * Route declarations and matching. A route names GitHub's path template (the one the request
 * log and fault rules use), the role a personal token needs, the scopes a job or installation
 * token needs, and the docs page its errors point to.
 */
import type { IncomingMessage } from 'node:http'
import type { Caller } from './auth.js'
import type { ForgeCore } from './core.js'
import type { ScopeNeed } from './scopes.js'
import type { RepoState } from './state.js'

/**
 * Who may call a route with a personal token: `public` anyone (the repository's visibility still
 * applies); `read`, `write`, `admin` a token with at least that role. Job and installation tokens
 * go by the route's `scopes` instead.
 */
export type Access = 'public' | 'read' | 'write' | 'admin'

export interface RouteContext {
  core: ForgeCore
  /** The repository of a `/repos/{owner}/{repo}/...` route. */
  repo: RepoState
  params: Record<string, string>
  url: URL
  body: Record<string, unknown>
  caller: Caller
  request: IncomingMessage
}

export interface RouteResult {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'
  template: string
  access: Access
  /**
   * The scopes a job or installation token may use the route with, any one suffices, as
   * GitHub's "Permissions required for GitHub Apps" lists them for the endpoint.
   */
  scopes: readonly ScopeNeed[]
  /**
   * Further scopes accepted when the route's issue (or the issue of its comment) is a pull
   * request: GitHub keys issue permissions off the target, so `pull-requests` serves a PR only.
   */
  pullScopes?: readonly ScopeNeed[]
  /** Path under https://docs.github.com/rest, e.g. `issues/issues#get-an-issue`. */
  docs: string
  handle(ctx: RouteContext): Promise<RouteResult>
}

/** Parameters that span several path segments (`heads/feature/x`, `main...fix/1-a`). */
const GREEDY = new Set(['ref', 'basehead'])
const NUMERIC = new Set([
  'issue_number',
  'pull_number',
  'comment_id',
  'check_run_id',
  'run_id',
  'artifact_id'
])

export interface CompiledRoute {
  route: Route
  pattern: RegExp
  names: string[]
}

/** Turns a template into a matcher. */
export function compileRoute(route: Route): CompiledRoute {
  const names: string[] = []
  const source = route.template
    .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
    .replace(/\{(\w+)\}/g, (_m, name: string) => {
      names.push(name)
      if (GREEDY.has(name)) return '(.+)'
      return NUMERIC.has(name) ? '(\\d+)' : '([^/]+)'
    })
  return { route, pattern: new RegExp(`^${source}/?$`), names }
}

/** The route a request names, with its decoded parameters; null when none matches. */
export function matchRoute(
  routes: readonly CompiledRoute[],
  method: string,
  pathname: string
): { route: Route; params: Record<string, string> } | null {
  for (const compiled of routes) {
    if (compiled.route.method !== method) continue
    const match = compiled.pattern.exec(pathname)
    if (!match) continue
    const params: Record<string, string> = {}
    compiled.names.forEach((name, index) => {
      params[name] = decodeURIComponent(match[index + 1] ?? '')
    })
    return { route: compiled.route, params }
  }
  return null
}
