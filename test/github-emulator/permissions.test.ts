import { join } from 'node:path'
import { writeFile } from 'node:fs/promises'
import { startEmulator, seedSampleRepo } from '../../harness/github-emulator/index.js'
import type { GitHubEmulator } from '../../harness/github-emulator/index.js'
import { client, git, gitOk, remoteWithToken, statusOf, tempDir } from './helpers.js'

let forge: GitHubEmulator
let work: { path: string; remove: () => Promise<void> }
const owner = 'octo-org'
const repo = 'tiny-lib'

beforeAll(async () => {
  forge = await startEmulator()
  await seedSampleRepo(forge)
  await forge.createRepo({
    name: 'open-lib',
    files: { 'README.md': '# open\n' },
    settings: { private: false }
  })
  work = await tempDir('forge-permissions-')
})

afterAll(async () => {
  await forge.close()
  await work.remove()
})

describe('REST permissions per token', () => {
  it('lets the read token read but answers its writes with 403 and GitHub error body', async () => {
    const reader = client(forge.apiUrl, forge.tokens.read)
    const issue = await reader.rest.issues.get({ owner, repo, issue_number: 1 })
    expect(issue.data.title).toBe('mean() of an empty list returns NaN')

    const refused = await statusOf(
      reader.rest.issues.create({ owner, repo, title: 'from a reader' })
    )
    expect(refused).toMatchObject({
      status: 403,
      data: {
        message: 'Resource not accessible by personal access token',
        documentation_url: 'https://docs.github.com/rest/issues/issues#create-an-issue',
        status: '403'
      }
    })
    const labelRefused = await statusOf(
      reader.rest.issues.addLabels({ owner, repo, issue_number: 1, labels: ['x'] })
    )
    expect(labelRefused?.status).toBe(403)
  })

  it('lets the write and actions tokens write, as their own accounts', async () => {
    const writer = client(forge.apiUrl, forge.tokens.write)
    const created = await writer.rest.issues.create({ owner, repo, title: 'from a writer' })
    expect(created.status).toBe(201)
    expect(created.data.user?.login).toBe('forge-writer')

    const bot = client(forge.apiUrl, forge.tokens.actions)
    const comment = await bot.rest.issues.createComment({
      owner,
      repo,
      issue_number: created.data.number,
      body: 'hi'
    })
    expect(comment.data.user?.login).toBe('github-actions[bot]')
    expect(comment.data.user?.type).toBe('Bot')
  })

  it('hides a private repository from a caller without a token and rejects bad tokens with 401', async () => {
    const anonymous = client(forge.apiUrl, undefined)
    expect((await statusOf(anonymous.rest.repos.get({ owner, repo })))?.status).toBe(404)
    const bad = client(forge.apiUrl, 'ghp_not_a_real_token')
    const refused = await statusOf(bad.rest.repos.get({ owner, repo }))
    expect(refused?.status).toBe(401)
    expect((refused?.data as { message: string }).message).toBe('Bad credentials')
  })

  it('lets anyone read a public repository but asks for authentication to write to it', async () => {
    const anonymous = client(forge.apiUrl, undefined)
    const open = await anonymous.rest.repos.get({ owner, repo: 'open-lib' })
    expect(open.data.private).toBe(false)
    const refused = await statusOf(
      anonymous.rest.issues.create({ owner, repo: 'open-lib', title: 'anonymous' })
    )
    expect(refused?.status).toBe(401)
    expect((refused?.data as { message: string }).message).toBe('Requires authentication')
  })

  it('reports each account role through the collaborator permission route', async () => {
    const reader = client(forge.apiUrl, forge.tokens.read)
    const roles: Record<string, string> = {}
    for (const login of ['forge-admin', 'forge-writer', 'forge-reader', 'github-actions[bot]']) {
      const answer = await reader.rest.repos.getCollaboratorPermissionLevel({
        owner,
        repo,
        username: login
      })
      roles[login] = answer.data.permission
    }
    expect(roles).toEqual({
      'forge-admin': 'admin',
      'forge-writer': 'write',
      'forge-reader': 'read',
      'github-actions[bot]': 'write'
    })
  })

  it('sends the rate-limit headers on successes and errors alike', async () => {
    const reader = client(forge.apiUrl, forge.tokens.read)
    const ok = await reader.rest.repos.get({ owner, repo })
    for (const name of [
      'x-ratelimit-limit',
      'x-ratelimit-remaining',
      'x-ratelimit-used',
      'x-ratelimit-reset'
    ]) {
      expect(Number(ok.headers[name])).toBeGreaterThanOrEqual(0)
    }
    expect(ok.headers['x-ratelimit-resource']).toBe('core')
    const before = Number(ok.headers['x-ratelimit-remaining'])
    try {
      await reader.rest.issues.get({ owner, repo, issue_number: 999 })
      throw new Error('expected 404')
    } catch (error) {
      const headers = (error as { response: { headers: Record<string, string> } }).response.headers
      expect(Number(headers['x-ratelimit-remaining'])).toBe(before - 1)
    }
  })
})

describe('git over HTTP with tokens', () => {
  const cloneUrl = () => forge.cloneUrl(repo)

  it('asks a client without credentials to authenticate', async () => {
    const run = await git(work.path, ['clone', '--quiet', cloneUrl(), join(work.path, 'anonymous')])
    expect(run.code).not.toBe(0)
    // git asks for a user name only when the server answered 401 with a Basic challenge
    expect(run.stderr).toContain('could not read Username')
  })

  it('lets the read token clone and fetch but not push', async () => {
    const dir = join(work.path, 'reader')
    await gitOk(work.path, [
      'clone',
      '--quiet',
      remoteWithToken(cloneUrl(), forge.tokens.read),
      dir
    ])
    expect(await gitOk(dir, ['show', 'HEAD:AGENTS.md'])).toContain('Rules for this repository')
    await gitOk(dir, ['fetch', '--quiet', 'origin'])
    await gitOk(dir, ['checkout', '--quiet', '-b', 'reader-branch'])
    await writeFile(join(dir, 'reader.txt'), 'nope\n')
    await gitOk(dir, ['add', '.'])
    await gitOk(dir, ['commit', '--quiet', '-m', 'reader change'])
    const push = await git(dir, ['push', 'origin', 'reader-branch'])
    expect(push.code).not.toBe(0)
    expect(push.stderr).toContain(`Permission to ${owner}/${repo}.git denied to forge-reader`)
    expect((await gitOk(dir, ['ls-remote', 'origin', 'reader-branch'])).trim()).toBe('')
  })

  it('lets the write token push, with the token as password under any user name', async () => {
    const dir = join(work.path, 'writer')
    const url = new URL(cloneUrl())
    url.username = 'someone'
    url.password = forge.tokens.write
    await gitOk(work.path, ['clone', '--quiet', url.toString(), dir])
    await gitOk(dir, ['checkout', '--quiet', '-b', 'writer-branch'])
    await writeFile(join(dir, 'writer.txt'), 'yes\n')
    await gitOk(dir, ['add', '.'])
    await gitOk(dir, ['commit', '--quiet', '-m', 'writer change'])
    await gitOk(dir, ['push', '--quiet', 'origin', 'writer-branch'])
    const head = await gitOk(dir, ['rev-parse', 'HEAD'])

    const api = client(forge.apiUrl, forge.tokens.read)
    const ref = await api.rest.git.getRef({ owner, repo, ref: 'heads/writer-branch' })
    expect(ref.data.object.sha).toBe(head)
  })

  it('marks a push made with the actions token as caused by it in the event log', async () => {
    const dir = join(work.path, 'bot')
    await gitOk(work.path, [
      'clone',
      '--quiet',
      remoteWithToken(cloneUrl(), forge.tokens.actions),
      dir
    ])
    await gitOk(dir, ['checkout', '--quiet', '-b', 'bot-branch'])
    await writeFile(join(dir, 'bot.txt'), 'bot\n')
    await gitOk(dir, ['add', '.'])
    await gitOk(dir, ['commit', '--quiet', '-m', 'bot change'])
    await gitOk(dir, ['push', '--quiet', 'origin', 'bot-branch'])

    const admin = client(forge.apiUrl, forge.tokens.admin)
    const { data } = await admin.request('GET /_sandbox/events', { repository: `${owner}/${repo}` })
    const pushes = (
      data as {
        events: Array<{
          type: string
          actor: string
          causedByActionsToken: boolean
          payload: { ref: string }
        }>
      }
    ).events.filter(event => event.type === 'push')
    const botPush = pushes.find(event => event.payload.ref === 'refs/heads/bot-branch')
    const writerPush = pushes.find(event => event.payload.ref === 'refs/heads/writer-branch')
    expect(botPush).toMatchObject({ actor: 'github-actions[bot]', causedByActionsToken: true })
    expect(writerPush).toMatchObject({ actor: 'forge-writer', causedByActionsToken: false })
  })
})
