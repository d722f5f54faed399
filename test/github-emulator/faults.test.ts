import { startEmulator, seedSampleRepo } from '../../harness/github-emulator/index.js'
import type { GitHubEmulator, RequestLogEntry } from '../../harness/github-emulator/index.js'
import type { LimitLog } from './helpers.js'
import { bareClient, client, statusOf } from './helpers.js'

const owner = 'octo-org'
const repo = 'tiny-lib'
const ISSUE_ROUTE = '/repos/{owner}/{repo}/issues/{issue_number}'
let forge: GitHubEmulator

beforeAll(async () => {
  forge = await startEmulator()
  await seedSampleRepo(forge)
})

afterAll(async () => {
  await forge.close()
})

beforeEach(() => {
  forge.faults.clear()
  forge.clearRequests()
})

function attempts(route: string): Array<Pick<RequestLogEntry, 'status' | 'fault'>> {
  return forge
    .requests()
    .filter(entry => entry.route === route)
    .map(({ status, fault }) => ({ status, fault }))
}

describe('injected faults, recovered by the retry and throttling plugins', () => {
  it('retries through two 500s to the real answer', async () => {
    forge.injectFault({ route: `GET ${ISSUE_ROUTE}`, kind: 'error', status: 500, times: 2 })
    const api = client(forge.apiUrl, forge.tokens.read)
    const issue = await api.rest.issues.get({ owner, repo, issue_number: 1 })
    expect(issue.data.number).toBe(1)
    expect(attempts(ISSUE_ROUTE)).toEqual([
      { status: 500, fault: 'error' },
      { status: 500, fault: 'error' },
      { status: 200, fault: null }
    ])
  })

  it('waits out a secondary rate limit for the retry-after the forge sent', async () => {
    forge.injectFault({
      route: 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
      kind: 'secondary-rate-limit',
      retryAfterSeconds: 1,
      times: 1
    })
    const limits: LimitLog = { secondary: [], primary: 0 }
    const api = client(forge.apiUrl, forge.tokens.write, limits)
    const started = Date.now()
    const comment = await api.rest.issues.createComment({
      owner,
      repo,
      issue_number: 2,
      body: 'after the limit'
    })
    expect(comment.status).toBe(201)
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
    expect(limits.secondary).toEqual([
      { retryAfter: 1, method: 'POST', url: '/repos/{owner}/{repo}/issues/{issue_number}/comments' }
    ])
    const comments = await api.rest.issues.listComments({ owner, repo, issue_number: 2 })
    expect(comments.data.map(c => c.body)).toEqual(['after the limit'])
  })

  it('answers a secondary rate limit with GitHub status, message and retry-after', async () => {
    forge.injectFault({ kind: 'secondary-rate-limit', retryAfterSeconds: 7, times: 1 })
    const refused = await statusOf(
      bareClient(forge.apiUrl, forge.tokens.read).rest.repos.get({ owner, repo })
    )
    expect(refused?.status).toBe(403)
    expect(refused?.headers['retry-after']).toBe('7')
    expect(refused?.headers['x-ratelimit-remaining']).toBeDefined()
    expect((refused?.data as { message: string }).message).toMatch(
      /^You have exceeded a secondary rate limit/
    )
  })

  it('delays a request by the injected latency', async () => {
    forge.injectFault({ route: `GET ${ISSUE_ROUTE}`, kind: 'latency', latencyMs: 400, times: 1 })
    const api = client(forge.apiUrl, forge.tokens.read)
    const started = Date.now()
    await api.rest.issues.get({ owner, repo, issue_number: 1 })
    expect(Date.now() - started).toBeGreaterThanOrEqual(380)
    const [entry] = forge.requests().filter(e => e.route === ISSUE_ROUTE)
    expect(entry).toMatchObject({
      status: 200,
      fault: 'latency',
      tokenKind: 'read',
      login: 'forge-reader'
    })
    expect(entry!.durationMs).toBeGreaterThanOrEqual(380)
  })

  it('draws probabilistic faults from a seeded generator, the same way every time', async () => {
    const api = client(forge.apiUrl, forge.tokens.read)
    const run = async () => {
      forge.faults.clear()
      forge.faults.reseed(42)
      forge.clearRequests()
      forge.injectFault({
        route: `GET ${ISSUE_ROUTE}`,
        kind: 'error',
        status: 502,
        probability: 0.5
      })
      for (let i = 0; i < 6; i++) await api.rest.issues.get({ owner, repo, issue_number: 1 })
      return attempts(ISSUE_ROUTE).map(a => a.status)
    }
    const first = await run()
    expect(first).toContain(502)
    expect(first.filter(status => status === 200)).toHaveLength(6)
    expect(await run()).toEqual(first)
  })
})

describe('the control endpoints', () => {
  it('injects faults and reads the request log over HTTP with the admin token only', async () => {
    const admin = client(forge.apiUrl, forge.tokens.admin)
    const writer = client(forge.apiUrl, forge.tokens.write)
    const refused = await statusOf(writer.request('POST /_sandbox/faults', { kind: 'error' }))
    expect(refused?.status).toBe(403)

    await admin.request('POST /_sandbox/faults', {
      rules: [{ route: `GET ${ISSUE_ROUTE}`, kind: 'error', status: 503, times: 1 }]
    })
    await writer.rest.issues.get({ owner, repo, issue_number: 1 })
    const { data } = await admin.request('GET /_sandbox/requests')
    const log = (data as { requests: RequestLogEntry[] }).requests.filter(
      e => e.route === ISSUE_ROUTE
    )
    expect(log.map(e => [e.method, e.status, e.tokenKind, e.fault])).toEqual([
      ['GET', 503, 'write', 'error'],
      ['GET', 200, 'write', null]
    ])
    const bad = await statusOf(admin.request('POST /_sandbox/faults', { kind: 'explode' }))
    expect(bad?.status).toBe(422)
    expect((bad?.data as { message: string }).message).toContain('Fault rule kind')
  })
})
