import { startEmulator, seedSampleRepo } from '../../harness/github-emulator/index.js'
import type { GitHubEmulator } from '../../harness/github-emulator/index.js'
import type { Client } from './helpers.js'
import { client, statusOf } from './helpers.js'

const owner = 'octo-org'
const repo = 'tiny-lib'
let forge: GitHubEmulator
let api: Client

beforeAll(async () => {
  forge = await startEmulator()
  await seedSampleRepo(forge)
  api = client(forge.apiUrl, forge.tokens.write)
})

afterAll(async () => {
  await forge.close()
})

describe('issues', () => {
  it('creates, edits, closes and reopens an issue', async () => {
    const created = await api.rest.issues.create({
      owner,
      repo,
      title: 'Draft',
      body: 'first',
      labels: ['bug']
    })
    expect(created.data).toMatchObject({ number: 5, state: 'open', title: 'Draft', body: 'first' })
    expect(
      created.data.labels.map(label => (typeof label === 'string' ? label : label.name))
    ).toEqual(['bug'])

    const edited = await api.rest.issues.update({
      owner,
      repo,
      issue_number: 5,
      title: 'Final',
      state: 'closed',
      state_reason: 'not_planned'
    })
    expect(edited.data).toMatchObject({
      title: 'Final',
      body: 'first',
      state: 'closed',
      state_reason: 'not_planned'
    })
    expect(edited.data.closed_at).not.toBeNull()

    const reopened = await api.rest.issues.update({ owner, repo, issue_number: 5, state: 'open' })
    expect(reopened.data).toMatchObject({
      state: 'open',
      state_reason: 'reopened',
      closed_at: null
    })
  })

  it('filters the list by state and by every named label', async () => {
    await api.rest.issues.create({
      owner,
      repo,
      title: 'Both labels',
      labels: ['bug', 'enhancement']
    })
    const bugs = await api.rest.issues.listForRepo({ owner, repo, labels: 'bug' })
    expect(bugs.data.map(issue => issue.number).sort()).toEqual([1, 5, 6])
    const both = await api.rest.issues.listForRepo({ owner, repo, labels: 'bug,enhancement' })
    expect(both.data.map(issue => issue.number)).toEqual([6])

    await api.rest.issues.update({ owner, repo, issue_number: 6, state: 'closed' })
    const open = await api.rest.issues.listForRepo({ owner, repo, labels: 'bug' })
    expect(open.data.map(issue => issue.number).sort()).toEqual([1, 5])
    const closed = await api.rest.issues.listForRepo({ owner, repo, state: 'closed' })
    expect(closed.data.map(issue => issue.number)).toEqual([6])
  })

  it('locks and unlocks an issue', async () => {
    await api.rest.issues.lock({ owner, repo, issue_number: 2, lock_reason: 'resolved' })
    expect((await api.rest.issues.get({ owner, repo, issue_number: 2 })).data).toMatchObject({
      locked: true,
      active_lock_reason: 'resolved'
    })
    await api.rest.issues.unlock({ owner, repo, issue_number: 2 })
    expect((await api.rest.issues.get({ owner, repo, issue_number: 2 })).data.locked).toBe(false)
  })

  it('lists the sub-issues of an umbrella issue', async () => {
    const umbrella = await api.rest.issues.create({ owner, repo, title: 'Umbrella' })
    const child = await api.rest.issues.get({ owner, repo, issue_number: 3 })
    await api.rest.issues.addSubIssue({
      owner,
      repo,
      issue_number: umbrella.data.number,
      sub_issue_id: Number(child.data.id)
    })
    const subs = await api.rest.issues.listSubIssues({
      owner,
      repo,
      issue_number: umbrella.data.number
    })
    expect(subs.data.map(issue => issue.number)).toEqual([3])
    const parent = await api.rest.issues.get({ owner, repo, issue_number: umbrella.data.number })
    expect(parent.data.sub_issues_summary).toEqual({ total: 1, completed: 0, percent_completed: 0 })
  })

  it('answers an unknown issue with GitHub 404 body', async () => {
    const missing = await statusOf(api.rest.issues.get({ owner, repo, issue_number: 404 }))
    expect(missing).toMatchObject({
      status: 404,
      data: {
        message: 'Not Found',
        documentation_url: 'https://docs.github.com/rest/issues/issues#get-an-issue',
        status: '404'
      }
    })
  })
})

describe('labels', () => {
  it('creates repository labels, refusing duplicates', async () => {
    const created = await api.rest.issues.createLabel({
      owner,
      repo,
      name: 'waves:needs-human',
      color: 'B60205',
      description: 'A person must act'
    })
    expect(created.data).toMatchObject({
      name: 'waves:needs-human',
      color: 'b60205',
      description: 'A person must act'
    })
    const duplicate = await statusOf(
      api.rest.issues.createLabel({ owner, repo, name: 'Waves:Needs-Human' })
    )
    expect(duplicate?.status).toBe(422)
    expect(duplicate?.data).toMatchObject({
      message: 'Validation Failed',
      errors: [{ resource: 'Label', code: 'already_exists', field: 'name' }]
    })
    const fetched = await api.rest.issues.getLabel({ owner, repo, name: 'waves:needs-human' })
    expect(fetched.data.id).toBe(created.data.id)
  })

  it('adds, sets and removes issue labels, creating unknown ones on the fly', async () => {
    const added = await api.rest.issues.addLabels({
      owner,
      repo,
      issue_number: 4,
      labels: ['waves:needs-human', 'brand-new']
    })
    expect(added.data.map(label => label.name)).toEqual([
      'enhancement',
      'waves:needs-human',
      'brand-new'
    ])
    expect((await api.rest.issues.getLabel({ owner, repo, name: 'brand-new' })).data.color).toBe(
      'ededed'
    )

    const set = await api.rest.issues.setLabels({ owner, repo, issue_number: 4, labels: ['bug'] })
    expect(set.data.map(label => label.name)).toEqual(['bug'])
    const removed = await api.rest.issues.removeLabel({ owner, repo, issue_number: 4, name: 'bug' })
    expect(removed.data).toEqual([])
    const again = await statusOf(
      api.rest.issues.removeLabel({ owner, repo, issue_number: 4, name: 'bug' })
    )
    expect(again?.status).toBe(404)
    const listed = await api.rest.issues.listLabelsOnIssue({ owner, repo, issue_number: 4 })
    expect(listed.data).toEqual([])
  })
})

describe('comments', () => {
  it('creates, lists, reads and updates comments with their authors', async () => {
    const bot = client(forge.apiUrl, forge.tokens.actions)
    const created = await bot.rest.issues.createComment({
      owner,
      repo,
      issue_number: 2,
      body: 'ledger v1'
    })
    await api.rest.issues.createComment({ owner, repo, issue_number: 2, body: 'a human reply' })

    const listed = await api.rest.issues.listComments({ owner, repo, issue_number: 2 })
    expect(listed.data.map(c => [c.user?.login, c.body])).toEqual([
      ['github-actions[bot]', 'ledger v1'],
      ['forge-writer', 'a human reply']
    ])
    await bot.rest.issues.updateComment({
      owner,
      repo,
      comment_id: created.data.id,
      body: 'ledger v2'
    })
    const read = await api.rest.issues.getComment({ owner, repo, comment_id: created.data.id })
    expect(read.data).toMatchObject({ body: 'ledger v2', author_association: 'NONE' })
    expect((await api.rest.issues.get({ owner, repo, issue_number: 2 })).data.comments).toBe(2)
  })
})

describe('pagination', () => {
  it('pages list routes with per_page and a Link header that octokit.paginate follows', async () => {
    for (let i = 0; i < 7; i++)
      await api.rest.issues.createComment({ owner, repo, issue_number: 3, body: `c${i}` })
    const first = await api.rest.issues.listComments({ owner, repo, issue_number: 3, per_page: 3 })
    expect(first.data.map(c => c.body)).toEqual(['c0', 'c1', 'c2'])
    expect(first.headers.link).toContain('page=2>; rel="next"')
    expect(first.headers.link).toContain('page=3>; rel="last"')
    const last = await api.rest.issues.listComments({
      owner,
      repo,
      issue_number: 3,
      per_page: 3,
      page: 3
    })
    expect(last.data.map(c => c.body)).toEqual(['c6'])
    expect(last.headers.link).toContain('rel="prev"')
    expect(last.headers.link).not.toContain('rel="next"')

    const all = await api.paginate(api.rest.issues.listComments, {
      owner,
      repo,
      issue_number: 3,
      per_page: 2
    })
    expect(all.map(c => c.body)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6'])
  })
})
