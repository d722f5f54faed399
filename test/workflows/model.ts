/**
 * A fast model of how the pipeline's workflows chain, for exploring many scenarios without running
 * any action: each job's outcome is given by the scenario. Which workflows an event starts, and how
 * `if:` and `environment:` evaluate, are the Actions engine's rules (GitHub's parser and expression
 * engine, the `GITHUB_TOKEN` rule, the `workflow_run` depth), so the model and the engine that runs
 * the workflows for real cannot disagree.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  NoOperationTraceWriter,
  convertWorkflowTemplate,
  parseWorkflow,
  type WorkflowTemplate
} from '@actions/workflow-parser'
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/index'
import {
  isBasicExpression,
  isMapping,
  isString
} from '@actions/workflow-parser/templates/tokens/type-guards'
import { parse } from 'yaml'
import {
  evaluateCondition as engineCondition,
  evaluateExpression,
  valueText
} from '../../harness/actions-engine/expressions.js'
import { MAX_WORKFLOW_RUN_DEPTH, starts } from '../../harness/actions-engine/triggers.js'
import { loadWorkflow, type WorkflowModel } from '../../harness/actions-engine/workflow.js'

export { MAX_WORKFLOW_RUN_DEPTH }

export const WORKFLOWS_DIR = join(process.cwd(), '.github', 'workflows')

/** The repository the simulated events happen in. */
export const REPOSITORY = 'acme/widgets'

/** A workflow file as GitHub's parser converts it and as the engine runs it, plus its plain YAML. */
export interface LoadedWorkflow {
  file: string
  name: string
  template: WorkflowTemplate
  model: WorkflowModel
  yaml: Record<string, unknown>
}

/** Parses every workflow in the directory; a parse or schema error fails loudly with the file. */
export async function loadWorkflows(dir: string = WORKFLOWS_DIR): Promise<LoadedWorkflow[]> {
  const files = readdirSync(dir).filter(name => /\.ya?ml$/.test(name))
  const loaded: LoadedWorkflow[] = []
  for (const file of files.sort()) {
    const content = readFileSync(join(dir, file), 'utf8')
    const parsed = parseWorkflow({ name: file, content }, new NoOperationTraceWriter())
    const errors = parsed.context.errors.getErrors().map(error => error.message)
    if (errors.length > 0 || !parsed.value) {
      throw new Error(`${file} does not parse: ${errors.join('; ')}`)
    }
    const template = await convertWorkflowTemplate(parsed.context, parsed.value)
    if (template.errors?.length) {
      throw new Error(`${file} does not convert: ${template.errors.map(e => e.Message).join('; ')}`)
    }
    const yaml = parse(content) as Record<string, unknown>
    const model = await loadWorkflow(`.github/workflows/${file}`, content)
    loaded.push({ file, name: String(yaml.name), template, model, yaml })
  }
  return loaded
}

/** Who caused an event: GitHub only lets some events caused by `GITHUB_TOKEN` start runs. */
export type Actor = 'person' | 'github-token' | 'app-token'

/** An event as GitHub delivers it to workflows. */
export interface SimEvent {
  name: string
  /** The activity type (`labeled`, `completed`, `synchronize`, ...). */
  action?: string
  payload: Record<string, unknown>
  /** `workflow_dispatch` targets one workflow file, with its inputs. */
  target?: string
  inputs?: Record<string, string>
  causedBy: Actor
  /** How many `workflow_run` levels led to this event (0 for anything else). */
  depth: number
}

/** Whether GitHub starts a run of the workflow for the event (the engine's rule). */
export function triggers(workflow: LoadedWorkflow, event: SimEvent): boolean {
  return starts(workflow.model, {
    name: event.name,
    action: event.action ?? null,
    payload: event.payload,
    causedByActionsToken: event.causedBy === 'github-token',
    depth: event.depth,
    ...(event.target === undefined ? {} : { target: `.github/workflows/${event.target}` })
  })
}

export type JobResult = 'success' | 'failure' | 'skipped' | 'cancelled'

/** What one job of a run did. */
export interface JobRun {
  id: string
  condition: string
  ran: boolean
  result: JobResult
  outputs: Record<string, string>
  /**
   * The environment the job waits on (its required reviewers pause it), evaluated as GitHub
   * does when the job starts; null when it names none (no key, or an empty name).
   */
  environment: string | null
}

/** What a job that runs yields; the scenario decides it (the actions themselves are not run here). */
export type JobOutcome = { result?: JobResult; outputs?: Record<string, string> }

/** The contexts an expression sees, besides `needs` and the status functions. */
export interface RunContexts {
  github: Record<string, unknown>
  inputs: Record<string, string>
  vars: Record<string, string>
}

/** The contexts GitHub gives a run of this event. */
export function contextsFor(event: SimEvent, vars: Record<string, string> = {}): RunContexts {
  return {
    github: {
      event_name: event.name,
      event: event.payload,
      repository: REPOSITORY,
      sha: 'a'.repeat(40)
    },
    inputs: event.inputs ?? {},
    vars
  }
}

type Needs = Record<string, { result: JobResult; outputs: Record<string, string> }>

const PLACE = { file: 'model', line: undefined }

/**
 * Evaluates an `if:` expression the way the runner does; `needs` carries the results of the jobs
 * this one needs, which the status functions read.
 */
export function evaluateCondition(
  expression: string,
  contexts: RunContexts,
  needs: Needs = {}
): boolean {
  const results = Object.values(needs).map(need => need.result)
  const status = {
    success: results.every(result => result === 'success'),
    failure: results.includes('failure'),
    cancelled: false
  }
  return engineCondition(expression, { ...contexts, needs } as never, PLACE, status)
}

/**
 * The environment a job names, its `environment:` key (a name, an expression, or a mapping with
 * a `name`) evaluated; null when there is none or the name is empty.
 */
export function jobEnvironment(
  job: WorkflowTemplate['jobs'][number],
  contexts: RunContexts,
  needs: Needs
): string | null {
  const token = (job as { environment?: TemplateToken }).environment
  if (token === undefined) return null
  const name = isMapping(token) ? token.find('name') : token
  if (name === undefined) return null
  if (!isBasicExpression(name) && !isString(name)) {
    throw new Error(`environment ${JSON.stringify(name)}: neither a name nor an expression`)
  }
  const value = isString(name)
    ? name.value
    : valueText(evaluateExpression(name.expression, { ...contexts, needs } as never, PLACE))
  return value === '' ? null : value
}

/**
 * Runs the workflow's jobs in `needs` order: each job's `if:` decides whether it runs, and the
 * scenario's outcome gives the result and outputs of the ones that do.
 */
export function runJobs(
  workflow: LoadedWorkflow,
  contexts: RunContexts,
  outcome: (jobId: string) => JobOutcome = () => ({})
): Map<string, JobRun> {
  const runs = new Map<string, JobRun>()
  const pending = [...workflow.template.jobs]
  while (pending.length > 0) {
    const index = pending.findIndex(job => (job.needs ?? []).every(need => runs.has(need.value)))
    if (index < 0) throw new Error(`${workflow.file}: a job needs a job that does not exist`)
    const [job] = pending.splice(index, 1)
    if (!job) break
    const needs = Object.fromEntries(
      (job.needs ?? []).map(need => {
        const run = runs.get(need.value) as JobRun
        return [need.value, { result: run.result, outputs: run.outputs }]
      })
    )
    const condition = job.if.expression
    const ran = evaluateCondition(condition, contexts, needs)
    const given = ran ? outcome(job.id.value) : {}
    runs.set(job.id.value, {
      id: job.id.value,
      condition,
      ran,
      result: ran ? (given.result ?? 'success') : 'skipped',
      outputs: given.outputs ?? {},
      environment: ran ? jobEnvironment(job, contexts, needs) : null
    })
  }
  return runs
}

/** The conclusion GitHub gives a run from its jobs' results. */
export function conclusionOf(jobs: Map<string, JobRun>): 'success' | 'failure' | 'cancelled' {
  const results = [...jobs.values()].map(job => job.result)
  if (results.includes('failure')) return 'failure'
  if (results.includes('cancelled')) return 'cancelled'
  return 'success'
}

/** The `workflow_run` event a completed run sends, one level deeper than the event that started it. */
export function workflowRunEvent(
  workflow: LoadedWorkflow,
  cause: SimEvent,
  conclusion: string,
  options: { runId?: number; headRepository?: string } = {}
): SimEvent {
  return {
    name: 'workflow_run',
    action: 'completed',
    causedBy: 'person',
    depth: cause.name === 'workflow_run' ? cause.depth + 1 : 1,
    payload: {
      workflow_run: {
        id: options.runId ?? 1000,
        name: workflow.name,
        event: cause.name,
        conclusion,
        head_repository: { full_name: options.headRepository ?? REPOSITORY }
      }
    }
  }
}
