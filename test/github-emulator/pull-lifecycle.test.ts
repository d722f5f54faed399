import { client, gitOk, statusOf } from './helpers.js'
import { owner, PullFixture, repo } from './pull-fixture.js'

let fixture: PullFixture
const api = () => fixture.api

beforeAll(async () => {
  fixture = await PullFixture.start()
})

afterAll(async () => {
  await fixture.close()
})

describe('a pull request from push to squash merge', () => {
  let number: number
  let firstHead: string
  let secondHead: string

  it('opens from a pushed branch with mergeable null, then true and clean', async () => {
    firstHead = await fixture.pushChange(
      'fix/1-mean',
      'origin/main',
      'src/numbers.js',
      text =>
        text.replace(
          'return sum(values) / values.length',
          'return values.length ? sum(values) / values.length : 0'
        ),
      'fix: mean of an empty list is 0'
    )
    const created = await api().rest.pulls.create({
      owner,
      repo,
      title: 'Fix mean',
      head: 'fix/1-mean',
      base: 'main',
      body: 'Closes #1'
    })
    number = created.data.number
    expect(created.data.head.sha).toBe(firstHead)
    expect(created.data.mergeable).toBeNull()
    expect(created.data.mergeable_state).toBe('unknown')

    const settled = await fixture.settledPull(number)
    expect(settled.mergeable).toBe(true)
    expect(settled.mergeable_state).toBe('clean')
    expect(settled.commits).toBe(1)
    expect(settled.changed_files).toBe(1)

    const listed = await api().rest.pulls.list({
      owner,
      repo,
      head: `${owner}:fix/1-mean`,
      state: 'open'
    })
    expect(listed.data.map(pull => pull.number)).toEqual([number])
    const otherHead = await api().rest.pulls.list({ owner, repo, head: `${owner}:nope` })
    expect(otherHead.data).toEqual([])
  })

  it('follows a push to the head branch, reading null again until recomputed', async () => {
    secondHead = await fixture.pushChange(
      'fix/1-mean',
      'fix/1-mean',
      'test/numbers.test.js',
      text => `${text}\ntest('mean of nothing is 0', () => {\n  assert.equal(mean([]), 0)\n})\n`,
      'test: mean of an empty list'
    )
    const { data } = await api().rest.pulls.get({ owner, repo, pull_number: number })
    expect(data.head.sha).toBe(secondHead)
    expect(data.mergeable).toBeNull()
    expect((await fixture.settledPull(number)).mergeable).toBe(true)

    const files = await api().rest.pulls.listFiles({ owner, repo, pull_number: number })
    expect(files.data.map(file => [file.filename, file.status])).toEqual([
      ['src/numbers.js', 'modified'],
      ['test/numbers.test.js', 'modified']
    ])
    expect(files.data[0]?.patch).toContain(
      '+  return values.length ? sum(values) / values.length : 0'
    )
    const commits = await api().rest.pulls.listCommits({ owner, repo, pull_number: number })
    expect(commits.data.map(commit => commit.sha)).toEqual([firstHead, secondHead])
    const comparison = await api().rest.repos.compareCommitsWithBasehead({
      owner,
      repo,
      basehead: 'main...fix/1-mean'
    })
    expect(comparison.data).toMatchObject({
      status: 'ahead',
      ahead_by: 2,
      behind_by: 0,
      total_commits: 2
    })
  })

  it('refuses a merge whose sha is not the head with 409', async () => {
    const refused = await statusOf(
      api().rest.pulls.merge({
        owner,
        repo,
        pull_number: number,
        sha: firstHead,
        merge_method: 'squash'
      })
    )
    expect(refused?.status).toBe(409)
    expect((refused?.data as { message: string }).message).toBe(
      'Head branch was modified. Review and try the merge again.'
    )
  })

  it('squash-merges into one single-parent commit on main that closes the linked issue', async () => {
    const mainBefore = (await api().rest.git.getRef({ owner, repo, ref: 'heads/main' })).data.object
      .sha
    const merged = await api().rest.pulls.merge({
      owner,
      repo,
      pull_number: number,
      sha: secondHead,
      merge_method: 'squash'
    })
    expect(merged.data.merged).toBe(true)

    await gitOk(fixture.dir, ['fetch', '--quiet', 'origin'])
    expect(await gitOk(fixture.dir, ['rev-parse', 'origin/main'])).toBe(merged.data.sha)
    const parents = (
      await gitOk(fixture.dir, ['rev-list', '--parents', '-n', '1', merged.data.sha])
    )
      .split(' ')
      .slice(1)
    expect(parents).toEqual([mainBefore])
    expect(await gitOk(fixture.dir, ['log', '-1', '--format=%s', merged.data.sha])).toBe(
      `Fix mean (#${number})`
    )
    expect(await gitOk(fixture.dir, ['show', `${merged.data.sha}:src/numbers.js`])).toContain(
      'values.length ? sum(values)'
    )
    expect(await gitOk(fixture.dir, ['diff', '--name-only', mainBefore, merged.data.sha])).toBe(
      'src/numbers.js\ntest/numbers.test.js'
    )

    const pull = await api().rest.pulls.get({ owner, repo, pull_number: number })
    expect(pull.data).toMatchObject({
      state: 'closed',
      merged: true,
      merge_commit_sha: merged.data.sha
    })
    expect(pull.data.merged_by?.login).toBe('forge-writer')
    const issue = await api().rest.issues.get({ owner, repo, issue_number: 1 })
    expect(issue.data).toMatchObject({ state: 'closed', state_reason: 'completed' })
    expect(issue.data.closed_by?.login).toBe('forge-writer')
  })

  it('deletes the merged branch through the refs API', async () => {
    await api().rest.git.deleteRef({ owner, repo, ref: 'heads/fix/1-mean' })
    expect(
      (await statusOf(api().rest.git.getRef({ owner, repo, ref: 'heads/fix/1-mean' })))?.status
    ).toBe(404)
    expect(await gitOk(fixture.dir, ['ls-remote', 'origin', 'refs/heads/fix/1-mean'])).toBe('')
    const again = await statusOf(api().rest.git.deleteRef({ owner, repo, ref: 'heads/fix/1-mean' }))
    expect(again?.status).toBe(422)
  })
})

describe('two merges at once', () => {
  it('lets exactly one of two concurrent merges of the same PR land', async () => {
    const head = await fixture.pushChange(
      'feat/race',
      'origin/main',
      'src/race.js',
      () => 'export const race = 1\n',
      'feat: race'
    )
    const mainBefore = (await api().rest.git.getRef({ owner, repo, ref: 'heads/main' })).data.object
      .sha
    const pull = await api().rest.pulls.create({
      owner,
      repo,
      title: 'Race',
      head: 'feat/race',
      base: 'main'
    })
    const bot = client(fixture.forge.apiUrl, fixture.forge.tokens.actions)
    const attempt = (merger: typeof bot) =>
      statusOf(
        merger.rest.pulls.merge({
          owner,
          repo,
          pull_number: pull.data.number,
          sha: head,
          merge_method: 'squash'
        })
      )
    const outcomes = await Promise.all([attempt(api()), attempt(bot)])
    expect(outcomes.map(outcome => outcome?.status ?? 200).sort()).toEqual([200, 405])
    await gitOk(fixture.dir, ['fetch', '--quiet', 'origin'])
    expect(await gitOk(fixture.dir, ['rev-list', '--count', `${mainBefore}..origin/main`])).toBe(
      '1'
    )
  })
})
