/**
 * GitHub's rules the engine applies, each on plain data: which workflows an event starts, matrix
 * expansion, concurrency groups, token permissions and expression evaluation.
 */
import { ConcurrencyGroups } from '../../harness/actions-engine/concurrency.js'
import {
  ALL_WELL,
  evaluateCondition,
  evaluateExpression,
  evaluateText,
  evaluateTextMap
} from '../../harness/actions-engine/expressions.js'
import { expandStrategy, legName } from '../../harness/actions-engine/matrix.js'
import { jobPermissions, writeScopes } from '../../harness/actions-engine/permissions.js'
import { branchPasses, starts, type TriggerEvent } from '../../harness/actions-engine/triggers.js'
import { loadWorkflow, type WorkflowModel } from '../../harness/actions-engine/workflow.js'

const place = { file: 'x.yml', line: 1 }

async function workflowWith(on: string, name = 'follower'): Promise<WorkflowModel> {
  return loadWorkflow(
    `.github/workflows/${name}.yml`,
    `name: ${name}\non:\n${on}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: 'true'\n`
  )
}

function event(name: string, extra: Partial<TriggerEvent> = {}): TriggerEvent {
  return { name, action: null, payload: {}, causedByActionsToken: false, depth: 0, ...extra }
}

describe('which workflows an event starts', () => {
  it('an event caused by GITHUB_TOKEN starts only workflow_dispatch and repository_dispatch runs', async () => {
    const labelled = await workflowWith('  issues:\n    types: [labeled]')
    const dispatched = await workflowWith('  workflow_dispatch:')
    const byToken = { causedByActionsToken: true }
    expect(starts(labelled, event('issues', { action: 'labeled', ...byToken }))).toBe(false)
    expect(starts(labelled, event('issues', { action: 'labeled' }))).toBe(true)
    expect(
      starts(dispatched, event('workflow_dispatch', { ...byToken, target: dispatched.path }))
    ).toBe(true)
  })

  it('workflow_dispatch starts only the workflow it names', async () => {
    const dispatched = await workflowWith('  workflow_dispatch:')
    expect(
      starts(dispatched, event('workflow_dispatch', { target: '.github/workflows/other.yml' }))
    ).toBe(false)
  })

  it('activity types: only the listed ones, else GitHub defaults', async () => {
    const labelled = await workflowWith('  issues:\n    types: [labeled]')
    expect(starts(labelled, event('issues', { action: 'opened' }))).toBe(false)
    const pulls = await workflowWith('  pull_request:')
    const pull = (action: string) =>
      event('pull_request', { action, payload: { pull_request: { base: { ref: 'main' } } } })
    expect(starts(pulls, pull('synchronize'))).toBe(true)
    expect(starts(pulls, pull('labeled'))).toBe(false)
  })

  it('workflow_run: only the workflows followed, and at most three levels deep', async () => {
    const follower = await workflowWith(
      '  workflow_run:\n    workflows: [leader]\n    types: [completed]'
    )
    const completed = (name: string, depth: number) =>
      event('workflow_run', {
        action: 'completed',
        depth,
        payload: { workflow_run: { name, head_branch: 'main' } }
      })
    expect(starts(follower, completed('leader', 1))).toBe(true)
    expect(starts(follower, completed('leader', 3))).toBe(true)
    expect(starts(follower, completed('leader', 4))).toBe(false)
    expect(starts(follower, completed('someone-else', 1))).toBe(false)
  })

  it('branch filters with globs and negations', () => {
    expect(branchPasses({ branches: ['main'] }, 'main')).toBe(true)
    expect(branchPasses({ branches: ['releases/**'] }, 'releases/v1/x')).toBe(true)
    expect(branchPasses({ branches: ['feat/*'] }, 'feat/a/b')).toBe(false)
    expect(branchPasses({ branches: ['feat/*', '!feat/skip'] }, 'feat/skip')).toBe(false)
    expect(branchPasses({ 'branches-ignore': ['wip/*'] }, 'wip/x')).toBe(false)
  })
})

describe('matrix', () => {
  it('expands the product, excludes, extends and adds includes, and names legs', () => {
    const strategy = expandStrategy({
      'fail-fast': false,
      matrix: {
        os: ['a', 'b'],
        node: [20, 24],
        exclude: [{ os: 'b', node: 20 }],
        include: [
          { os: 'a', extra: 'x' },
          { os: 'c', node: 22 }
        ]
      }
    })
    expect(strategy.failFast).toBe(false)
    expect(strategy.legs).toEqual([
      { os: 'a', node: 20, extra: 'x' },
      { os: 'a', node: 24, extra: 'x' },
      { os: 'b', node: 24 },
      { os: 'c', node: 22 }
    ])
    expect(legName('test', { os: 'c', node: 22 })).toBe('test (c, 22)')
  })

  it('a matrix of includes only, as the pipeline builds it from fromJSON', () => {
    expect(expandStrategy({ matrix: { include: [{ pr: 1 }, { pr: 2 }] } }).legs).toEqual([
      { pr: 1 },
      { pr: 2 }
    ])
  })

  it("GitHub's errors: an empty matrix and more than 256 jobs", () => {
    expect(() => expandStrategy({ matrix: { include: [] } })).toThrow(
      "Matrix vector 'include' does not contain any values"
    )
    expect(() =>
      expandStrategy({ matrix: { n: Array.from({ length: 257 }, (_, i) => i) } })
    ).toThrow(/at most 256/)
  })
})

describe('concurrency groups', () => {
  it('one running, one pending; a newer pending cancels the older; cancel-in-progress cancels the running one', async () => {
    const groups = new ConcurrencyGroups()
    const cancelled: string[] = []
    const member = (name: string) => ({ cancel: () => cancelled.push(name) })
    const a = member('a')
    const b = member('b')
    const c = member('c')
    expect(await groups.enter('G', a, false)).toBe(true)
    const bTurn = groups.enter('g', b, false)
    const cTurn = groups.enter('g', c, false)
    expect(await bTurn).toBe(false)
    expect(cancelled).toEqual(['b'])
    groups.leave('g', a)
    expect(await cTurn).toBe(true)
    const d = member('d')
    const dTurn = groups.enter('g', d, true)
    expect(cancelled).toEqual(['b', 'c'])
    groups.leave('g', c)
    expect(await dTurn).toBe(true)
  })
})

describe('token permissions', () => {
  it("the job's permissions win over the workflow's; {} is none; absent is the repository default", () => {
    const job = { value: { statuses: 'read' }, place }
    const top = { value: { contents: 'write' }, place }
    expect(jobPermissions(job, top, 'permissive')).toEqual({ metadata: 'read', statuses: 'read' })
    expect(jobPermissions(null, top, 'permissive')).toEqual({ metadata: 'read', contents: 'write' })
    expect(jobPermissions({ value: {}, place }, null, 'permissive')).toEqual({ metadata: 'read' })
    expect(jobPermissions(null, null, 'restricted')).toEqual({
      contents: 'read',
      packages: 'read',
      metadata: 'read'
    })
    expect(
      writeScopes(jobPermissions(null, { value: 'write-all', place }, 'restricted'))
    ).toContain('statuses')
  })

  it('refuses an unknown scope or level, naming it', () => {
    expect(() => jobPermissions({ value: { statuss: 'read' }, place }, null, 'restricted')).toThrow(
      /does not know: 'statuss'/
    )
    expect(() => jobPermissions({ value: { issues: 'admin' }, place }, null, 'restricted')).toThrow(
      /permissions.issues/
    )
  })
})

describe('expressions', () => {
  const contexts = {
    github: { event_name: 'issues', event: { label: { name: 'codex-waves' } } },
    needs: { plan: { result: 'success', outputs: { matrix: '{"include":[{"id":"g1"}]}' } } }
  }

  it("are evaluated by GitHub's engine over the contexts", () => {
    expect(evaluateExpression("github.event.label.name == 'codex-waves'", contexts, place)).toBe(
      true
    )
    expect(
      evaluateExpression('fromJSON(needs.plan.outputs.matrix).include[0].id', contexts, place)
    ).toBe('g1')
    expect(evaluateExpression("format('{0}-{1}', 'a', 1)", contexts, place)).toBe('a-1')
  })

  it('status functions answer from the situation', () => {
    const failed = { success: false, failure: true, cancelled: false }
    expect(evaluateCondition('success()', contexts, place, failed)).toBe(false)
    expect(evaluateCondition('failure()', contexts, place, failed)).toBe(true)
    expect(evaluateCondition('always()', contexts, place, failed)).toBe(true)
    expect(
      evaluateCondition("success() && github.event_name == 'issues'", contexts, place, ALL_WELL)
    ).toBe(true)
  })

  it("string literals unescape every '' (the package's lexer unescapes only the first)", () => {
    expect(evaluateExpression("format('a ''{0}'' b {{x}} ''c''', 1)", contexts, place)).toBe(
      "a '1' b {x} 'c'"
    )
  })

  it('a value mixing text and expressions is the YAML-decoded text with each expression substituted', async () => {
    const model = await loadWorkflow(
      '.github/workflows/x.yml',
      `on: workflow_dispatch
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: |
          curl -d '{"labels":["go"]}' "$API/\${{ github.event_name }}"
          echo 'it''s' \${{ needs.plan.result }}
        env:
          FOLDED: >-
            one \${{ github.event_name }}
            two
`
    )
    const step = model.jobs[0]!.steps[0]!
    expect(evaluateText(step.run!, contexts, model.path)).toBe(
      `curl -d '{"labels":["go"]}' "$API/issues"\necho 'it''s' success\n`
    )
    expect(evaluateTextMap(step.env, contexts, model.path)).toEqual({ FOLDED: 'one issues two' })
  })

  it('hashFiles is refused as unsupported, a bad expression as invalid', () => {
    expect(() => evaluateExpression("hashFiles('**/x')", contexts, place)).toThrow(
      /does not support hashFiles/
    )
    expect(() => evaluateExpression('github.event.(', contexts, place)).toThrow(
      /x\.yml:1: the expression/
    )
  })
})
