import { join } from 'node:path'
import { writeFile } from 'node:fs/promises'
import { startEmulator, seedSampleRepo } from '../../harness/github-emulator/index.js'
import type { GitHubEmulator } from '../../harness/github-emulator/index.js'
import type { Client } from './helpers.js'
import { client, gitOk, remoteWithToken, statusOf, tempDir, waitFor } from './helpers.js'

const owner = 'octo-org'
const repo = 'tiny-lib'
let forge: GitHubEmulator
let api: Client
let bot: Client
let mainSha: string

beforeAll(async () => {
  forge = await startEmulator()
  await seedSampleRepo(forge)
  api = client(forge.apiUrl, forge.tokens.write)
  bot = client(forge.apiUrl, forge.tokens.actions)
  mainSha = (await api.rest.git.getRef({ owner, repo, ref: 'heads/main' })).data.object.sha
})

afterAll(async () => {
  await forge.close()
})

describe('commit statuses', () => {
  it('combines the newest status per context into one state', async () => {
    const pending = await api.rest.repos.createCommitStatus({
      owner,
      repo,
      sha: mainSha,
      state: 'pending',
      context: 'ci'
    })
    expect(pending.status).toBe(201)
    expect(
      (await api.rest.repos.getCombinedStatusForRef({ owner, repo, ref: 'main' })).data.state
    ).toBe('pending')

    await bot.rest.repos.createCommitStatus({
      owner,
      repo,
      sha: mainSha,
      state: 'failure',
      context: 'codex-waves/review'
    })
    expect(
      (await api.rest.repos.getCombinedStatusForRef({ owner, repo, ref: mainSha })).data.state
    ).toBe('failure')

    await api.rest.repos.createCommitStatus({
      owner,
      repo,
      sha: mainSha,
      state: 'success',
      context: 'ci'
    })
    await bot.rest.repos.createCommitStatus({
      owner,
      repo,
      sha: mainSha,
      state: 'success',
      context: 'codex-waves/review',
      description: 'approved'
    })
    const combined = await api.rest.repos.getCombinedStatusForRef({ owner, repo, ref: 'main' })
    expect(combined.data).toMatchObject({ state: 'success', sha: mainSha, total_count: 2 })
    expect(combined.data.statuses.map(s => [s.context, s.state])).toEqual([
      ['codex-waves/review', 'success'],
      ['ci', 'success']
    ])
    const history = await api.rest.repos.listCommitStatusesForRef({ owner, repo, ref: mainSha })
    expect(history.data).toHaveLength(4)
    expect(history.data[0]?.creator?.login).toBe('github-actions[bot]')
  })

  it('refuses a status for a commit that does not exist', async () => {
    const refused = await statusOf(
      api.rest.repos.createCommitStatus({ owner, repo, sha: 'f'.repeat(40), state: 'success' })
    )
    expect(refused?.status).toBe(422)
  })
})

describe('check runs', () => {
  it('lets the app token create and complete check runs and lists the latest per name', async () => {
    const run = await bot.rest.checks.create({
      owner,
      repo,
      name: 'build',
      head_sha: mainSha,
      status: 'in_progress'
    })
    expect(run.data).toMatchObject({ name: 'build', status: 'in_progress', conclusion: null })
    await bot.rest.checks.update({
      owner,
      repo,
      check_run_id: run.data.id,
      conclusion: 'success',
      output: { title: 'ok', summary: 'all good' }
    })
    await bot.rest.checks.create({
      owner,
      repo,
      name: 'lint',
      head_sha: mainSha,
      conclusion: 'failure'
    })

    const listed = await api.rest.checks.listForRef({ owner, repo, ref: 'main' })
    expect(listed.data.total_count).toBe(2)
    expect(listed.data.check_runs.map(r => [r.name, r.status, r.conclusion]).sort()).toEqual([
      ['build', 'completed', 'success'],
      ['lint', 'completed', 'failure']
    ])
    const onlyBuild = await api.rest.checks.listForRef({
      owner,
      repo,
      ref: mainSha,
      check_name: 'build'
    })
    expect(onlyBuild.data.check_runs[0]?.output.summary).toBe('all good')
  })

  it('refuses check runs from a personal token as GitHub does', async () => {
    const refused = await statusOf(
      api.rest.checks.create({ owner, repo, name: 'x', head_sha: mainSha })
    )
    expect(refused?.status).toBe(403)
    expect((refused?.data as { message: string }).message).toBe(
      'You must authenticate via a GitHub App.'
    )
  })
})

describe('required status checks', () => {
  it('blocks the merge until the required context succeeds on the head', async () => {
    forge.configureRepo(repo, { requiredStatusChecks: ['codex-waves/review'] })
    const work = await tempDir('forge-checks-')
    try {
      const dir = join(work.path, 'clone')
      await gitOk(work.path, [
        'clone',
        '--quiet',
        remoteWithToken(forge.cloneUrl(repo), forge.tokens.write),
        dir
      ])
      await gitOk(dir, ['checkout', '--quiet', '-b', 'docs/guarded'])
      await writeFile(join(dir, 'GUARDED.md'), 'guarded\n')
      await gitOk(dir, ['add', '.'])
      await gitOk(dir, ['commit', '--quiet', '-m', 'docs: guarded'])
      await gitOk(dir, ['push', '--quiet', 'origin', 'docs/guarded'])
      const head = await gitOk(dir, ['rev-parse', 'HEAD'])
      const pull = await api.rest.pulls.create({
        owner,
        repo,
        title: 'Guarded',
        head: 'docs/guarded',
        base: 'main'
      })
      const blocked = await waitFor(async () => {
        const { data } = await api.rest.pulls.get({ owner, repo, pull_number: pull.data.number })
        return data.mergeable === null ? undefined : data
      }, 'mergeability')
      expect(blocked.mergeable_state).toBe('blocked')
      const refused = await statusOf(
        api.rest.pulls.merge({ owner, repo, pull_number: pull.data.number, sha: head })
      )
      expect(refused?.status).toBe(405)

      await bot.rest.repos.createCommitStatus({
        owner,
        repo,
        sha: head,
        state: 'success',
        context: 'codex-waves/review'
      })
      const clean = await api.rest.pulls.get({ owner, repo, pull_number: pull.data.number })
      expect(clean.data.mergeable_state).toBe('clean')
      expect(
        (await api.rest.pulls.merge({ owner, repo, pull_number: pull.data.number, sha: head })).data
          .merged
      ).toBe(true)
    } finally {
      forge.configureRepo(repo, { requiredStatusChecks: [] })
      await work.remove()
    }
  })
})
