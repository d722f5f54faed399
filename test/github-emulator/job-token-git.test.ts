import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  seedSampleRepo,
  startEmulator,
  tokenIdOf,
  workflowRefusal
} from '../../harness/github-emulator/index.js'
import type { GitHubEmulator, TokenPermissions } from '../../harness/github-emulator/index.js'
import { git, gitOk, remoteWithToken, tempDir } from './helpers.js'

const owner = 'octo-org'
const repo = 'tiny-lib'
let forge: GitHubEmulator
let runId: number
let work: { path: string; remove: () => Promise<void> }

beforeAll(async () => {
  forge = await startEmulator()
  await seedSampleRepo(forge)
  runId = forge.createWorkflowRun(repo, {
    workflow: 'ci.yml',
    event: 'push',
    headBranch: 'main',
    headSha: 'main',
    actor: 'forge-admin'
  })
  work = await tempDir('forge-job-git-')
})

afterAll(async () => {
  await forge.close()
  await work.remove()
})

function jobToken(permissions: TokenPermissions): string {
  return forge.jobEnvironment(repo, runId, { permissions }).GITHUB_TOKEN
}

/** Clones with `token` into a fresh directory named `name`; returns the git run and the path. */
async function cloneWith(token: string, name: string) {
  const dir = join(work.path, name)
  const run = await git(work.path, [
    'clone',
    '--quiet',
    remoteWithToken(forge.cloneUrl(repo), token),
    dir
  ])
  return { run, dir }
}

/** Commits `file` with `content` on a new branch `branch` in `dir`. */
async function commitOn(dir: string, branch: string, file: string, content: string) {
  await gitOk(dir, ['checkout', '--quiet', '-B', branch, 'origin/main'])
  await mkdir(join(dir, file, '..'), { recursive: true })
  await writeFile(join(dir, file), content)
  await gitOk(dir, ['add', '--all'])
  await gitOk(dir, ['commit', '--quiet', '-m', `Change ${file}`])
}

/** A clone made with the write token, whose `origin` then uses `token`. */
async function workTreeFor(token: string, name: string): Promise<string> {
  const { dir } = await cloneWith(forge.tokens.write, name)
  await gitOk(dir, ['remote', 'set-url', 'origin', remoteWithToken(forge.cloneUrl(repo), token)])
  return dir
}

describe('git over HTTP with job tokens', () => {
  it('clones with contents: read, and logs the scope under the token', async () => {
    const token = jobToken({ contents: 'read' })
    const { run, dir } = await cloneWith(token, 'reader')
    expect(run.code).toBe(0)
    expect(await gitOk(dir, ['show', 'HEAD:AGENTS.md'])).toContain('Rules for this repository')
    const entries = forge.requests().filter(entry => entry.tokenId === tokenIdOf(token))
    expect(entries.length).toBeGreaterThan(0)
    expect(entries.every(e => e.scope?.name === 'contents' && e.scope.level === 'read')).toBe(true)
    expect(entries[0]).toMatchObject({ route: '/{owner}/{repo}.git/info/refs', status: 200 })
  })

  it('answers a clone without contents as a repository that does not exist', async () => {
    const { run } = await cloneWith(jobToken({ issues: 'write' }), 'no-contents')
    expect(run.code).not.toBe(0)
    expect(run.stderr).toContain('Repository not found.')
  })

  it('refuses a push with contents: read', async () => {
    const dir = await workTreeFor(jobToken({ contents: 'read' }), 'read-push')
    await commitOn(dir, 'job/read', 'notes.txt', 'read only\n')
    const push = await git(dir, ['push', 'origin', 'job/read'])
    expect(push.code).not.toBe(0)
    expect(push.stderr).toContain(
      `Permission to ${owner}/${repo}.git denied to github-actions[bot].`
    )
    expect(await gitOk(dir, ['ls-remote', 'origin', 'job/read'])).toBe('')
  })

  it('pushes with contents: write, as github-actions[bot]', async () => {
    const token = jobToken({ contents: 'write' })
    const dir = await workTreeFor(token, 'write-push')
    await commitOn(dir, 'job/write', 'notes.txt', 'written\n')
    await gitOk(dir, ['push', '--quiet', 'origin', 'job/write'])
    const head = await gitOk(dir, ['rev-parse', 'HEAD'])
    expect(await gitOk(dir, ['ls-remote', 'origin', 'job/write'])).toContain(head)
    const push = forge
      .events(repo)
      .find(e => e.type === 'push' && e.payload.ref === 'refs/heads/job/write')
    expect(push).toMatchObject({ actor: 'github-actions[bot]', causedByActionsToken: true })
    const receive = forge
      .requests()
      .find(e => e.tokenId === tokenIdOf(token) && e.route.endsWith('git-receive-pack'))
    expect(receive?.scope).toEqual({ name: 'contents', level: 'write' })
  })

  it('refuses a push that adds a workflow file without the workflows permission', async () => {
    const dir = await workTreeFor(jobToken({ contents: 'write' }), 'workflow-push')
    await commitOn(dir, 'job/workflow', '.github/workflows/x.yml', 'on: push\n')
    const push = await git(dir, ['push', 'origin', 'job/workflow'])
    expect(push.code).not.toBe(0)
    expect(push.stderr).toContain(workflowRefusal('.github/workflows/x.yml'))
    expect(push.stderr).toContain(
      'refusing to allow a GitHub App to create or update workflow `.github/workflows/x.yml` without `workflows` permission'
    )
    expect(await gitOk(dir, ['ls-remote', 'origin', 'job/workflow'])).toBe('')
  })

  it('refuses a push that changes or deletes an existing workflow on a branch', async () => {
    const dir = await workTreeFor(jobToken({ contents: 'write' }), 'workflow-edit')
    await commitOn(dir, 'job/edit', 'README.md', 'no workflow here\n')
    await gitOk(dir, ['push', '--quiet', 'origin', 'job/edit'])
    await rm(join(dir, '.github/workflows/ci.yml'))
    await gitOk(dir, ['commit', '--quiet', '-am', 'Drop CI'])
    const push = await git(dir, ['push', 'origin', 'job/edit'])
    expect(push.code).not.toBe(0)
    expect(push.stderr).toContain(workflowRefusal('.github/workflows/ci.yml'))
  })

  it('lets an installation token with workflows: write change a workflow', async () => {
    const refused = forge.createInstallationToken(repo, { permissions: { contents: 'write' } })
    const dir = await workTreeFor(refused.token, 'app-workflow')
    await commitOn(dir, 'app/workflow', '.github/workflows/ci.yml', 'on: pull_request\n')
    expect((await git(dir, ['push', 'origin', 'app/workflow'])).stderr).toContain(
      workflowRefusal('.github/workflows/ci.yml')
    )
    const allowed = forge.createInstallationToken(repo, {
      permissions: { contents: 'write', workflows: 'write' }
    })
    await gitOk(dir, [
      'remote',
      'set-url',
      'origin',
      remoteWithToken(forge.cloneUrl(repo), allowed.token)
    ])
    await gitOk(dir, ['push', '--quiet', 'origin', 'app/workflow'])
    const push = forge
      .events(repo)
      .find(e => e.type === 'push' && e.payload.ref === 'refs/heads/app/workflow')
    expect(push).toMatchObject({ actor: 'codex-waves[bot]', causedByActionsToken: false })
  })

  it('answers a revoked token as bad credentials', async () => {
    const token = jobToken({ contents: 'read' })
    forge.revokeToken(token)
    const { run } = await cloneWith(token, 'revoked')
    expect(run.code).not.toBe(0)
    expect(run.stderr).toContain('Invalid username or token')
  })
})
