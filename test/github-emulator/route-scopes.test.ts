import { PERMISSIVE_JOB_PERMISSIONS } from '../../harness/github-emulator/index.js'
import type { ScopeNeed, TokenPermissions } from '../../harness/github-emulator/index.js'
import { allRoutes } from '../../harness/github-emulator/routes/repos.js'
import { statusOf } from './helpers.js'
import type { RouteWorld } from './route-scopes-fixture.js'
import { owner, repo, startRouteWorld } from './route-scopes-fixture.js'
import type { RouteRow } from './route-scopes-rows.js'
import { ROUTE_ROWS } from './route-scopes-rows.js'

let world: RouteWorld
const covered = new Set<string>()

beforeAll(async () => {
  world = await startRouteWorld()
})

afterAll(async () => {
  await world.close()
})

function scope(need: ScopeNeed) {
  const [name, level] = need.split(':') as [keyof TokenPermissions, 'read' | 'write']
  return { name, level }
}

/** Everything GitHub's permissive default holds, but the row's scopes one level short. */
function lacking(row: RouteRow): TokenPermissions {
  const permissions: TokenPermissions = { ...PERMISSIVE_JOB_PERMISSIONS }
  for (const need of [row.needs, ...(row.also ?? [])]) {
    const { name, level } = scope(need)
    permissions[name] = level === 'write' ? 'read' : 'none'
  }
  return permissions
}

function docsOf(route: string): string {
  const declared = allRoutes.find(r => `${r.method} ${r.template}` === route)
  if (!declared) throw new Error(`No route ${route} in the forge; fix the row.`)
  return `https://docs.github.com/rest/${declared.docs}`
}

describe('every REST route asks job tokens for its scope', () => {
  it.each(ROUTE_ROWS.map(row => [`${row.route} with ${row.needs}`, row] as const))(
    '%s',
    async (_name, row) => {
      if (row.needs !== 'metadata:read') {
        const refused = await statusOf(row.call(world.jobClient(lacking(row)), world))
        expect(refused).toMatchObject({
          status: 403,
          data: {
            message: 'Resource not accessible by integration',
            documentation_url: docsOf(row.route)
          },
          headers: {
            'x-accepted-github-permissions': expect.stringContaining(
              row.needs.replace('-', '_').replace(':', '=')
            )
          }
        })
      }
      const { name, level } = scope(row.needs)
      const mark = world.forge.requests().length
      const answer = await row.call(world.jobClient({ [name]: level }), world)
      expect(answer.status).toBe(row.status)
      const entry = world.forge
        .requests()
        .slice(mark)
        .find(e => e.path.startsWith(`/repos/${owner}/${repo}`))
      expect(entry && `${entry.method} ${entry.route}`).toBe(row.route)
      expect(entry?.scope).toEqual({ name, level })
      covered.add(row.route)
    }
  )

  it('has a row for every route the forge serves', () => {
    const served = allRoutes.map(route => `${route.method} ${route.template}`).sort()
    expect([...covered].sort()).toEqual(served)
  })
})

describe('the defects job tokens expose', () => {
  it('refuses a commit status from a job that only reads statuses, as GitHub does', async () => {
    const merge = world.jobClient({ contents: 'write', statuses: 'read', 'pull-requests': 'write' })
    const refused = await statusOf(
      merge.rest.repos.createCommitStatus({
        owner,
        repo,
        sha: world.mainSha,
        state: 'success',
        context: 'codex-waves/review'
      })
    )
    expect(refused).toMatchObject({
      status: 403,
      data: {
        message: 'Resource not accessible by integration',
        documentation_url: 'https://docs.github.com/rest/commits/statuses#create-a-commit-status',
        status: '403'
      }
    })
  })

  it('does not let pull-requests: write comment on an issue that is not a pull request', async () => {
    const prOnly = world.jobClient({ 'pull-requests': 'write' })
    const onIssue = await statusOf(
      prOnly.rest.issues.createComment({ owner, repo, issue_number: 1, body: 'x' })
    )
    expect(onIssue?.status).toBe(403)
    const onPull = await prOnly.rest.issues.createComment({
      owner,
      repo,
      issue_number: world.pr,
      body: 'x'
    })
    expect(onPull.status).toBe(201)
  })

  it('gives metadata: read to a job that asked for nothing', async () => {
    const nothing = world.jobClient({})
    expect((await nothing.rest.repos.get({ owner, repo })).status).toBe(200)
    expect(
      (await statusOf(nothing.rest.issues.get({ owner, repo, issue_number: 1 })))?.status
    ).toBe(403)
  })
})
