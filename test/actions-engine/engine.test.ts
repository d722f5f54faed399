/**
 * The Actions engine on small workflows of its own, over the GitHub emulator: triggers and
 * GitHub's token rule, `workflow_run` depth, needs/if/matrix/outputs, file commands, local node
 * actions, the checkout and App-token stand-ins, concurrency, environments with reviewers,
 * job-scoped permissions, and a loud failure for what it does not run.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { getOctokit } from '@actions/github'
import {
  ActionsEngine,
  permissionReport,
  type RunRecord
} from '../../harness/actions-engine/index.js'
import { startEmulator, type GitHubEmulator } from '../../harness/github-emulator/index.js'
import { expectConclusion } from './run-log.js'

const ECHO_ACTION = {
  'actions/echo/action.yml': `name: echo
inputs:
  text:
    required: true
  token:
    default: \${{ github.token }}
outputs:
  said:
    description: what it said
runs:
  using: node24
  main: main.mjs
`,
  'actions/echo/main.mjs': `import { appendFileSync } from 'node:fs'
const text = process.env.INPUT_TEXT
appendFileSync(process.env.GITHUB_OUTPUT, 'said=' + text + '\\n')
appendFileSync(process.env.GITHUB_STEP_SUMMARY, '### said ' + text + '\\n')
console.log('token given: ' + (process.env.INPUT_TOKEN.length > 10))
console.log('::notice::echoed ' + text)
`
}

const workflow = (name: string, body: string) => ({ [`.github/workflows/${name}.yml`]: body })

const FILES: Record<string, string> = {
  'README.md': '# engine test\n',
  'secret/notes.txt': 'not for sparse checkouts\n',
  ...ECHO_ACTION,
  ...workflow(
    'main',
    `name: main
on:
  workflow_dispatch:
    inputs:
      items:
        required: true
        type: string
      loud:
        type: boolean
        default: false
permissions:
  contents: read
env:
  GREETING: hello
jobs:
  list:
    runs-on: ubuntu-latest
    outputs:
      matrix: \${{ steps.make.outputs.matrix }}
      loud: \${{ steps.make.outputs.loud }}
    steps:
      - id: make
        env:
          ITEMS: \${{ inputs.items }}
        run: |
          echo "matrix={\\"include\\":[$(echo "$ITEMS" | sed 's/\\([a-z]*\\)/{\\"item\\":\\"\\1\\"}/g; s/ /,/g')]}" >> "$GITHUB_OUTPUT"
          echo "loud=\${{ inputs.loud }}" >> "$GITHUB_OUTPUT"
          echo "FROM_ENV_FILE=exported" >> "$GITHUB_ENV"
      - run: test "$FROM_ENV_FILE" = exported && test "$GREETING" = hello
  each:
    needs: list
    runs-on: ubuntu-latest
    strategy:
      matrix: \${{ fromJSON(needs.list.outputs.matrix) }}
    steps:
      - uses: actions/checkout@v4
        with:
          sparse-checkout: actions
          persist-credentials: false
      - id: echo
        uses: ./actions/echo
        with:
          text: \${{ matrix.item }}-\${{ needs.list.outputs.loud }}
      - run: exit 3
        continue-on-error: true
      - run: test ! -e secret/notes.txt && ! grep -q extraheader .git/config
  after:
    needs: each
    if: always()
    runs-on: ubuntu-latest
    steps:
      - run: echo "each was \${{ needs.each.result }}"
`
  ),
  ...workflow(
    'level-1',
    `name: level-1
on:
  workflow_run:
    workflows: [main]
    types: [completed]
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo \${{ github.event.workflow_run.conclusion }}
`
  ),
  ...workflow('level-2', chained('level-2', 'level-1')),
  ...workflow('level-3', chained('level-3', 'level-2')),
  ...workflow('level-4', chained('level-4', 'level-3')),
  ...workflow(
    'labelled',
    `name: labelled
on:
  issues:
    types: [labeled]
permissions:
  issues: write
jobs:
  comment:
    if: github.event.label.name == 'go'
    runs-on: ubuntu-latest
    steps:
      - env:
          GH: \${{ github.api_url }}
          TOKEN: \${{ github.token }}
          NUMBER: \${{ github.event.issue.number }}
        run: |
          curl -sf -X POST -H "authorization: token $TOKEN" -d '{"labels":["go"]}' "$GH/repos/\${{ github.repository }}/issues/$NUMBER/labels" > /dev/null
          curl -s -o /dev/null -w '%{http_code}' -X POST -H "authorization: token $TOKEN" -d '{"state":"success","context":"x"}' "$GH/repos/\${{ github.repository }}/statuses/\${{ github.sha }}" > status.txt
          test "$(cat status.txt)" = 403
`
  ),
  ...workflow(
    'gated',
    `name: gated
on:
  workflow_dispatch:
concurrency:
  group: only-one
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    steps:
      - run: echo deployed
`
  ),
  ...workflow(
    'app',
    `name: app
on: workflow_dispatch
permissions: {}
jobs:
  mint:
    runs-on: ubuntu-latest
    steps:
      - id: token
        uses: actions/create-github-app-token@df432ceedc7162793a195dd1713ff69aefc7379e
        with:
          app-id: \${{ vars.APP_ID }}
          private-key: \${{ secrets.APP_KEY }}
          permission-issues: write
      - env:
          TOKEN: \${{ steps.token.outputs.token }}
          GH: \${{ github.api_url }}
        run: |
          curl -sf -X POST -H "authorization: token $TOKEN" -d '{"body":"from the app"}' "$GH/repos/\${{ github.repository }}/issues/1/comments" > /dev/null
          echo "slug=\${{ steps.token.outputs.app-slug }}"
`
  ),
  ...workflow(
    'commented',
    `name: commented
on:
  issue_comment:
    types: [created]
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo "comment by \${{ github.event.comment.user.login }}"
`
  ),
  ...workflow(
    'hourly',
    `name: hourly
on:
  schedule:
    - cron: '17 * * * *'
jobs:
  sweep:
    runs-on: ubuntu-latest
    steps:
      - run: echo "\${{ github.event_name }} on \${{ github.ref }}"
`
  ),
  ...workflow(
    'slow',
    `name: slow
on: workflow_dispatch
jobs:
  a:
    runs-on: ubuntu-latest
    timeout-minutes: 0.05
    steps:
      - run: sleep 60
`
  ),
  ...workflow(
    'nowhere',
    `name: nowhere
on: workflow_dispatch
jobs:
  stuck:
    runs-on: [self-hosted, gpu]
    steps:
      - run: echo never
`
  ),
  ...workflow(
    'foreign',
    `name: foreign
on: workflow_dispatch
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: someone/else@v1
`
  )
}

function chained(name: string, after: string): string {
  return `name: ${name}
on:
  workflow_run:
    workflows: [${after}]
    types: [completed]
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo level
`
}

const REPO = 'engine-test'
let forge: GitHubEmulator
let engine: ActionsEngine

beforeAll(async () => {
  forge = await startEmulator()
  await forge.createRepo({ name: REPO, files: FILES })
  forge.createIssue(REPO, { title: 'one' })
  engine = await ActionsEngine.start({
    forge,
    repo: REPO,
    runners: [{ name: 'hosted', labels: ['ubuntu-latest'], hosted: true, capacity: 8 }],
    vars: { APP_ID: '7' },
    secrets: { APP_KEY: 'key-7' },
    app: { id: '7', privateKey: 'key-7', slug: 'helper' },
    environments: { production: { requiredReviewers: true } }
  })
})

afterAll(async () => {
  await engine.close()
  await forge.close()
})

const as = (kind: 'admin' | 'write' | 'read') =>
  getOctokit(forge.tokens[kind], { baseUrl: forge.apiUrl })
const where = () => ({ owner: forge.owner, repo: REPO })

function newRuns(before: number): RunRecord[] {
  return engine.runs().slice(before)
}

function byWorkflow(runs: readonly RunRecord[], name: string): RunRecord[] {
  return runs.filter(run => run.name === name)
}

async function dispatch(file: string, inputs: Record<string, string> = {}): Promise<void> {
  await as('write').rest.actions.createWorkflowDispatch({
    ...where(),
    workflow_id: file,
    ref: 'main',
    inputs
  })
}

describe('a dispatched run', () => {
  let runs: RunRecord[]

  beforeAll(async () => {
    const before = engine.runs().length
    await dispatch('main.yml', { items: 'a b', loud: 'true' })
    await engine.settled({ timeoutMs: 120_000 })
    runs = newRuns(before)
  }, 180_000)

  it('runs its jobs in needs order with outputs, a matrix from fromJSON, and continue-on-error', () => {
    const [main] = byWorkflow(runs, 'main')
    expect(main).toMatchObject({
      event: 'workflow_dispatch',
      conclusion: 'success',
      actor: 'forge-writer'
    })
    expect(main!.jobs.map(job => `${job.name}: ${job.result}`).sort()).toEqual([
      'after: success',
      'each (a): success',
      'each (b): success',
      'list: success'
    ])
    const each = main!.jobs.find(job => job.name === 'each (a)')!
    expect(each.steps.map(step => [step.outcome, step.conclusion])).toEqual([
      ['success', 'success'],
      ['success', 'success'],
      ['failure', 'success'],
      ['success', 'success']
    ])
    expect(each.steps[1]?.outputs).toEqual({ said: 'a-true' })
    expect(each.steps[1]?.log).toMatch(/token given: true/)
    expect(each.summary).toContain('### said a-true')
    expect(main!.jobs.find(job => job.name === 'after')?.steps[0]?.log).toContain(
      'each was success'
    )
  })

  it('gives each job a token with exactly its permissions, and a check run on the commit', async () => {
    const [main] = byWorkflow(runs, 'main')
    expect(main!.jobs[0]?.permissions).toEqual({ metadata: 'read', contents: 'read' })
    const checks = await as('read').rest.checks.listForRef({ ...where(), ref: main!.sha })
    const names = checks.data.check_runs.map(check => `${check.name}: ${check.conclusion}`)
    expect(names).toEqual(
      expect.arrayContaining([
        'list: success',
        'each (a): success',
        'each (b): success',
        'after: success'
      ])
    )
  })

  it('sends workflow_run three levels deep and no further', () => {
    expect(runs.map(run => run.name).filter(name => name.startsWith('level'))).toEqual([
      'level-1',
      'level-2',
      'level-3'
    ])
    expect(byWorkflow(runs, 'level-3')[0]?.depth).toBe(3)
  })
})

describe('events and the GITHUB_TOKEN rule', () => {
  it("a person's label starts a run; the label its GITHUB_TOKEN sets starts none; a write outside its permissions is refused", async () => {
    const before = engine.runs().length
    await as('write').rest.issues.addLabels({ ...where(), issue_number: 1, labels: ['go'] })
    await engine.settled({ timeoutMs: 60_000 })
    const runs = newRuns(before)
    expect(runs.map(run => run.name)).toEqual(['labelled'])
    expectConclusion(runs[0], 'success')
    const report = permissionReport(runs, forge.requests())
    expect(report[0]).toMatchObject({ job: 'comment', used: ['issues:write'] })
    expect(report[0]?.refused.map(entry => entry.route)).toEqual([
      '/repos/{owner}/{repo}/statuses/{sha}'
    ])
  }, 90_000)
})

describe('the App token stand-in', () => {
  it('mints an installation token with the permissions asked; what it does starts workflows', async () => {
    const before = engine.runs().length
    await dispatch('app.yml')
    await engine.settled({ timeoutMs: 60_000 })
    const runs = newRuns(before)
    const [run] = byWorkflow(runs, 'app')
    expectConclusion(run, 'success')
    const [commented] = byWorkflow(runs, 'commented')
    expect(commented?.actor).toBe('helper[bot]')
    expect(commented?.jobs[0]?.steps[0]?.log).toContain('comment by helper[bot]')
    expect(run?.jobs[0]?.steps[1]?.log).toContain('slug=helper')
    const comments = await as('read').rest.issues.listComments({ ...where(), issue_number: 1 })
    expect(comments.data.at(-1)?.user?.login).toBe('helper[bot]')
    const report = permissionReport([run!], forge.requests())
    expect(report[0]?.used).toEqual(['issues:write'])
  }, 90_000)
})

describe('environments and concurrency', () => {
  it('a job waits for a reviewer, approved through the REST API; a newer pending run cancels the older', async () => {
    const before = engine.runs().length
    await dispatch('gated.yml')
    await engine.settled({ timeoutMs: 60_000 })
    await dispatch('gated.yml')
    await dispatch('gated.yml')
    await engine.settled({ timeoutMs: 60_000 })
    const runs = byWorkflow(newRuns(before), 'gated')
    const first = runs[0]!
    const pending = await as('write').request(
      'GET /repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments',
      {
        ...where(),
        run_id: first.id
      }
    )
    const [deployment] = pending.data as Array<{ environment: { id: number; name: string } }>
    expect(deployment?.environment.name).toBe('production')
    const review = (kind: 'write' | 'read', runId: number, state: 'approved' | 'rejected') =>
      as(kind).request('POST /repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments', {
        ...where(),
        run_id: runId,
        environment_ids: [deployment!.environment.id],
        state,
        comment: ''
      })
    const refused = await review('read', first.id, 'approved').catch(
      (error: { status: number }) => error.status
    )
    expect(refused).toBe(403)
    await review('write', first.id, 'approved')
    await engine.settled({ timeoutMs: 60_000 })
    await review('write', runs[2]!.id, 'rejected')
    await engine.settled({ timeoutMs: 60_000 })
    expect(byWorkflow(newRuns(before), 'gated').map(run => run.conclusion)).toEqual([
      'success',
      'cancelled',
      'failure'
    ])
  }, 120_000)
})

describe('schedule', () => {
  it('runs a scheduled workflow on request, on the default branch', async () => {
    const before = engine.runs().length
    engine.runSchedule('.github/workflows/hourly.yml')
    await engine.settled({ timeoutMs: 60_000 })
    const [run] = newRuns(before)
    expectConclusion(run, 'success')
    expect(run?.jobs[0]?.steps[0]?.log).toContain('schedule on refs/heads/main')
  })
})

describe('timeout-minutes', () => {
  it('ends a job that runs past it, killing its step, and fails it', async () => {
    const before = engine.runs().length
    await dispatch('slow.yml')
    await engine.settled({ timeoutMs: 60_000 })
    const [run] = newRuns(before)
    expect(run?.conclusion).toBe('failure')
    expect(run?.jobs[0]?.error).toBe(
      'The job has exceeded the maximum execution time of 0.05 minutes.'
    )
    expect(run!.jobs[0]!.endedAt - run!.jobs[0]!.startedAt).toBeLessThan(30_000)
  })
})

describe('what the engine does not run', () => {
  it('a job no runner has labels for fails, saying so', async () => {
    const before = engine.runs().length
    await dispatch('nowhere.yml')
    await engine.settled({ timeoutMs: 60_000 })
    const [run] = newRuns(before)
    expect(run?.conclusion).toBe('failure')
    expect(run?.jobs[0]?.error).toMatch(/No runner has the labels \[self-hosted, gpu\]/)
  })

  it('an action it cannot run fails the engine loudly, naming the file, line and action', async () => {
    await dispatch('foreign.yml')
    await expect(engine.settled({ timeoutMs: 60_000 })).rejects.toThrow(
      /\.github\/workflows\/foreign\.yml:\d+: the Actions engine does not support the action 'someone\/else@v1'/
    )
  })
})
