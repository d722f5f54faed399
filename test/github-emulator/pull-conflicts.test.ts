import { gitOk, statusOf } from './helpers.js'
import { owner, PullFixture, repo } from './pull-fixture.js'

let fixture: PullFixture
const api = () => fixture.api

beforeAll(async () => {
  fixture = await PullFixture.start()
})

afterAll(async () => {
  await fixture.close()
})

describe('conflicts, merge commits and update-branch', () => {
  it('reports a real conflict as mergeable false (dirty) and refuses the merge with 405', async () => {
    await fixture.pushChange(
      'docs/title-a',
      'origin/main',
      'README.md',
      t => t.replace('# tiny-lib', '# tiny-lib A'),
      'docs: title A'
    )
    await fixture.pushChange(
      'docs/title-b',
      'origin/main',
      'README.md',
      t => t.replace('# tiny-lib', '# tiny-lib B'),
      'docs: title B'
    )
    const first = await api().rest.pulls.create({
      owner,
      repo,
      title: 'Title A',
      head: 'docs/title-a',
      base: 'main'
    })
    const second = await api().rest.pulls.create({
      owner,
      repo,
      title: 'Title B',
      head: 'docs/title-b',
      base: 'main'
    })

    const merged = await api().rest.pulls.merge({
      owner,
      repo,
      pull_number: first.data.number,
      merge_method: 'merge'
    })
    await gitOk(fixture.dir, ['fetch', '--quiet', 'origin'])
    expect(
      (await gitOk(fixture.dir, ['rev-list', '--parents', '-n', '1', merged.data.sha])).split(' ')
    ).toHaveLength(3)

    const settled = await fixture.settledPull(second.data.number)
    expect(settled.mergeable).toBe(false)
    expect(settled.mergeable_state).toBe('dirty')
    const refused = await statusOf(
      api().rest.pulls.merge({ owner, repo, pull_number: second.data.number })
    )
    expect(refused?.status).toBe(405)
    expect((refused?.data as { message: string }).message).toBe('Pull Request is not mergeable')
    const update = await statusOf(
      api().rest.pulls.updateBranch({
        owner,
        repo,
        pull_number: second.data.number,
        expected_head_sha: settled.head.sha
      })
    )
    expect(update?.status).toBe(422)
  })

  it('updates a branch only for the expected head, merging the base into it for real', async () => {
    const head = await fixture.pushChange(
      'feat/2-truncate',
      'origin/main',
      'src/strings.js',
      t =>
        `${t}\n/** Cut to max characters. */\nexport function truncate(text, max) {\n  return text.slice(0, max)\n}\n`,
      'feat: truncate'
    )
    const pull = await api().rest.pulls.create({
      owner,
      repo,
      title: 'Truncate',
      head: 'feat/2-truncate',
      base: 'main'
    })
    const mainTip = await fixture.pushChange(
      'main',
      'origin/main',
      'docs/notes.md',
      () => 'notes\n',
      'docs: notes'
    )

    const stale = await statusOf(
      api().rest.pulls.updateBranch({
        owner,
        repo,
        pull_number: pull.data.number,
        expected_head_sha: mainTip
      })
    )
    expect(stale?.status).toBe(422)
    expect((stale?.data as { message: string }).message).toBe(
      "expected head sha didn't match current head ref."
    )

    const accepted = await api().rest.pulls.updateBranch({
      owner,
      repo,
      pull_number: pull.data.number,
      expected_head_sha: head
    })
    expect(accepted.status).toBe(202)
    const moved = (await api().rest.pulls.get({ owner, repo, pull_number: pull.data.number })).data
      .head.sha
    expect(moved).not.toBe(head)
    await gitOk(fixture.dir, ['fetch', '--quiet', 'origin'])
    await gitOk(fixture.dir, ['merge-base', '--is-ancestor', mainTip, moved])
    await gitOk(fixture.dir, ['merge-base', '--is-ancestor', head, moved])
    const files = await api().rest.pulls.listFiles({ owner, repo, pull_number: pull.data.number })
    expect(files.data.map(file => file.filename)).toEqual(['src/strings.js'])
  })

  it('rebase-merges by replaying each commit with its author onto the base', async () => {
    const head = await fixture.pushChange(
      'feat/3-shout',
      'origin/main',
      'src/shout.js',
      () => 'export const shout = (t) => t.toUpperCase()\n',
      'feat: shout'
    )
    const pull = await api().rest.pulls.create({
      owner,
      repo,
      title: 'Shout',
      head: 'feat/3-shout',
      base: 'main'
    })
    const mainBefore = await fixture.pushChange(
      'main',
      'origin/main',
      'docs/more.md',
      () => 'more\n',
      'docs: more'
    )
    const merged = await api().rest.pulls.merge({
      owner,
      repo,
      pull_number: pull.data.number,
      sha: head,
      merge_method: 'rebase'
    })
    await gitOk(fixture.dir, ['fetch', '--quiet', 'origin'])
    expect(await gitOk(fixture.dir, ['log', '-1', '--format=%P|%s|%an|%cn', merged.data.sha])).toBe(
      `${mainBefore}|feat: shout|Test Author|GitHub`
    )
    expect(await gitOk(fixture.dir, ['show', `${merged.data.sha}:docs/more.md`])).toBe('more')
  })
})
