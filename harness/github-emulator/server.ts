/**
 * The request pipeline of the forge: control endpoints, git smart HTTP, mounted handlers, then the
 * REST routes with GitHub's rate-limit headers, fault injection, authentication and permissions,
 * and a log entry for every request (with the token and the scope it used).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { setTimeout as delay } from 'node:timers/promises'
import { authorizeRoute } from './access.js'
import type { Caller } from './auth.js'
import { serveControl } from './control.js'
import type { ForgeCore } from './core.js'
import type { FaultInjector } from './faults.js'
import type { AfterPush } from './git-http.js'
import { GIT_PATH, GIT_ROUTE, serveGit } from './git-http.js'
import { ApiError, errorBody, parseJsonBody, RateLimiter, readBody, sendJson } from './http.js'
import { syncPulls } from './pull-state.js'
import type { CompiledRoute, Route } from './router.js'
import { compileRoute, matchRoute } from './router.js'
import { allRoutes } from './routes/repos.js'
import type { CallerKind, ExtraRequestHandler, FaultRule, RequestLogEntry } from './types.js'

const SECONDARY_DOCS = 'overview/rate-limits-for-the-rest-api#about-secondary-rate-limits'
const PRIMARY_DOCS = 'overview/rate-limits-for-the-rest-api#about-the-primary-rate-limits'

/**
 * GitHub's hourly budgets per caller kind. `GITHUB_TOKEN`'s 1,000 is per repository, shared by
 * every job token there; an installation gets at least 5,000.
 */
export const DEFAULT_RATE_LIMITS: Record<CallerKind, number> = {
  admin: 5000,
  write: 5000,
  read: 5000,
  actions: 1000,
  installation: 5000,
  anonymous: 60,
  invalid: 60
}

/** Whose budget a request spends: `kind:` then the repository, account or address. */
function rateKey(caller: Caller, req: IncomingMessage): string {
  const grant = caller.grant
  if (grant?.kind === 'job' && grant.repository !== null)
    return `${caller.kind}:${grant.repository.toLowerCase()}`
  if (caller.user) return `${caller.kind}:${caller.user.login}`
  return `${caller.kind}:${req.socket.remoteAddress}`
}

export interface PipelineOptions {
  core: ForgeCore
  faults: FaultInjector
  extraHandlers: ExtraRequestHandler[]
  rateLimits: Record<CallerKind, number>
  afterPush: AfterPush
}

/** Handles every request of one forge and keeps its request log. */
export class RequestPipeline {
  readonly requests: RequestLogEntry[] = []
  private readonly routes: CompiledRoute[] = allRoutes.map(compileRoute)
  private readonly rates: RateLimiter
  private requestCount = 0

  constructor(private readonly options: PipelineOptions) {
    this.rates = new RateLimiter(key => options.rateLimits[key.split(':')[0] as CallerKind] ?? 5000)
  }

  /** The node:http request listener. */
  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    this.handle(req, res).catch((error: unknown) => {
      const failure = new ApiError(500, `Server Error: ${(error as Error).message}`)
      if (!res.headersSent) sendJson(res, 500, errorBody(failure, null), {})
      else res.destroy()
    })
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { core, faults } = this.options
    const started = Date.now()
    const url = new URL(req.url ?? '/', core.baseUrl)
    const caller = core.tokens.identify(req.headers.authorization)
    if (url.pathname.startsWith('/_sandbox/')) {
      await serveControl({ core, faults, requests: this.requests }, req, res, url, caller)
      return
    }
    const entry: RequestLogEntry = {
      method: req.method ?? 'GET',
      route: url.pathname,
      path: url.pathname,
      status: 0,
      tokenKind: caller.kind,
      login: caller.user?.login ?? null,
      tokenId: caller.grant?.id ?? null,
      scope: null,
      at: new Date(started).toISOString(),
      durationMs: 0,
      fault: null
    }
    try {
      await this.dispatch(req, res, url, caller, entry)
    } finally {
      entry.status = res.statusCode
      entry.durationMs = Date.now() - started
      this.requests.push(entry)
    }
  }

  private async dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    caller: Caller,
    entry: RequestLogEntry
  ) {
    const { core, afterPush } = this.options
    const git = GIT_PATH.exec(url.pathname)
    if (git) {
      entry.route = `${GIT_ROUTE}${git[3]}`
      entry.scope = await serveGit(core, req, res, url, git, caller, afterPush)
      return
    }
    const info = { apiUrl: core.baseUrl, userForToken: (t: string) => core.tokens.userForToken(t) }
    for (const handler of this.options.extraHandlers) {
      if (await handler(req, res, info)) return
    }
    await this.serveRest(req, res, url, caller, entry)
  }

  private commonHeaders(
    caller: Caller,
    req: IncomingMessage
  ): { headers: Record<string, string>; exceeded: boolean } {
    this.requestCount += 1
    const rate = this.rates.take(rateKey(caller, req))
    const headers = {
      ...rate.headers,
      'x-github-request-id': `5A4D:${process.pid.toString(16).toUpperCase()}:${this.requestCount.toString(16).toUpperCase()}`,
      'x-github-media-type': 'github.v3; format=json',
      'x-github-api-version-selected': '2022-11-28'
    }
    return { headers, exceeded: rate.exceeded }
  }

  private async serveRest(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    caller: Caller,
    entry: RequestLogEntry
  ) {
    const { headers, exceeded } = this.commonHeaders(caller, req)
    const matched = matchRoute(this.routes, req.method ?? 'GET', url.pathname)
    const docs = matched?.route.docs ?? null
    try {
      if (!matched) throw new ApiError(404, 'Not Found')
      entry.route = matched.route.template
      if (exceeded)
        throw new ApiError(
          403,
          `API rate limit exceeded for ${caller.user?.login ?? 'this address'}.`,
          PRIMARY_DOCS
        )
      const fault = this.options.faults.pick(entry.method, matched.route.template)
      if (fault) {
        entry.fault = fault.kind
        await this.applyFault(fault, headers)
      }
      const result = await this.runRoute(req, url, caller, matched, entry)
      sendJson(res, result.status, result.body, { ...headers, ...result.headers })
    } catch (error) {
      if (!(error instanceof ApiError)) throw error
      sendJson(res, error.status, errorBody(error, docs), { ...headers, ...error.headers })
    }
  }

  /** Latency delays the request; the other kinds answer instead of the route. */
  private async applyFault(fault: FaultRule, headers: Record<string, string>): Promise<void> {
    if (fault.kind === 'latency') {
      await delay(fault.latencyMs ?? 500)
      return
    }
    if (fault.kind === 'secondary-rate-limit') {
      const message =
        'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. ' +
        `If you reach out to GitHub Support for help, please include the request ID ${headers['x-github-request-id']}.`
      throw new ApiError(fault.status ?? 403, message, SECONDARY_DOCS, null, {
        'retry-after': String(fault.retryAfterSeconds ?? 1)
      })
    }
    const status = fault.status ?? 500
    throw new ApiError(
      status,
      status === 503 ? 'Service Unavailable' : status === 502 ? 'Bad Gateway' : 'Server Error'
    )
  }

  private async runRoute(
    req: IncomingMessage,
    url: URL,
    caller: Caller,
    { route, params }: { route: Route; params: Record<string, string> },
    entry: RequestLogEntry
  ) {
    const { core } = this.options
    const repo = core.state.repo(params.owner ?? '', params.repo ?? '')
    if (caller.kind === 'invalid') {
      throw new ApiError(401, 'Bad credentials', 'overview/authenticating-to-the-rest-api')
    }
    if (!repo) throw new ApiError(404, 'Not Found')
    entry.scope = authorizeRoute(route, caller, repo, params)
    const body =
      route.method === 'GET' ? {} : (parseJsonBody(await readBody(req)) as Record<string, unknown>)
    const run = async () => {
      await syncPulls(core, repo, null)
      return route.handle({ core, repo, params, url, body, caller, request: req })
    }
    // writes to one repository run one at a time, so check-then-act handlers cannot interleave
    return route.method === 'GET' ? run() : repo.exclusive(run)
  }
}
