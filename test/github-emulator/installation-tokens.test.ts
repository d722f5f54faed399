import {
  DEFAULT_APP_SLUG,
  seedSampleRepo,
  startEmulator
} from '../../harness/github-emulator/index.js'
import type { GitHubEmulator, InstallationToken } from '../../harness/github-emulator/index.js'
import { bareClient, client, statusOf } from './helpers.js'

const owner = 'octo-org'
const repo = 'tiny-lib'
let forge: GitHubEmulator

beforeAll(async () => {
  forge = await startEmulator()
  await seedSampleRepo(forge)
})

afterAll(async () => {
  await forge.close()
})

describe('GitHub App installation tokens', () => {
  it('acts as the App bot, and its label event starts workflows on GitHub', async () => {
    const minted = forge.createInstallationToken(repo, {
      permissions: { issues: 'write', contents: 'read' }
    })
    expect(minted).toMatchObject({
      login: 'codex-waves[bot]',
      slug: DEFAULT_APP_SLUG,
      permissions: { issues: 'write', contents: 'read', metadata: 'read' }
    })
    expect(minted.token).toMatch(/^ghs_[A-Za-z0-9]{36}$/)
    const lifetime = Date.parse(minted.expiresAt) - Date.now()
    expect(lifetime).toBeGreaterThan(59 * 60 * 1000)
    expect(lifetime).toBeLessThanOrEqual(60 * 60 * 1000)

    const app = bareClient(forge.apiUrl, minted.token)
    const labeled = await app.rest.issues.addLabels({
      owner,
      repo,
      issue_number: 3,
      labels: ['codex-waves']
    })
    expect(labeled.status).toBe(200)
    const event = forge
      .events(repo)
      .find(e => e.action === 'labeled' && e.payload.label === 'codex-waves')
    expect(event).toMatchObject({ actor: 'codex-waves[bot]', causedByActionsToken: false })

    const comment = await app.rest.issues.createComment({
      owner,
      repo,
      issue_number: 3,
      body: 'hi'
    })
    expect(comment.data.user).toMatchObject({ login: 'codex-waves[bot]', type: 'Bot' })
    expect(comment.data.author_association).toBe('NONE')
  })

  it('holds exactly the permissions it was minted with', async () => {
    const { token } = forge.createInstallationToken(repo, { permissions: { issues: 'read' } })
    const app = bareClient(forge.apiUrl, token)
    expect((await app.rest.issues.get({ owner, repo, issue_number: 1 })).status).toBe(200)
    const refused = await statusOf(
      app.rest.issues.createComment({ owner, repo, issue_number: 1, body: 'no' })
    )
    expect(refused).toMatchObject({
      status: 403,
      data: {
        message: 'Resource not accessible by integration',
        documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment'
      }
    })
    const pulls = await statusOf(app.rest.pulls.list({ owner, repo }))
    expect(pulls?.status).toBe(403)
  })

  it('may hold workflows, and another App gets its own bot on first use', async () => {
    const minted = forge.createInstallationToken(repo, {
      permissions: { contents: 'write', workflows: 'write' },
      appSlug: 'release-bot'
    })
    expect(minted.login).toBe('release-bot[bot]')
    expect(minted.permissions.workflows).toBe('write')
    expect(forge.users.find(user => user.login === 'release-bot[bot]')).toMatchObject({
      type: 'Bot'
    })
    const again = forge.createInstallationToken(repo, {
      permissions: {},
      appSlug: 'release-bot'
    })
    expect(forge.users.filter(user => user.login === again.login)).toHaveLength(1)
    expect(() =>
      forge.createInstallationToken(repo, { permissions: {}, appSlug: 'Not A Slug' })
    ).toThrow(/app slug "Not A Slug" is not a GitHub App slug/)
    expect(() =>
      forge.createInstallationToken(repo, { permissions: {}, appSlug: 'github-actions' })
    ).toThrow(/names github-actions\[bot\], which is not a GitHub App's bot/)
  })

  it('mints through the control API, and revocation ends the token', async () => {
    const admin = client(forge.apiUrl, forge.tokens.admin)
    const { data, status } = await admin.request(
      'POST /_sandbox/repos/{owner}/{repo}/installation-tokens',
      { owner, repo, permissions: { pull_requests: 'read' }, app_slug: 'codex-waves' }
    )
    expect(status).toBe(201)
    const minted = data as InstallationToken
    expect(minted).toMatchObject({
      login: 'codex-waves[bot]',
      permissions: { 'pull-requests': 'read', metadata: 'read' }
    })
    const app = bareClient(forge.apiUrl, minted.token)
    expect((await app.rest.pulls.list({ owner, repo })).status).toBe(200)
    forge.revokeToken(minted.token)
    const refused = await statusOf(app.rest.pulls.list({ owner, repo }))
    expect(refused).toMatchObject({ status: 401, data: { message: 'Bad credentials' } })
    const mark = forge.requests().length
    await statusOf(app.rest.pulls.list({ owner, repo }))
    expect(forge.requests().slice(mark)[0]).toMatchObject({ tokenKind: 'invalid', tokenId: null })
  })

  it('logs its requests under its own id and kind', async () => {
    const minted = forge.createInstallationToken(repo, { permissions: { checks: 'write' } })
    const app = bareClient(forge.apiUrl, minted.token)
    const mark = forge.requests().length
    await app.rest.checks.create({ owner, repo, name: 'app check', head_sha: 'main' })
    expect(forge.requests().slice(mark)[0]).toMatchObject({
      tokenKind: 'installation',
      login: 'codex-waves[bot]',
      tokenId: minted.id,
      scope: { name: 'checks', level: 'write' }
    })
    expect(forge.scopesUsed(minted.id)).toEqual([{ name: 'checks', level: 'write' }])
  })
})
