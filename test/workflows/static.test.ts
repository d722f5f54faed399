/**
 * Rules every workflow keeps: pinned third-party actions, least-privilege permissions, codex jobs
 * only on codex runners with no credentials left in `.git/config`, no event text inside scripts,
 * no `gh` or `jq` in the pipeline (a codex runner needs node and codex only), the pull request
 * selection as a read-only step of the actions, and inputs that the actions declare.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { isString } from '@actions/workflow-parser'
import { ACTION_IO } from '../../src/action-io.js'
import { WORKFLOWS_DIR, loadWorkflows, type LoadedWorkflow } from './model.js'

interface YamlStep {
  id?: string
  uses?: string
  run?: string
  with?: Record<string, unknown>
}
interface YamlJob {
  'runs-on': string | string[]
  permissions?: Record<string, string>
  steps: YamlStep[]
}

let workflows: LoadedWorkflow[]

beforeAll(async () => {
  workflows = await loadWorkflows()
})

const jobsOf = (workflow: LoadedWorkflow) =>
  Object.entries(workflow.yaml.jobs as Record<string, YamlJob>)
const allJobs = () =>
  workflows.flatMap(workflow => jobsOf(workflow).map(([id, job]) => ({ workflow, id, job })))
const pipeline = () => workflows.filter(workflow => workflow.file.startsWith('codex-waves-'))

/** The phase a step runs, when it uses one of this repository's actions. */
function phaseOf(step: YamlStep): keyof typeof ACTION_IO | undefined {
  const match = /^\.\/(?:\.codex-waves-trusted\/)?actions\/(dispatch|review|correct|merge)$/.exec(
    step.uses ?? ''
  )
  return match?.[1] as keyof typeof ACTION_IO | undefined
}

/** Whether the step is `step: select` of review or correct, which only reads. */
function selects(step: YamlStep): boolean {
  const phase = phaseOf(step)
  return (phase === 'review' || phase === 'correct') && step.with?.step === 'select'
}

/** Jobs that run codex: implement, review and correct. */
function runsCodex(job: YamlJob): boolean {
  return job.steps.some(step => {
    const phase = phaseOf(step)
    return (
      ((phase === 'review' || phase === 'correct') && !selects(step)) ||
      (phase === 'dispatch' && step.with?.step === 'implement')
    )
  })
}

it('finds the four pipeline workflows and the CI workflow', () => {
  expect(workflows.map(workflow => workflow.file)).toEqual([
    'ci.yml',
    'codex-waves-correct.yml',
    'codex-waves-dispatch.yml',
    'codex-waves-merge.yml',
    'codex-waves-review.yml'
  ])
})

it('pins every third-party action to a full commit SHA, with the version in a comment', () => {
  const uses = workflows.flatMap(workflow => {
    const text = readFileSync(join(WORKFLOWS_DIR, workflow.file), 'utf8')
    return [...text.matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/gm)].map(match => ({
      ref: match[1] as string,
      comment: (match[2] ?? '').trim()
    }))
  })
  const thirdParty = uses.filter(use => !use.ref.startsWith('./'))
  expect(thirdParty.length).toBeGreaterThan(5)
  for (const use of thirdParty) {
    expect(use.ref).toMatch(/^[\w.-]+\/[\w.-]+(?:\/[\w./-]+)?@[0-9a-f]{40}$/)
    expect(use.comment).toMatch(/^# v\d+\.\d+\.\d+$/)
  }
})

it('denies every permission at the top of each pipeline workflow and grants per job', () => {
  for (const workflow of pipeline()) {
    expect(workflow.yaml.permissions).toEqual({})
  }
  for (const { workflow, id, job } of allJobs()) {
    const permissions = job.permissions ?? (workflow.yaml.permissions as Record<string, string>)
    expect({ job: `${workflow.file}#${id}`, has: permissions !== undefined }).toEqual({
      job: `${workflow.file}#${id}`,
      has: true
    })
    for (const level of Object.values(permissions)) expect(['read', 'write']).toContain(level)
  }
})

it('only the jobs that change the repository may write to its contents', () => {
  const writers = allJobs()
    .filter(({ job }) => job.permissions?.contents === 'write')
    .map(({ workflow, id }) => `${workflow.file}#${id}`)
  expect(writers.sort()).toEqual([
    'codex-waves-correct.yml#correct',
    'codex-waves-dispatch.yml#implement',
    'codex-waves-merge.yml#merge'
  ])
})

it('runs codex only on [self-hosted, codex] runners, and everything else on hosted runners', () => {
  const codexJobs = allJobs().filter(({ job }) => runsCodex(job))
  expect(codexJobs.map(({ id }) => id).sort()).toEqual(['correct', 'implement', 'review'])
  for (const { job, workflow, id } of allJobs()) {
    const expected = runsCodex(job) ? ['self-hosted', 'codex'] : 'ubuntu-latest'
    expect({ job: `${workflow.file}#${id}`, runsOn: job['runs-on'] }).toEqual({
      job: `${workflow.file}#${id}`,
      runsOn: expected
    })
  }
})

it('checks out with persist-credentials: false, so .git/config holds no token', () => {
  const checkouts = allJobs().flatMap(({ job }) =>
    job.steps.filter(step => step.uses?.startsWith('actions/checkout@'))
  )
  expect(checkouts.length).toBeGreaterThanOrEqual(9)
  for (const step of checkouts) expect(step.with?.['persist-credentials']).toBe(false)
})

it('review and correct load their action and config from the workflow commit, not the PR', () => {
  for (const { job, id } of allJobs().filter(({ id }) => id === 'review' || id === 'correct')) {
    const trusted = job.steps.find(step => step.with?.path === '.codex-waves-trusted')
    expect(trusted?.with?.ref).toBe('${{ github.sha }}')
    const action = job.steps.find(step => phaseOf(step) !== undefined)
    expect(action?.uses).toBe(`./.codex-waves-trusted/actions/${id}`)
    expect(action?.with?.config).toBe('.codex-waves-trusted/.github/codex-waves.yml')
    const head = job.steps.find(step => step.uses?.startsWith('actions/checkout@'))
    expect(head?.with?.ref).toBe('${{ matrix.sha }}')
  }
})

it('chooses pull requests with the select step of the actions, read-only, on the workflow commit', () => {
  const selecting = allJobs().filter(({ job }) => job.steps.some(selects))
  expect(selecting.map(({ workflow, id }) => `${workflow.file}#${id}`).sort()).toEqual([
    'codex-waves-correct.yml#prs',
    'codex-waves-review.yml#prs'
  ])
  for (const { job, workflow } of selecting) {
    expect(Object.values(job.permissions ?? {})).not.toContain('write')
    const checkout = job.steps.find(step => step.uses?.startsWith('actions/checkout@'))
    expect(checkout?.with).toEqual({
      ref: '${{ github.sha }}',
      'sparse-checkout': '.github\nactions\n',
      'persist-credentials': false
    })
    const select = job.steps.find(selects)
    expect(select?.uses).toBe(`./actions/${workflow.file.replace(/^codex-waves-|\.yml$/g, '')}`)
    expect(select?.with).toEqual({
      step: 'select',
      pr: '${{ inputs.pr }}',
      'github-token': '${{ github.token }}'
    })
    expect((job as YamlJob & { outputs?: unknown }).outputs).toEqual({
      include: `\${{ steps.${select?.id}.outputs.include }}`,
      count: `\${{ steps.${select?.id}.outputs.count }}`
    })
  }
})

it('uses neither gh nor jq in the pipeline workflows: a codex runner needs node and codex only', () => {
  for (const workflow of pipeline()) {
    const text = readFileSync(join(WORKFLOWS_DIR, workflow.file), 'utf8')
    expect({ file: workflow.file, gh: /\bgh\s|\bjq\b|GH_TOKEN/.test(text) }).toEqual({
      file: workflow.file,
      gh: false
    })
  }
})

it('puts no expression inside a run script, as GitHub parses it (event text goes through env)', () => {
  let scripts = 0
  for (const workflow of workflows) {
    for (const job of workflow.template.jobs) {
      if (job.type !== 'job') continue
      for (const step of job.steps) {
        if (!('run' in step)) continue
        scripts += 1
        expect({
          step: `${workflow.file}#${job.id.value}#${step.id}`,
          literal: isString(step.run)
        }).toEqual({ step: `${workflow.file}#${job.id.value}#${step.id}`, literal: true })
      }
    }
  }
  expect(scripts).toBeGreaterThanOrEqual(2)
  for (const { job } of allJobs()) {
    for (const step of job.steps) expect(step.run ?? '').not.toContain('${{')
  }
})

it('passes the actions only inputs they declare, naming the step of dispatch', () => {
  let steps = 0
  for (const { job } of allJobs()) {
    for (const step of job.steps) {
      const phase = phaseOf(step)
      if (!phase) continue
      steps += 1
      const declared = Object.values(ACTION_IO[phase].inputs) as string[]
      for (const input of Object.keys(step.with ?? {})) expect(declared).toContain(input)
      if (phase === 'dispatch') expect(['plan', 'implement']).toContain(step.with?.step)
      if (phase === 'review' || phase === 'correct') {
        expect([undefined, 'select']).toContain(step.with?.step)
      }
    }
  }
  expect(steps).toBe(7)
})

it('uses the GitHub App token for every action that writes, when one is configured', () => {
  for (const { job, workflow, id } of allJobs()) {
    const action = job.steps.find(step => phaseOf(step) !== undefined)
    if (!action || selects(action)) continue
    const app = job.steps.find(step => step.id === 'app-token') as YamlStep & { if?: string }
    expect({ job: `${workflow.file}#${id}`, gated: app?.if }).toEqual({
      job: `${workflow.file}#${id}`,
      gated: "vars.CODEX_WAVES_APP_ID != ''"
    })
    expect(action.with?.['github-token']).toBe(
      '${{ steps.app-token.outputs.token || github.token }}'
    )
    expect(String(action.with?.['pipeline-login'])).toContain('steps.app-token.outputs.app-slug')
  }
})

it('chains by workflow name: review follows dispatch, correct and merge follow review', () => {
  const names = Object.fromEntries(workflows.map(workflow => [workflow.file, workflow.name]))
  const follows = (file: string) =>
    (workflows.find(workflow => workflow.file === file)?.template.events.workflow_run?.workflows ??
      []) as string[]
  expect(follows('codex-waves-review.yml')).toEqual([names['codex-waves-dispatch.yml']])
  expect(follows('codex-waves-correct.yml')).toEqual([names['codex-waves-review.yml']])
  expect(follows('codex-waves-merge.yml')).toEqual([names['codex-waves-review.yml']])
})

it('merges in one concurrency group that never cancels a run in progress', () => {
  const merge = workflows.find(workflow => workflow.file === 'codex-waves-merge.yml')
  expect(merge?.yaml.concurrency).toEqual({
    group: 'codex-waves-merge',
    'cancel-in-progress': false
  })
})
