import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createGitHubClient, type GitHubClient } from '../../src/adapters/github.js'
import { GitHubForge } from '../../src/adapters/forge.js'
import {
  seedSampleRepo,
  startEmulator,
  type GitHubEmulator,
  type TokenKind
} from '../../harness/github-emulator/index.js'
import type {
  RequestLogEntry,
  RunArtifactSource,
  StoredArtifact
} from '../../harness/github-emulator/index.js'
import { gitOk, remoteWithToken, tempDir, waitFor } from '../github-emulator/helpers.js'

const repo = 'tiny-lib'
let forge: GitHubEmulator
let github: GitHubClient
let adapter: GitHubForge
let admin: string
let clone: string
let removeWork: () => Promise<void>

function clientFor(kind: TokenKind): GitHubClient {
  return createGitHubClient({
    token: forge.tokens[kind],
    baseUrl: forge.apiUrl,
    writeSpacingMs: 0,
    retryBaseDelayMs: 10,
    env: {}
  })
}

/** Commits `content` into `file` on `branch`, started from `from`, and pushes it; returns the SHA. */
async function pushBranch(branch: string, from: string, file: string, content: string) {
  await gitOk(clone, ['fetch', '--quiet', 'origin'])
  await gitOk(clone, ['checkout', '--quiet', '-B', branch, from])
  await writeFile(join(clone, file), content)
  await gitOk(clone, ['add', '--all'])
  await gitOk(clone, ['commit', '--quiet', '-m', `Change ${file} on ${branch}`])
  await gitOk(clone, ['push', '--quiet', '--force', 'origin', `HEAD:refs/heads/${branch}`])
  return gitOk(clone, ['rev-parse', 'HEAD'])
}

async function remoteBranch(branch: string): Promise<string | null> {
  const line = await gitOk(clone, ['ls-remote', 'origin', `refs/heads/${branch}`])
  return line === '' ? null : (line.split('\t')[0] ?? null)
}

/** REST requests the forge logged since `mark` (git transport requests left out). */
function restSince(mark: number): RequestLogEntry[] {
  return forge
    .requests()
    .slice(mark)
    .filter(entry => entry.path.startsWith('/repos/'))
}

function writesSince(mark: number): RequestLogEntry[] {
  return restSince(mark).filter(entry => entry.method !== 'GET')
}

/** The REST requests made by `body`, as the forge logged them. */
async function logged(body: () => Promise<unknown>): Promise<RequestLogEntry[]> {
  const mark = forge.requests().length
  await body()
  return restSince(mark)
}

function routes(entries: readonly RequestLogEntry[]): string[] {
  return entries.map(entry => `${entry.method} ${entry.route}`)
}

beforeAll(async () => {
  forge = await startEmulator()
  await seedSampleRepo(forge, repo)
  github = clientFor('admin')
  adapter = new GitHubForge({ client: github, owner: forge.owner, repo })
  admin = forge.userFor('admin').login
  const work = await tempDir('forge-adapter-')
  removeWork = work.remove
  clone = join(work.path, 'clone')
  await gitOk(work.path, [
    'clone',
    '--quiet',
    remoteWithToken(forge.cloneUrl(repo), forge.tokens.admin),
    clone
  ])
})

afterAll(async () => {
  await forge?.close()
  await removeWork?.()
})

describe('issues', () => {
  it('reads an issue with its labels, state and author', async () => {
    const number = forge.createIssue(repo, {
      title: 'Trim the output',
      body: 'Trim `format()` output.',
      labels: ['bug', 'documentation'],
      author: 'write'
    })

    const requests = await logged(async () => {
      expect(await adapter.getIssue(number)).toEqual({
        number,
        title: 'Trim the output',
        body: 'Trim `format()` output.',
        labels: ['bug', 'documentation'],
        state: 'open',
        locked: false,
        isPullRequest: false,
        author: forge.userFor('write').login
      })
    })
    expect(routes(requests)).toEqual(['GET /repos/{owner}/{repo}/issues/{issue_number}'])
  })

  it('answers null for a number that names nothing, in one request', async () => {
    const requests = await logged(async () => expect(await adapter.getIssue(9999)).toBeNull())
    expect(requests.map(entry => entry.status)).toEqual([404])
  })

  it('lists sub-issues by number', async () => {
    const parent = forge.createIssue(repo, { title: 'Umbrella' })
    const children = [
      forge.createIssue(repo, { title: 'Part one' }),
      forge.createIssue(repo, { title: 'Part two' })
    ]
    for (const child of children) {
      const { data } = await github.octokit.rest.issues.get({
        owner: forge.owner,
        repo,
        issue_number: child
      })
      await github.octokit.rest.issues.addSubIssue({
        owner: forge.owner,
        repo,
        issue_number: parent,
        sub_issue_id: data.id
      })
    }

    expect(await adapter.listSubIssues(parent)).toEqual(children)
    expect(await adapter.listSubIssues(children[0]!)).toEqual([])
  })

  it('adds labels in one request and removes one, a missing label being no error', async () => {
    const number = forge.createIssue(repo, { title: 'Label me' })

    const added = await logged(() => adapter.addLabels(number, ['enhancement', 'waves: planned']))
    await adapter.removeLabel(number, 'enhancement')
    const removedAgain = await logged(() => adapter.removeLabel(number, 'enhancement'))

    expect(routes(added)).toEqual(['POST /repos/{owner}/{repo}/issues/{issue_number}/labels'])
    expect(removedAgain.map(entry => entry.status)).toEqual([404])
    expect((await adapter.getIssue(number))?.labels).toEqual(['waves: planned'])
    expect(await logged(() => adapter.addLabels(number, []))).toEqual([])
  })
})

describe('comments', () => {
  const marker = '<!-- codex-waves:ledger -->'

  it('creates, leaves unchanged without a write, then updates the comment it owns', async () => {
    const number = forge.createIssue(repo, { title: 'Ledger host' })
    await adapter.upsertComment(number, '<!-- other -->', 'Another <!-- other -->', admin)

    const created = await adapter.upsertComment(number, marker, `${marker}\nv1`, admin)
    const mark = forge.requests().length
    const unchanged = await adapter.upsertComment(number, marker, `${marker}\nv1`, admin)
    const whenUnchanged = restSince(mark)
    const updated = await adapter.upsertComment(number, marker, `${marker}\nv2`, admin)

    expect(created.outcome).toBe('created')
    expect(unchanged).toEqual({ id: created.id, outcome: 'unchanged' })
    expect(routes(whenUnchanged)).toEqual([
      'GET /repos/{owner}/{repo}/issues/{issue_number}/comments'
    ])
    expect(updated).toEqual({ id: created.id, outcome: 'updated' })
    expect(routes(writesSince(mark))).toEqual([
      'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}'
    ])
    const comments = await adapter.listComments(number)
    expect(comments.map(comment => comment.body)).toEqual([
      'Another <!-- other -->',
      `${marker}\nv2`
    ])
    expect(comments[1]?.user).toEqual({ login: admin, type: 'User' })
  })

  it("never updates another author's comment that carries the same marker", async () => {
    const number = forge.createIssue(repo, { title: 'Forged ledger' })
    const writer = clientFor('write')
    const forged = await writer.octokit.rest.issues.createComment({
      owner: forge.owner,
      repo,
      issue_number: number,
      body: `${marker}\nforged`
    })

    const mine = await adapter.upsertComment(number, marker, `${marker}\nreal`, admin)
    const again = await adapter.upsertComment(number, marker, `${marker}\nreal, v2`, admin)

    expect(mine.outcome).toBe('created')
    expect(mine.id).not.toBe(forged.data.id)
    expect(again).toEqual({ id: mine.id, outcome: 'updated' })
    const comments = await adapter.listComments(number)
    expect(comments.map(comment => [comment.user.login, comment.body])).toEqual([
      [forge.userFor('write').login, `${marker}\nforged`],
      [admin, `${marker}\nreal, v2`]
    ])
  })

  it('refuses a body without its marker before any request', async () => {
    const requests = await logged(() =>
      expect(adapter.upsertComment(1, marker, 'no marker here', admin)).rejects.toThrow(
        /does not carry its marker "<!-- codex-waves:ledger -->".*Put the marker in the body/
      )
    )
    expect(requests).toEqual([])
  })

  it('pages through more than 100 comments', async () => {
    const number = forge.createIssue(repo, { title: 'Busy thread' })
    for (let index = 0; index < 101; index += 1) {
      await github.octokit.rest.issues.createComment({
        owner: forge.owner,
        repo,
        issue_number: number,
        body: `comment ${index}`
      })
    }

    const requests = await logged(async () => {
      const outcome = await adapter.upsertComment(number, marker, `${marker} late`, admin)
      expect(outcome.outcome).toBe('created')
    })
    expect(routes(requests)).toEqual([
      'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
      'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
      'POST /repos/{owner}/{repo}/issues/{issue_number}/comments'
    ])
    expect((await adapter.listComments(number)).length).toBe(102)
  })
})

describe('permissions', () => {
  it.each([
    ['admin', 'admin'],
    ['write', 'write'],
    ['read', 'read']
  ] as const)('maps the %s account to %s', async (kind, expected) => {
    expect(await adapter.getPermission(forge.userFor(kind).login)).toBe(expected)
  })

  it('answers none for a login that is not a user', async () => {
    expect(await adapter.getPermission('nobody-at-all')).toBe('none')
  })
})

describe('pull requests', () => {
  it('creates, reads, lists, updates a pull request and lists its files and commits', async () => {
    const first = await pushBranch('fix/12-x', 'origin/main', 'src/extra.js', 'export {}\n')
    await writeFile(join(clone, 'README.md'), '# tiny-lib\n\nChanged.\n')
    await gitOk(clone, ['commit', '--quiet', '-am', 'Second change'])
    await gitOk(clone, ['push', '--quiet', 'origin', 'HEAD:refs/heads/fix/12-x'])
    const head = await gitOk(clone, ['rev-parse', 'HEAD'])

    const pull = await adapter.createPull({
      title: 'Fix #12',
      body: 'Closes #12',
      head: 'fix/12-x',
      base: 'main'
    })

    expect(pull).toMatchObject({
      title: 'Fix #12',
      body: 'Closes #12',
      state: 'open',
      merged: false,
      draft: false,
      headRef: 'fix/12-x',
      headSha: head,
      crossRepository: false,
      baseRef: 'main',
      labels: []
    })
    expect(pull.htmlUrl).toMatch(new RegExp(`/${forge.owner}/${repo}/pull/${pull.number}$`))
    expect((await adapter.getIssue(pull.number))?.isPullRequest).toBe(true)
    const settled = await waitFor(async () => {
      const read = await adapter.getPull(pull.number)
      return read?.mergeable === null ? undefined : read
    }, 'mergeability')
    expect(settled).toMatchObject({ number: pull.number, mergeable: true, headSha: head })
    expect(await adapter.listPullCommits(pull.number)).toEqual([
      { sha: first, message: 'Change src/extra.js on fix/12-x' },
      { sha: head, message: 'Second change' }
    ])
    expect(await adapter.listPullFiles(pull.number)).toEqual([
      { path: 'README.md', additions: 1, deletions: 1, status: 'modified' },
      { path: 'src/extra.js', additions: 1, deletions: 0, status: 'added' }
    ])

    const renamed = await adapter.updatePull(pull.number, { title: 'Fix #12: trim' })
    expect(renamed).toMatchObject({
      number: pull.number,
      title: 'Fix #12: trim',
      body: 'Closes #12'
    })

    await adapter.addLabels(pull.number, ['codex-waves'])
    const byHead = await adapter.listOpenPulls({ head: 'fix/12-x' })
    const byLabel = await adapter.listOpenPulls({ label: 'Codex-Waves' })
    expect(byHead.map(p => p.number)).toEqual([pull.number])
    expect(byHead[0]).toMatchObject({
      headSha: head,
      crossRepository: false,
      mergeable: null,
      labels: ['codex-waves']
    })
    expect(byLabel.map(p => p.number)).toEqual([pull.number])
    expect(await adapter.listOpenPulls({ head: 'no-such-branch' })).toEqual([])
    expect((await adapter.listOpenPulls()).map(p => p.number)).toContain(pull.number)
  })

  it("names the operation, the status and GitHub's reason when creating a duplicate", async () => {
    await expect(
      adapter.createPull({ title: 'Again', body: '', head: 'fix/12-x', base: 'main' })
    ).rejects.toMatchObject({
      name: 'ForgeError',
      message:
        "Forge: creating the pull request from 'fix/12-x' into 'main' failed (422): A pull request already exists for octo-org:fix/12-x.",
      operation: "creating the pull request from 'fix/12-x' into 'main'",
      httpStatus: 422
    })
  })

  it('tells a pull request from a fork apart, also one whose fork was deleted', async () => {
    const [real] = await adapter.listOpenPulls({ head: 'fix/12-x' })
    const { data } = await github.octokit.rest.pulls.get({
      owner: forge.owner,
      repo,
      pull_number: real!.number
    })
    const fork = { ...data.head.repo, id: data.base.repo.id + 1, full_name: 'mallory/tiny-lib' }
    const served = new Map([
      [9101, { ...data, number: 9101, head: { ...data.head, repo: fork } }],
      [9102, { ...data, number: 9102, head: { ...data.head, repo: null } }]
    ])
    forge.mount(async (req, res) => {
      const number = Number(/\/pulls\/(\d+)$/.exec(req.url ?? '')?.[1])
      const body = served.get(number)
      if (req.method !== 'GET' || body === undefined) return false
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
      return true
    })
    expect((await adapter.getPull(real!.number))?.crossRepository).toBe(false)
    expect((await adapter.getPull(9101))?.crossRepository).toBe(true)
    expect((await adapter.getPull(9102))?.crossRepository).toBe(true)
  })

  it('answers null for a missing pull request and for an issue number', async () => {
    expect(await adapter.getPull(9999)).toBeNull()
    expect(await adapter.getPull(1)).toBeNull()
  })
})

describe('merging and updating branches', () => {
  let readme: string

  beforeAll(async () => {
    readme = await gitOk(clone, ['show', 'origin/main:README.md'])
  })

  it('refuses a merge at a stale SHA with 409 and sends it once, then merges at the head', async () => {
    const head = await pushBranch('fix/20-merge', 'origin/main', 'README.md', `${readme}\nA\n`)
    const pull = await adapter.createPull({
      title: 'Merge me',
      body: '',
      head: 'fix/20-merge',
      base: 'main'
    })

    const stale = '0'.repeat(40)
    const mark = forge.requests().length
    const refused = await adapter.mergePull(pull.number, stale, 'squash')
    expect(refused).toEqual({
      status: 'refused',
      httpStatus: 409,
      message: 'Head branch was modified. Review and try the merge again.'
    })
    expect(routes(restSince(mark))).toEqual(['PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge'])

    const merged = await adapter.mergePull(pull.number, head, 'squash')
    expect(merged).toEqual({ status: 'merged', sha: expect.stringMatching(/^[0-9a-f]{40}$/) })
    expect(await remoteBranch('main')).toBe(merged.status === 'merged' ? merged.sha : null)
    expect(await adapter.getPull(pull.number)).toMatchObject({ state: 'closed', merged: true })
  })

  it('refuses a pull request that conflicts with its base with 405', async () => {
    const head = await pushBranch('fix/21-conflict', 'origin/main~1', 'README.md', `${readme}\nB\n`)
    const pull = await adapter.createPull({
      title: 'Conflicts',
      body: '',
      head: 'fix/21-conflict',
      base: 'main'
    })

    const mark = forge.requests().length
    expect(await adapter.mergePull(pull.number, head, 'squash')).toEqual({
      status: 'refused',
      httpStatus: 405,
      message: 'Pull Request is not mergeable'
    })
    expect(restSince(mark)).toHaveLength(1)
  })

  it('updates a branch behind its base, and refuses a stale expected head with 422', async () => {
    const head = await pushBranch('feat/22-behind', 'origin/main~1', 'src/other.js', 'export {}\n')
    const pull = await adapter.createPull({
      title: 'Behind',
      body: '',
      head: 'feat/22-behind',
      base: 'main'
    })

    const stale = await adapter.updateBranch(pull.number, '1'.repeat(40))
    expect(stale).toEqual({
      status: 'refused',
      httpStatus: 422,
      message: "expected head sha didn't match current head ref."
    })
    expect(await adapter.updateBranch(pull.number, head)).toEqual({ status: 'updated' })
    const moved = await remoteBranch('feat/22-behind')
    expect(moved).not.toBe(head)
    expect((await adapter.getPull(pull.number))?.headSha).toBe(moved)
  })

  it('deletes a branch, and deleting it again is no error', async () => {
    await pushBranch('chore/23-gone', 'origin/main', 'src/gone.js', 'export {}\n')

    const first = await logged(() => adapter.deleteBranch('chore/23-gone'))
    const second = await logged(() => adapter.deleteBranch('chore/23-gone'))

    expect(first.map(entry => entry.status)).toEqual([204])
    expect(second.map(entry => entry.status)).toEqual([422])
    expect(await remoteBranch('chore/23-gone')).toBeNull()
  })
})

describe('CI state, statuses and workflows', () => {
  it('reads the newest status per context and the check runs, in two requests', async () => {
    const sha = await pushBranch('ci/30-checks', 'origin/main', 'src/ci.js', 'export {}\n')
    await adapter.setCommitStatus(sha, { context: 'lint', state: 'pending', description: 'Queued' })
    await adapter.setCommitStatus(sha, {
      context: 'lint',
      state: 'success',
      description: 'Clean',
      targetUrl: 'https://example.test/runs/1'
    })
    await adapter.setCommitStatus(sha, {
      context: 'codex-waves/review',
      state: 'failure',
      description: 'x'.repeat(200)
    })
    const app = clientFor('actions')
    await app.octokit.rest.checks.create({
      owner: forge.owner,
      repo,
      name: 'test',
      head_sha: sha,
      status: 'completed',
      conclusion: 'success'
    })
    await app.octokit.rest.checks.create({
      owner: forge.owner,
      repo,
      name: 'build',
      head_sha: sha,
      status: 'in_progress'
    })

    let state: Awaited<ReturnType<GitHubForge['getCiState']>> | undefined
    const requests = await logged(async () => {
      state = await adapter.getCiState(sha)
    })

    expect(routes(requests).sort()).toEqual([
      'GET /repos/{owner}/{repo}/commits/{ref}/check-runs',
      'GET /repos/{owner}/{repo}/commits/{ref}/status'
    ])
    const byContext = Object.fromEntries(state!.statuses.map(s => [s.context, s]))
    expect(byContext).toEqual({
      lint: { context: 'lint', state: 'success', description: 'Clean' },
      'codex-waves/review': {
        context: 'codex-waves/review',
        state: 'failure',
        description: `${'x'.repeat(139)}…`
      }
    })
    expect([...state!.checks].sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: 'build', status: 'in_progress', conclusion: null },
      { name: 'test', status: 'completed', conclusion: 'success' }
    ])
  })

  it('reads the state of one status context in one request, without the check runs', async () => {
    const sha = await pushBranch('ci/31-review', 'origin/main', 'src/review.js', 'export {}\n')
    await adapter.setCommitStatus(sha, { context: 'lint', state: 'success', description: 'Clean' })
    const before = await logged(async () => {
      expect(await adapter.getCommitStatus(sha, 'codex-waves/review')).toBeNull()
    })
    await adapter.setCommitStatus(sha, {
      context: 'codex-waves/review',
      state: 'pending',
      description: 'Reviewing'
    })
    await adapter.setCommitStatus(sha, {
      context: 'codex-waves/review',
      state: 'failure',
      description: 'Changes requested'
    })
    const after = await logged(async () => {
      expect(await adapter.getCommitStatus(sha, 'codex-waves/review')).toBe('failure')
      expect(await adapter.getCommitStatus(sha, 'lint')).toBe('success')
    })
    expect(routes([...before, ...after])).toEqual(
      Array(3).fill('GET /repos/{owner}/{repo}/commits/{ref}/status')
    )
  })

  it('dispatches a workflow with its inputs', async () => {
    const plan = 'on:\n  workflow_dispatch:\n    inputs:\n      issues: {}\n      confirm: {}\n'
    await pushBranch('dispatchable', 'origin/main', '.github/workflows/plan.yml', plan)
    const mark = forge.events(repo).length

    await adapter.dispatchWorkflow('plan.yml', 'dispatchable', { issues: '1, 2', confirm: '' })

    const dispatched = forge
      .events(repo)
      .slice(mark)
      .filter(event => event.type === 'workflow_dispatch')
    expect(dispatched).toHaveLength(1)
    expect(dispatched[0]).toMatchObject({
      actor: admin,
      payload: {
        workflow: '.github/workflows/plan.yml',
        ref: 'dispatchable',
        inputs: { issues: '1, 2', confirm: '' }
      }
    })
  })

  it('names the workflow, the status and the fix when the workflow does not exist', async () => {
    await expect(adapter.dispatchWorkflow('missing.yml', 'main', {})).rejects.toThrow(
      /^Forge: dispatching the workflow 'missing\.yml' on 'main' failed \(404\): Not Found\. It does not exist in octo-org\/tiny-lib, or the token cannot see it\.$/
    )
  })
})

describe('workflow run artifacts', () => {
  let artifactForge: GitHubEmulator
  let runWithMany: number
  let runWithNone: number
  const stored: StoredArtifact[] = []

  beforeAll(async () => {
    const source: RunArtifactSource = {
      listRunArtifacts: async ({ runId }) => stored.filter(artifact => artifact.runId === runId),
      getArtifact: async () => null,
      downloadUrl: async () => 'http://127.0.0.1:9/none'
    }
    artifactForge = await startEmulator({ artifacts: source })
    await seedSampleRepo(artifactForge, repo)
    const run = () =>
      artifactForge.createWorkflowRun(repo, {
        workflow: 'codex-waves-review.yml',
        event: 'workflow_run',
        headBranch: 'main',
        headSha: '0'.repeat(40),
        actor: 'github-actions[bot]'
      })
    runWithMany = run()
    runWithNone = run()
    for (let pr = 1; pr <= 130; pr += 1) {
      stored.push({
        id: pr,
        name: `waves-review-${pr}-1`,
        sizeInBytes: 10,
        runId: runWithMany,
        createdAt: '2025-01-31T12:00:00Z',
        updatedAt: '2025-01-31T12:00:00Z',
        expiresAt: null,
        digest: null
      })
    }
  })

  afterAll(async () => {
    await artifactForge?.close()
  })

  it("lists the names of a run's artifacts, one request per 100", async () => {
    const reader = new GitHubForge({
      client: createGitHubClient({
        token: artifactForge.tokens.actions,
        baseUrl: artifactForge.apiUrl,
        env: {}
      }),
      owner: artifactForge.owner,
      repo
    })
    const mark = artifactForge.requests().length
    const names = await reader.listRunArtifactNames(runWithMany)
    expect(names).toEqual(stored.map(artifact => artifact.name))
    expect(await reader.listRunArtifactNames(runWithNone)).toEqual([])
    const requests = artifactForge
      .requests()
      .slice(mark)
      .map(entry => entry.route)
    expect(requests).toEqual(Array(3).fill('/repos/{owner}/{repo}/actions/runs/{run_id}/artifacts'))
  })
})

describe('failures and retries', () => {
  it('retries a server error, then names the operation and status once retries are spent', async () => {
    const route = 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments'
    forge.injectFault({ route, kind: 'error', status: 502, times: 1 })
    const recovered = await logged(() => adapter.listComments(1))
    expect(recovered.map(entry => entry.status)).toEqual([502, 200])

    forge.injectFault({ route, kind: 'error', status: 500, times: 4 })
    const failure = adapter.listComments(1)
    await expect(failure).rejects.toThrow(/^Forge: listing the comments of #1 failed \(500\): /)
    await expect(failure).rejects.toMatchObject({ httpStatus: 500 })
  })

  it('keeps a typical issue within a fixed number of requests', async () => {
    const marker = '<!-- codex-waves:ledger -->'
    const issue = forge.createIssue(repo, { title: 'Count my requests', labels: ['bug'] })
    const head = await pushBranch('fix/40-count', 'origin/main', 'src/count.js', 'export {}\n')
    const before = github.requestCounts().total
    const mark = forge.requests().length

    await adapter.getIssue(issue)
    const pull = await adapter.createPull({
      title: 'Count',
      body: `Closes #${issue}`,
      head: 'fix/40-count',
      base: 'main'
    })
    await adapter.addLabels(pull.number, ['codex-waves'])
    await adapter.upsertComment(pull.number, marker, `${marker} dispatched`, admin)
    await adapter.getPull(pull.number)
    await adapter.getCiState(head)
    await adapter.setCommitStatus(head, {
      context: 'codex-waves/review',
      state: 'success',
      description: 'Approved'
    })
    await adapter.upsertComment(pull.number, marker, `${marker} approved`, admin)
    const merged = await adapter.mergePull(pull.number, head, 'squash')
    await adapter.deleteBranch('fix/40-count')

    expect(merged.status).toBe('merged')
    // getIssue 1, createPull 1, addLabels 1, upsert 2, getPull 1, getCiState 2, status 1,
    // upsert 2, merge 1, delete 1.
    expect(github.requestCounts().total - before).toBe(13)
    expect(restSince(mark)).toHaveLength(13)
    expect((await adapter.getIssue(issue))?.state).toBe('closed')
  })
})
