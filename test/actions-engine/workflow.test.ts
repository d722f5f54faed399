/**
 * Reading workflow files: GitHub's parser, the keys the engine runs, and a loud refusal (file,
 * line, construct) for each construct it does not.
 */
import { InvalidWorkflow, UnsupportedConstruct } from '../../harness/actions-engine/errors.js'
import { checkSubscriptions } from '../../harness/actions-engine/triggers.js'
import { loadWorkflow } from '../../harness/actions-engine/workflow.js'

const PATH = '.github/workflows/test.yml'

function workflow(jobBody: string, top = ''): string {
  return `name: test
on: workflow_dispatch
${top}
jobs:
  build:
${jobBody}
`
}

const steps = `    runs-on: ubuntu-latest
    steps:
      - run: echo hi`

describe('loadWorkflow', () => {
  it('reads jobs, needs, conditions with the implicit success(), and steps', async () => {
    const model = await loadWorkflow(
      PATH,
      `name: two
on:
  issues:
    types: [labeled]
permissions: {}
jobs:
  first:
    runs-on: ubuntu-latest
    steps:
      - id: say
        run: echo \${{ github.event_name }}
  second:
    needs: first
    if: needs.first.outputs.x == 'y'
    runs-on: [self-hosted, codex]
    steps:
      - if: always()
        uses: ./actions/thing
        with:
          value: \${{ needs.first.result }}
`
    )
    expect(model.name).toBe('two')
    expect(Object.keys(model.events)).toEqual(['issues'])
    expect(model.jobs.map(job => [job.id, job.needs, job.condition])).toEqual([
      ['first', [], 'success()'],
      ['second', ['first'], "success() && (needs.first.outputs.x == 'y')"]
    ])
    expect(model.jobs[1]?.steps[0]).toMatchObject({
      uses: './actions/thing',
      condition: 'always()',
      index: 1
    })
    expect(model.jobs[0]?.steps[0]?.id).toBe('say')
  })

  it("refuses a file GitHub's parser refuses, naming the file", async () => {
    await expect(
      loadWorkflow(PATH, 'name: broken\non: workflow_dispatch\njobs:\n  a:\n    steps: 3\n')
    ).rejects.toThrow(InvalidWorkflow)
    await expect(loadWorkflow(PATH, 'on: push\n')).rejects.toThrow(/test\.yml/)
  })

  const unsupported: Array<[string, string, RegExp]> = [
    [
      'top-level defaults',
      workflow(steps, 'defaults:\n  run:\n    shell: bash'),
      /test\.yml:\d+: .* 'defaults' at the top/
    ],
    [
      'a job container',
      workflow(`    container: node:20\n${steps}`),
      /test\.yml:\d+: .* 'container' in job 'build'/
    ],
    [
      'job services',
      workflow(`    services:\n      db:\n        image: postgres\n${steps}`),
      /'services' in job 'build'/
    ],
    [
      'a reusable workflow',
      workflow('    uses: octo/other/.github/workflows/x.yml@main'),
      /reusable workflows \(job 'build'\)/
    ],
    [
      'job defaults',
      workflow(`    defaults:\n      run:\n        shell: bash\n${steps}`),
      /'defaults' in job 'build'/
    ],
    [
      'a shell other than bash',
      workflow(`${steps}\n        shell: python`),
      /test\.yml:\d+: .* a shell other than bash/
    ]
  ]
  for (const [what, text, message] of unsupported) {
    it(`refuses ${what}, naming the file, the line and the construct`, async () => {
      const error = await loadWorkflow(PATH, text).catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(UnsupportedConstruct)
      expect((error as Error).message).toMatch(message)
    })
  }
})

describe('checkSubscriptions', () => {
  const refused: Array<[string, string, RegExp]> = [
    ['an event the engine never delivers', 'on: release', /the 'release' event/],
    ['a paths filter', 'on:\n  push:\n    paths: [src/**]', /'paths' filters \(on push\)/],
    ['a tags filter', 'on:\n  push:\n    tags: [v*]', /'tags' filters \(on push\)/]
  ]
  for (const [what, on, message] of refused) {
    it(`refuses ${what}`, async () => {
      const model = await loadWorkflow(PATH, `${on}\njobs:\n  a:\n${steps}\n`)
      expect(() => checkSubscriptions(model)).toThrow(message)
    })
  }

  it('accepts the events the pipeline subscribes to', async () => {
    const model = await loadWorkflow(
      PATH,
      `on:
  workflow_dispatch:
  issues:
    types: [labeled]
  workflow_run:
    workflows: [x]
    types: [completed]
  schedule:
    - cron: '0 * * * *'
jobs:
  a:
${steps}
`
    )
    expect(() => checkSubscriptions(model)).not.toThrow()
  })
})
