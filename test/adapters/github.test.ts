import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import {
  createGitHubClient,
  routeKey,
  type GitHubClientOptions,
  type RateLimitEvent
} from '../../src/adapters/github.js'

interface SeenRequest {
  method: string
  url: string
  headers: IncomingHttpHeaders
  at: number
}

interface ScriptedResponse {
  status: number
  headers?: Record<string, string>
  body?: unknown
}

/** A loopback HTTP server answering scripted responses per `METHOD /path`, then 200 `{}`. */
class FakeGitHub {
  readonly seen: SeenRequest[] = []
  private readonly scripts = new Map<string, ScriptedResponse[]>()
  private readonly server: Server = createServer((request, response) => {
    const key = `${request.method} ${request.url}`
    this.seen.push({
      method: request.method ?? '',
      url: request.url ?? '',
      headers: request.headers,
      at: Date.now()
    })
    request.resume()
    const next = this.scripts.get(key)?.shift() ?? { status: 200, body: { ok: true } }
    response.writeHead(next.status, { 'content-type': 'application/json', ...next.headers })
    response.end(JSON.stringify(next.body ?? {}))
  })

  url = ''

  async start(): Promise<void> {
    await new Promise<void>(resolve => this.server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((resolve, reject) =>
      this.server.close(error => (error ? reject(error) : resolve()))
    )
  }

  script(key: string, ...responses: ScriptedResponse[]): void {
    this.scripts.set(key, responses)
  }

  reset(): void {
    this.seen.length = 0
    this.scripts.clear()
  }
}

const server = new FakeGitHub()
const issueRoute = 'GET /repos/{owner}/{repo}/issues/{issue_number}'
const secondaryLimitBody = {
  message:
    'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.',
  documentation_url:
    'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits'
}

function recordingLogger() {
  const lines: string[] = []
  return {
    lines,
    logger: {
      debug: (message: string) => lines.push(`debug: ${message}`),
      info: (message: string) => lines.push(`info: ${message}`),
      warning: (message: string) => lines.push(`warning: ${message}`)
    }
  }
}

function client(options: Partial<GitHubClientOptions> = {}) {
  return createGitHubClient({
    token: 'test-token-123',
    baseUrl: server.url,
    retryBaseDelayMs: 10,
    writeSpacingMs: 0,
    env: {},
    ...options
  })
}

beforeAll(() => server.start())
afterAll(() => server.stop())
beforeEach(() => server.reset())

describe('createGitHubClient', () => {
  it('sends requests to the configured base URL with the token and counts them by route', async () => {
    const github = client({ userAgent: 'waves-test' })

    const response = await github.octokit.rest.issues.get({
      owner: 'octo',
      repo: 'demo',
      issue_number: 7
    })

    expect(response.data).toEqual({ ok: true })
    expect(server.seen).toHaveLength(1)
    expect(server.seen[0]?.url).toBe('/repos/octo/demo/issues/7')
    expect(server.seen[0]?.headers.authorization).toBe('token test-token-123')
    expect(server.seen[0]?.headers['user-agent']).toMatch(/^waves-test /)
    expect(github.requestCounts()).toEqual({
      total: 1,
      byRoute: { [issueRoute]: { total: 1, byStatus: { '200': 1 } } }
    })
  })

  it('takes the base URL from GITHUB_API_URL when no option is given', async () => {
    const github = createGitHubClient({ token: 't', env: { GITHUB_API_URL: `${server.url}/` } })

    await github.octokit.request('GET /rate_limit')

    expect(github.baseUrl).toBe(server.url)
    expect(server.seen.map(seen => seen.url)).toEqual(['/rate_limit'])
  })

  it('retries a server error and counts both attempts', async () => {
    server.script('GET /repos/octo/demo/issues/1', { status: 500, body: { message: 'boom' } })
    const github = client()

    const response = await github.octokit.rest.issues.get({
      owner: 'octo',
      repo: 'demo',
      issue_number: 1
    })

    expect(response.status).toBe(200)
    expect(server.seen).toHaveLength(2)
    expect(github.requestCounts()).toEqual({
      total: 2,
      byRoute: { [issueRoute]: { total: 2, byStatus: { '500': 1, '200': 1 } } }
    })
  })

  it('stops retrying server errors after the configured number of retries', async () => {
    const failures = Array.from({ length: 5 }, () => ({ status: 502, body: { message: 'bad' } }))
    server.script('GET /repos/octo/demo/issues/2', ...failures)
    const github = client({ retries: 2 })

    await expect(
      github.octokit.rest.issues.get({ owner: 'octo', repo: 'demo', issue_number: 2 })
    ).rejects.toMatchObject({ status: 502 })

    expect(server.seen).toHaveLength(3)
    expect(github.requestCounts().byRoute[issueRoute]).toEqual({
      total: 3,
      byStatus: { '502': 3 }
    })
  })

  it('does not retry a client error such as 404', async () => {
    server.script('GET /repos/octo/demo/issues/3', {
      status: 404,
      body: { message: 'Not Found' }
    })
    const github = client()

    await expect(
      github.octokit.rest.issues.get({ owner: 'octo', repo: 'demo', issue_number: 3 })
    ).rejects.toMatchObject({ status: 404 })
    expect(server.seen).toHaveLength(1)
  })

  it.each([405, 409, 422])(
    'does not retry a merge refused with %i, an answer about the pull request state',
    async status => {
      server.script('PUT /repos/octo/demo/pulls/5/merge', {
        status,
        body: { message: 'Head branch was modified. Review and try the merge again.' }
      })
      const github = client()

      await expect(
        github.octokit.rest.pulls.merge({ owner: 'octo', repo: 'demo', pull_number: 5, sha: 'a' })
      ).rejects.toMatchObject({ status })
      expect(server.seen).toHaveLength(1)
    }
  )

  it('waits out a secondary rate limit as retry-after says, then succeeds', async () => {
    server.script('POST /repos/octo/demo/issues/4/comments', {
      status: 403,
      headers: { 'retry-after': '1' },
      body: secondaryLimitBody
    })
    const { lines, logger } = recordingLogger()
    const events: RateLimitEvent[] = []
    const github = client({ logger, onRateLimit: event => events.push(event) })

    const response = await github.octokit.rest.issues.createComment({
      owner: 'octo',
      repo: 'demo',
      issue_number: 4,
      body: 'hello'
    })

    expect(response.status).toBe(200)
    expect(server.seen).toHaveLength(2)
    const [first, second] = server.seen
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950)
    expect(events).toEqual([
      {
        kind: 'secondary',
        retryAfterSeconds: 1,
        method: 'POST',
        route: 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
        retryCount: 0,
        willRetry: true
      }
    ])
    expect(
      lines.some(line => /^warning: GitHub secondary rate limit .*retrying in 1 s/.test(line))
    ).toBe(true)
    expect(
      github.requestCounts().byRoute['POST /repos/{owner}/{repo}/issues/{issue_number}/comments']
    ).toEqual({ total: 2, byStatus: { '403': 1, '200': 1 } })
  })

  it('waits out a spent primary quota until its reset time, then succeeds', async () => {
    server.script('GET /repos/octo/demo/issues/5', {
      status: 403,
      headers: {
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000))
      },
      body: { message: 'API rate limit exceeded for installation ID 1.' }
    })
    const events: RateLimitEvent[] = []
    const github = client({ onRateLimit: event => events.push(event) })

    const response = await github.octokit.rest.issues.get({
      owner: 'octo',
      repo: 'demo',
      issue_number: 5
    })

    expect(response.status).toBe(200)
    expect(server.seen).toHaveLength(2)
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ kind: 'primary', willRetry: true })
  })

  it('fails at once when a rate limit asks for a longer wait than the cap', async () => {
    server.script('GET /repos/octo/demo/issues/6', {
      status: 403,
      headers: { 'retry-after': '600' },
      body: secondaryLimitBody
    })
    const { lines, logger } = recordingLogger()
    const github = client({ logger, maxRateLimitWaitSeconds: 5 })
    const started = Date.now()

    await expect(
      github.octokit.rest.issues.get({ owner: 'octo', repo: 'demo', issue_number: 6 })
    ).rejects.toMatchObject({ status: 403 })

    expect(Date.now() - started).toBeLessThan(5000)
    expect(server.seen).toHaveLength(1)
    expect(lines.join('\n')).toMatch(
      /giving up, GitHub asks to wait 600 s, more than the 5 s limit/
    )
  })

  it('gives up on a rate limit after the configured number of retries', async () => {
    // retry-after 0 would make the plugin fall back to its 60 s default.
    const limited = { status: 403, headers: { 'retry-after': '1' }, body: secondaryLimitBody }
    server.script('GET /repos/octo/demo/issues/8', limited, limited, limited, limited)
    const github = client({ rateLimitRetries: 2 })

    await expect(
      github.octokit.rest.issues.get({ owner: 'octo', repo: 'demo', issue_number: 8 })
    ).rejects.toMatchObject({ status: 403 })

    expect(server.seen).toHaveLength(3)
    expect(github.requestCounts().total).toBe(3)
  })

  it('counts a request that got no response apart from HTTP statuses', async () => {
    const closed = createServer()
    await new Promise<void>(resolve => closed.listen(0, '127.0.0.1', resolve))
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`
    await new Promise<void>(resolve => closed.close(() => resolve()))
    const github = client({ baseUrl: deadUrl, retries: 1 })

    await expect(github.octokit.request('GET /rate_limit')).rejects.toThrow()

    expect(github.requestCounts()).toEqual({
      total: 2,
      byRoute: { 'GET /rate_limit': { total: 2, byStatus: { 'no-response': 2 } } }
    })
  })

  it('spaces content-creating requests by writeSpacingMs', async () => {
    const post = (github: ReturnType<typeof client>, n: number) =>
      github.octokit.rest.issues.createComment({
        owner: 'octo',
        repo: 'demo',
        issue_number: n,
        body: 'x'
      })
    const spaced = client({ writeSpacingMs: 400 })
    await Promise.all([post(spaced, 10), post(spaced, 11), post(spaced, 12)])
    const spacedTimes = server.seen.map(seen => seen.at)
    server.reset()
    const unspaced = client({ writeSpacingMs: 0 })
    await Promise.all([post(unspaced, 20), post(unspaced, 21), post(unspaced, 22)])
    const unspacedTimes = server.seen.map(seen => seen.at)

    expect(spacedTimes[2]! - spacedTimes[0]!).toBeGreaterThanOrEqual(750)
    expect(unspacedTimes[2]! - unspacedTimes[0]!).toBeLessThan(750)
  })

  it('refuses an empty token with a message that says what to pass', () => {
    expect(() => createGitHubClient({ token: '' })).toThrow(/token is empty/)
  })
})

describe('routeKey', () => {
  it.each([
    ['GET', '/repos/{owner}/{repo}/pulls', 'https://x.test/api', 'GET /repos/{owner}/{repo}/pulls'],
    [
      'get',
      'https://x.test/api/repositories/1/issues?page=2',
      'https://x.test/api',
      'GET /repositories/1/issues'
    ],
    ['GET', 'https://elsewhere.test/a/b?c=d', 'https://x.test/api', 'GET /a/b'],
    ['POST', '/search/issues{?q}', '', 'POST /search/issues'],
    ['GET', 'rate_limit', '', 'GET /rate_limit']
  ])('%s %s under %s is %s', (method, url, baseUrl, expected) => {
    expect(routeKey(method, url, baseUrl)).toBe(expected)
  })
})
