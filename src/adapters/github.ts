/**
 * The GitHub REST client: Octokit from `@actions/github` with the retry and throttling plugins, and a
 * counter of every HTTP attempt by route and status: the pipeline counts its own requests against GitHub's hourly budget.
 */
import { getOctokit } from '@actions/github'
import { defaults as actionsOctokitDefaults } from '@actions/github/lib/utils'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import Bottleneck from 'bottleneck'
import type { Ui } from '../ports.js'

/** The Octokit instance the adapters use: REST endpoint methods and pagination. */
export type GitHubOctokit = ReturnType<typeof getOctokit>

type OctokitOptions = NonNullable<Parameters<typeof getOctokit>[1]>
type OctokitPlugin = NonNullable<Parameters<typeof getOctokit>[2]>

/** Where the client reports retries and rate limits. */
export type GitHubClientLogger = Pick<Ui, 'debug' | 'info' | 'warning'>

/** One rate-limit response, as reported to `onRateLimit`. */
export interface RateLimitEvent {
  /** `primary`: the hourly quota is spent; `secondary`: GitHub's abuse limits (403/429 with a message). */
  kind: 'primary' | 'secondary'
  /** How long GitHub asked to wait, in seconds. */
  retryAfterSeconds: number
  method: string
  route: string
  /** How many times this request has already been retried for a rate limit. */
  retryCount: number
  willRetry: boolean
}

export interface GitHubClientOptions {
  token: string
  /** REST API root; defaults to `GITHUB_API_URL`, then `https://api.github.com`. */
  baseUrl?: string
  userAgent?: string
  /** Retries of a server error (5xx) or network failure; default 3. */
  retries?: number
  /** Base of the retry back-off for server errors: attempt n waits n² × this; default 1000 ms. */
  retryBaseDelayMs?: number
  /** Retries of a request refused by a rate limit; default 3. */
  rateLimitRetries?: number
  /**
   * The longest `retry-after` (or time to the quota reset) the client waits out, in seconds; a longer
   * one fails the request at once instead of stalling the job. Default 300.
   */
  maxRateLimitWaitSeconds?: number
  /**
   * Minimum spacing between two content-creating requests (POST, PATCH, PUT, DELETE). Left unset, the
   * throttling plugin's defaults apply (1 s, and 3 s for requests that notify people), as GitHub
   * recommends; a local sandbox forge can set 0.
   */
  writeSpacingMs?: number
  logger?: GitHubClientLogger
  /** Called for every rate-limit response, after the retry decision is made. */
  onRateLimit?: (event: RateLimitEvent) => void
  /** The environment read for `GITHUB_API_URL`; defaults to `process.env`. */
  env?: Readonly<Record<string, string | undefined>>
}

/** Attempts per route, split by HTTP status (`no-response` when the request never got one). */
export interface RouteRequestCount {
  total: number
  byStatus: Record<string, number>
}

export interface RequestCountSnapshot {
  /** Every HTTP attempt, retries included. */
  total: number
  /** Keyed by `METHOD /route/{template}`, e.g. `GET /repos/{owner}/{repo}/issues/{issue_number}`. */
  byRoute: Record<string, RouteRequestCount>
}

export interface GitHubClient {
  octokit: GitHubOctokit
  /** The REST API root the client talks to, without a trailing slash. */
  baseUrl: string
  /** A copy of the request counts so far. */
  requestCounts(): RequestCountSnapshot
}

const defaultApiUrl = 'https://api.github.com'
const defaultUserAgent = 'codex-issue-waves'

/**
 * Builds the GitHub client. Server errors are retried with back-off; primary and secondary rate
 * limits are waited out as GitHub's `retry-after` says, a bounded number of times and never longer
 * than `maxRateLimitWaitSeconds`. Every HTTP attempt is counted by route and status.
 */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  if (!options.token) {
    throw new Error(
      'createGitHubClient: the token is empty. Pass a GitHub token (the github-token input, or GH_TOKEN for the command line).'
    )
  }
  const env = options.env ?? process.env
  const baseUrl = trimTrailingSlashes(options.baseUrl || env['GITHUB_API_URL'] || defaultApiUrl)
  const counter = new RequestCounter(baseUrl)
  const octokitOptions: OctokitOptions = {
    baseUrl,
    userAgent: options.userAgent ?? defaultUserAgent,
    retry: {
      retries: options.retries ?? 3,
      retryAfterBaseValue: options.retryBaseDelayMs ?? 1000,
      // Rate limits (403/429) belong to the throttling plugin, which honours retry-after. 405 and
      // 409 answer about state (a merge refused, a head that moved): repeating them changes nothing.
      doNotRetry: [400, 401, 403, 404, 405, 409, 410, 422, 429, 451]
    },
    throttle: throttleOptions(options)
  }
  if (options.logger) octokitOptions.log = octokitLog(options.logger)
  // @actions/github resolves its proxy-aware fetch for GITHUB_API_URL when it loads; another root
  // (a sandbox forge on loopback) must not inherit that proxy decision.
  if (baseUrl !== trimTrailingSlashes(String(actionsOctokitDefaults.baseUrl))) {
    octokitOptions.request = { fetch: globalThis.fetch }
  }
  const octokit = getOctokit(
    options.token,
    octokitOptions,
    // First, so that it wraps the raw request inside the retry and throttling loops.
    countingPlugin(counter),
    retry,
    throttling
  )
  return { octokit, baseUrl, requestCounts: () => counter.snapshot() }
}

/**
 * The counting key of a request: its method and route template. Absolute URLs (pagination links)
 * are reduced to their path under the API root; query strings are dropped.
 */
export function routeKey(method: string, url: string, baseUrl: string): string {
  let path = url
  if (/^https?:\/\//i.test(path)) {
    path = path.startsWith(baseUrl) ? path.slice(baseUrl.length) : new URL(path).pathname
  }
  path = path.replace(/(\{\?|\?).*$/, '')
  return `${method.toUpperCase()} ${path.startsWith('/') ? path : `/${path}`}`
}

class RequestCounter {
  private total = 0
  private readonly byRoute = new Map<string, RouteRequestCount>()

  constructor(readonly baseUrl: string) {}

  record(route: string, status: string): void {
    this.total += 1
    const entry = this.byRoute.get(route) ?? { total: 0, byStatus: {} }
    entry.total += 1
    entry.byStatus[status] = (entry.byStatus[status] ?? 0) + 1
    this.byRoute.set(route, entry)
  }

  snapshot(): RequestCountSnapshot {
    const byRoute: Record<string, RouteRequestCount> = {}
    for (const [route, entry] of this.byRoute) {
      byRoute[route] = { total: entry.total, byStatus: { ...entry.byStatus } }
    }
    return { total: this.total, byRoute }
  }
}

function countingPlugin(counter: RequestCounter): OctokitPlugin {
  return octokit => {
    octokit.hook.wrap('request', async (request, options) => {
      const route = routeKey(options.method, options.url, counter.baseUrl)
      try {
        const response = await request(options)
        counter.record(route, String(response.status))
        return response
      } catch (error) {
        counter.record(route, statusOfFailure(error))
        throw error
      }
    })
    return {}
  }
}

/** Octokit reports a network failure as status 500 without a response; count it apart. */
function statusOfFailure(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'response' in error && error.response) {
    const status = (error as { status?: unknown }).status
    if (typeof status === 'number') return String(status)
  }
  return 'no-response'
}

function throttleOptions(options: GitHubClientOptions): OctokitOptions['throttle'] {
  const maxRetries = options.rateLimitRetries ?? 3
  const maxWait = options.maxRateLimitWaitSeconds ?? 300
  const decide =
    (kind: RateLimitEvent['kind']) =>
    (
      retryAfterSeconds: number,
      request: { method: string; url: string },
      _octokit: unknown,
      retryCount: number
    ): boolean => {
      const willRetry = retryCount < maxRetries && retryAfterSeconds <= maxWait
      const route = routeKey(request.method, request.url, '')
      const what = `GitHub ${kind} rate limit on ${route}`
      if (willRetry) {
        options.logger?.warning(
          `${what}: retrying in ${retryAfterSeconds} s (retry ${retryCount + 1} of ${maxRetries}).`
        )
      } else {
        const why =
          retryCount >= maxRetries
            ? `already retried ${retryCount} times`
            : `GitHub asks to wait ${retryAfterSeconds} s, more than the ${maxWait} s limit (maxRateLimitWaitSeconds)`
        options.logger?.warning(
          `${what}: giving up, ${why}. Re-run the job later, or use a token with its own quota (a GitHub App installation token).`
        )
      }
      options.onRateLimit?.({
        kind,
        retryAfterSeconds,
        method: request.method,
        route,
        retryCount,
        willRetry
      })
      return willRetry
    }
  const throttle: OctokitOptions['throttle'] = {
    onRateLimit: decide('primary'),
    onSecondaryRateLimit: decide('secondary')
  }
  if (options.writeSpacingMs !== undefined) {
    const minTime = options.writeSpacingMs
    throttle.write = new Bottleneck.Group({ maxConcurrent: 1, minTime })
    throttle.notifications = new Bottleneck.Group({ maxConcurrent: 1, minTime })
  }
  return throttle
}

function octokitLog(logger: GitHubClientLogger): OctokitOptions['log'] {
  return {
    debug: (message: string) => logger.debug(message),
    info: (message: string) => logger.debug(message),
    warn: (message: string) => logger.warning(message),
    error: (message: string) => logger.warning(message)
  }
}

function trimTrailingSlashes(url: string): string {
  return url.replace(/\/+$/, '')
}
