import {
  scopesUsed,
  seedSampleRepo,
  startEmulator,
  tokenIdOf,
  unusedWriteScopes
} from '../../harness/github-emulator/index.js'
import type {
  GitHubEmulator,
  ForgeEvent,
  TokenPermissions
} from '../../harness/github-emulator/index.js'
import { bareClient, client, statusOf } from './helpers.js'

const owner = 'octo-org'
const repo = 'tiny-lib'
let forge: GitHubEmulator
let runId: number

beforeAll(async () => {
  forge = await startEmulator()
  await seedSampleRepo(forge)
  await forge.createRepo({ name: 'other-lib', files: { 'README.md': '# other\n' } })
  await forge.createRepo({
    name: 'open-lib',
    files: { 'README.md': '# open\n' },
    settings: { private: false }
  })
  runId = forge.createWorkflowRun(repo, {
    workflow: 'ci.yml',
    event: 'push',
    headBranch: 'main',
    headSha: 'main',
    actor: 'forge-admin'
  })
})

afterAll(async () => {
  await forge.close()
})

function jobToken(permissions: TokenPermissions): string {
  return forge.jobEnvironment(repo, runId, { permissions }).GITHUB_TOKEN
}

describe('job environments', () => {
  it('gives each job a fresh GITHUB_TOKEN only when the job says what it may do', () => {
    const plain = forge.jobEnvironment(repo, runId)
    expect(Object.keys(plain).sort()).toEqual([
      'ACTIONS_RESULTS_URL',
      'ACTIONS_RUNTIME_TOKEN',
      'GITHUB_API_URL',
      'GITHUB_REPOSITORY',
      'GITHUB_RUN_ID'
    ])
    const first = forge.jobEnvironment(repo, runId, { permissions: { issues: 'write' } })
    const second = forge.jobEnvironment(repo, runId, { permissions: { issues: 'write' } })
    expect(first.GITHUB_TOKEN).toMatch(/^ghs_[A-Za-z0-9]{36}$/)
    expect(second.GITHUB_TOKEN).not.toBe(first.GITHUB_TOKEN)
    expect(first.GITHUB_REPOSITORY).toBe(`${owner}/${repo}`)
  })

  it('acts as github-actions[bot], and what it does is caused by the actions token', async () => {
    const bot = bareClient(forge.apiUrl, jobToken({ issues: 'write' }))
    const comment = await bot.rest.issues.createComment({
      owner,
      repo,
      issue_number: 1,
      body: 'from a job'
    })
    expect(comment.data.user).toMatchObject({ login: 'github-actions[bot]', type: 'Bot' })
    const event = forge.events(repo).find(e => e.payload.comment_id === comment.data.id)
    expect(event).toMatchObject({ actor: 'github-actions[bot]', causedByActionsToken: true })
  })

  it('names the key, the value and the fix when the permissions are wrong', () => {
    expect(() => jobToken({ workflows: 'write' })).toThrow(
      /GITHUB_TOKEN never holds 'workflows'.*installation token/
    )
    expect(() => jobToken({ pull_requests: 'write' } as TokenPermissions)).not.toThrow()
    expect(() => jobToken({ pulls: 'write' } as unknown as TokenPermissions)).toThrow(
      "Job permissions: 'pulls' is not a repository scope. Use one of actions,"
    )
    expect(() => jobToken({ issues: 'admin' } as unknown as TokenPermissions)).toThrow(
      `Job permissions: "admin" for 'issues' is not a level. Use 'read', 'write' or 'none'.`
    )
  })

  it('does not let a job token see another private repository', async () => {
    const bot = bareClient(forge.apiUrl, jobToken({ contents: 'write', issues: 'write' }))
    const foreign = await statusOf(bot.rest.repos.get({ owner, repo: 'other-lib' }))
    expect(foreign?.status).toBe(404)
  })

  it('mints job tokens through the control API too', async () => {
    const admin = client(forge.apiUrl, forge.tokens.admin)
    const { data } = await admin.request('POST /_sandbox/repos/{owner}/{repo}/runs/{run_id}/jobs', {
      owner,
      repo,
      run_id: runId,
      permissions: { statuses: 'read' }
    })
    const env = data as Record<string, string>
    const job = bareClient(forge.apiUrl, env.GITHUB_TOKEN!)
    expect(
      (await job.rest.repos.getCombinedStatusForRef({ owner, repo, ref: 'main' })).status
    ).toBe(200)
    const refused = await statusOf(
      job.rest.repos.createCommitStatus({ owner, repo, sha: 'main', state: 'success' })
    )
    expect(refused?.status).toBe(403)
    const bad = await statusOf(
      admin.request('POST /_sandbox/repos/{owner}/{repo}/runs/{run_id}/jobs', {
        owner,
        repo,
        run_id: runId,
        permissions: { workflows: 'write' }
      })
    )
    expect(bad?.status).toBe(422)
  })
})

describe('public repositories', () => {
  it('lets any job token read what anyone may read there, and nothing more', async () => {
    const openRun = forge.createWorkflowRun('open-lib', {
      workflow: 'ci.yml',
      event: 'push',
      headBranch: 'main',
      headSha: 'main',
      actor: 'forge-admin'
    })
    const own = forge.jobEnvironment('open-lib', openRun, { permissions: {} }).GITHUB_TOKEN
    const foreign = jobToken({ issues: 'write' })
    for (const token of [own, foreign]) {
      const job = bareClient(forge.apiUrl, token)
      const mark = forge.requests().length
      expect((await job.rest.issues.listForRepo({ owner, repo: 'open-lib' })).status).toBe(200)
      expect(forge.requests().slice(mark)[0]?.scope).toBeNull()
      const write = await statusOf(
        job.rest.issues.create({ owner, repo: 'open-lib', title: 'not mine' })
      )
      expect(write).toMatchObject({
        status: 403,
        data: { message: 'Resource not accessible by integration' }
      })
    }
  })
})

describe('revoked tokens', () => {
  it('answers a revoked job token with 401 Bad credentials', async () => {
    const token = jobToken({ issues: 'read' })
    const job = bareClient(forge.apiUrl, token)
    expect((await job.rest.issues.get({ owner, repo, issue_number: 1 })).status).toBe(200)
    forge.revokeToken(token)
    const refused = await statusOf(job.rest.issues.get({ owner, repo, issue_number: 1 }))
    expect(refused).toMatchObject({ status: 401, data: { message: 'Bad credentials' } })
    expect(() => forge.revokeToken(forge.tokens.write)).toThrow(/revokeToken takes a token/)
  })

  it('revokes through the control API', async () => {
    const token = jobToken({ issues: 'read' })
    const admin = client(forge.apiUrl, forge.tokens.admin)
    const answer = await admin.request('POST /_sandbox/tokens/revoke', { token })
    expect(answer.status).toBe(204)
    const refused = await statusOf(
      bareClient(forge.apiUrl, token).rest.issues.get({ owner, repo, issue_number: 1 })
    )
    expect(refused?.status).toBe(401)
  })
})

describe('the request log per token', () => {
  it('records the token id and the scope each request used', async () => {
    const token = jobToken({ issues: 'write', 'pull-requests': 'write', contents: 'write' })
    const job = bareClient(forge.apiUrl, token)
    await job.rest.issues.get({ owner, repo, issue_number: 1 })
    await job.rest.issues.addLabels({ owner, repo, issue_number: 2, labels: ['bug'] })
    await job.rest.issues.get({ owner, repo, issue_number: 2 })
    const id = tokenIdOf(token)
    const mine = forge.requests().filter(entry => entry.tokenId === id)
    expect(mine.map(entry => [entry.route, entry.scope])).toEqual([
      ['/repos/{owner}/{repo}/issues/{issue_number}', { name: 'issues', level: 'read' }],
      ['/repos/{owner}/{repo}/issues/{issue_number}/labels', { name: 'issues', level: 'write' }],
      ['/repos/{owner}/{repo}/issues/{issue_number}', { name: 'issues', level: 'read' }]
    ])
    const used = forge.scopesUsed(id)
    expect(used).toEqual([
      { name: 'issues', level: 'read' },
      { name: 'issues', level: 'write' }
    ])
    expect(scopesUsed(forge.requests(), id)).toEqual(used)
    expect(
      unusedWriteScopes({ issues: 'write', 'pull-requests': 'write', contents: 'write' }, used)
    ).toEqual(['contents', 'pull-requests'])
  })

  it('leaves the token id empty for personal tokens', async () => {
    const mark = forge.requests().length
    await client(forge.apiUrl, forge.tokens.read).rest.issues.get({ owner, repo, issue_number: 1 })
    expect(forge.requests().slice(mark)[0]).toMatchObject({
      tokenKind: 'read',
      tokenId: null,
      scope: { name: 'issues', level: 'read' }
    })
  })
})

describe('event subscription', () => {
  it('calls a listener synchronously with each new event until it unsubscribes', async () => {
    const heard: ForgeEvent[] = []
    const unsubscribe = forge.onEvent(event => heard.push(event))
    const number = forge.createIssue(repo, { title: 'heard', labels: ['bug'] })
    expect(heard.map(e => [e.type, e.action, e.payload.number])).toEqual([
      ['issues', 'opened', number],
      ['issues', 'labeled', number]
    ])
    expect(heard.at(-1)).toBe(forge.events(repo).at(-1))
    unsubscribe()
    forge.createIssue(repo, { title: 'not heard' })
    expect(heard).toHaveLength(2)
  })
})

describe('GITHUB_TOKEN rate limit', () => {
  it('makes every job token of a repository spend one budget', async () => {
    const small = await startEmulator({ rateLimits: { actions: 3 } })
    try {
      await seedSampleRepo(small)
      const run = small.createWorkflowRun(repo, {
        workflow: 'ci.yml',
        event: 'push',
        headBranch: 'main',
        headSha: 'main',
        actor: 'forge-admin'
      })
      const job = (permissions: TokenPermissions) =>
        bareClient(small.apiUrl, small.jobEnvironment(repo, run, { permissions }).GITHUB_TOKEN)
      const [a, b] = [job({ issues: 'read' }), job({ issues: 'read' })]
      await a.rest.issues.get({ owner, repo, issue_number: 1 })
      await a.rest.issues.get({ owner, repo, issue_number: 1 })
      const third = await b.rest.issues.get({ owner, repo, issue_number: 1 })
      expect(third.headers['x-ratelimit-used']).toBe('3')
      const over = await statusOf(b.rest.issues.get({ owner, repo, issue_number: 1 }))
      expect(over?.status).toBe(403)
      expect((over?.data as { message: string }).message).toMatch(/^API rate limit exceeded/)
    } finally {
      await small.close()
    }
  })
})
