/**
 * A workflow file as the engine runs it: read with GitHub's own parser (`@actions/workflow-parser`),
 * which checks it against GitHub's schema and turns every `${{ }}` into an expression token, then
 * held as the tokens of each key the engine evaluates at run time. Keys the engine does not run are
 * refused here, naming the file, the line and the key.
 */
import {
  NoOperationTraceWriter,
  convertWorkflowTemplate,
  isBasicExpression,
  isMapping,
  isSequence,
  isString,
  parseWorkflow,
  type WorkflowTemplate
} from '@actions/workflow-parser'
import type { MappingToken } from '@actions/workflow-parser/templates/tokens/mapping-token'
import { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token'
import { InvalidWorkflow, UnsupportedConstruct, type WorkflowPlace } from './errors.js'
import { embeddedTexts, rememberText } from './scalar-text.js'

/** One step of a job. */
export interface StepModel {
  /** The step's `id`, or null when it has none. */
  id: string | null
  /** 1-based position in the job. */
  index: number
  place: WorkflowPlace
  name: TemplateToken | null
  /** The `if:` expression, with GitHub's implicit `success() &&` already applied. */
  condition: string
  uses: string | null
  run: TemplateToken | null
  with: MappingToken | null
  env: TemplateToken | null
  workingDirectory: TemplateToken | null
  continueOnError: TemplateToken | null
  timeoutMinutes: TemplateToken | null
}

/** One job of a workflow. */
export interface JobModel {
  id: string
  place: WorkflowPlace
  name: TemplateToken | null
  needs: string[]
  /** The `if:` expression, with GitHub's implicit `success() &&` already applied. */
  condition: string
  runsOn: TemplateToken
  permissions: TemplateToken | null
  environment: TemplateToken | null
  concurrency: TemplateToken | null
  outputs: MappingToken | null
  strategy: TemplateToken | null
  env: TemplateToken | null
  timeoutMinutes: TemplateToken | null
  continueOnError: TemplateToken | null
  steps: StepModel[]
}

/** A workflow file, ready to run. */
export interface WorkflowModel {
  /** The path in the repository, e.g. `.github/workflows/ci.yml`. */
  path: string
  /** The `name:`, or the path when it has none (as GitHub shows it). */
  name: string
  events: WorkflowTemplate['events']
  permissions: TemplateToken | null
  env: TemplateToken | null
  concurrency: TemplateToken | null
  runName: TemplateToken | null
  jobs: JobModel[]
}

const WORKFLOW_KEYS = new Set([
  'name',
  'run-name',
  'on',
  'permissions',
  'env',
  'concurrency',
  'jobs'
])
const JOB_KEYS = new Set([
  'name',
  'needs',
  'if',
  'runs-on',
  'permissions',
  'environment',
  'concurrency',
  'outputs',
  'strategy',
  'env',
  'timeout-minutes',
  'continue-on-error',
  'steps'
])
const STEP_KEYS = new Set([
  'id',
  'name',
  'if',
  'uses',
  'run',
  'with',
  'env',
  'shell',
  'working-directory',
  'continue-on-error',
  'timeout-minutes'
])

function placeOf(path: string, token: TemplateToken | undefined): WorkflowPlace {
  return { file: path, line: token?.line }
}

function refuseUnknownKeys(
  path: string,
  mapping: MappingToken,
  allowed: ReadonlySet<string>,
  what: string
): void {
  for (const pair of mapping) {
    const key = String((pair.key as { value?: unknown }).value)
    if (!allowed.has(key)) {
      throw new UnsupportedConstruct(placeOf(path, pair.key), `'${key}' ${what}`)
    }
  }
}

function optional(mapping: MappingToken, key: string): TemplateToken | null {
  return mapping.find(key) ?? null
}

function optionalMapping(path: string, mapping: MappingToken, key: string): MappingToken | null {
  const token = mapping.find(key)
  if (token === undefined) return null
  if (!isMapping(token))
    throw new InvalidWorkflow(placeOf(path, token), `'${key}' is not a mapping`)
  return token
}

function stepModel(
  path: string,
  jobId: string,
  token: TemplateToken,
  index: number,
  converted: WorkflowTemplate['jobs'][number] | undefined
): StepModel {
  if (!isMapping(token)) throw new InvalidWorkflow(placeOf(path, token), 'a step is not a mapping')
  refuseUnknownKeys(path, token, STEP_KEYS, `in a step of job '${jobId}'`)
  const shell = token.find('shell')
  if (shell !== undefined && !(isString(shell) && shell.value === 'bash')) {
    throw new UnsupportedConstruct(placeOf(path, shell), `a shell other than bash`)
  }
  const id = token.find('id')
  const uses = token.find('uses')
  const convertedStep = converted && 'steps' in converted ? converted.steps[index] : undefined
  return {
    id: id !== undefined && isString(id) ? id.value : null,
    index: index + 1,
    place: placeOf(path, token),
    name: optional(token, 'name'),
    condition: convertedStep?.if?.expression ?? 'success()',
    uses: uses !== undefined && isString(uses) ? uses.value : null,
    run: optional(token, 'run'),
    with: optionalMapping(path, token, 'with'),
    env: optional(token, 'env'),
    workingDirectory: optional(token, 'working-directory'),
    continueOnError: optional(token, 'continue-on-error'),
    timeoutMinutes: optional(token, 'timeout-minutes')
  }
}

function needsOf(path: string, token: TemplateToken | undefined): string[] {
  if (token === undefined) return []
  if (isString(token)) return [token.value]
  if (isSequence(token)) return [...token].map(item => (isString(item) ? item.value : ''))
  throw new InvalidWorkflow(placeOf(path, token), "'needs' is neither a job id nor a list of them")
}

function jobModel(
  path: string,
  id: string,
  token: TemplateToken,
  converted: WorkflowTemplate['jobs'][number] | undefined
): JobModel {
  if (!isMapping(token))
    throw new InvalidWorkflow(placeOf(path, token), `job '${id}' is not a mapping`)
  if (token.find('uses') !== undefined) {
    throw new UnsupportedConstruct(
      placeOf(path, token.find('uses')),
      `reusable workflows (job '${id}')`
    )
  }
  refuseUnknownKeys(path, token, JOB_KEYS, `in job '${id}'`)
  const runsOn = token.find('runs-on')
  if (runsOn === undefined)
    throw new InvalidWorkflow(placeOf(path, token), `job '${id}' has no 'runs-on'`)
  const steps = token.find('steps')
  if (steps === undefined || !isSequence(steps)) {
    throw new InvalidWorkflow(placeOf(path, token), `job '${id}' has no list of steps`)
  }
  return {
    id,
    place: placeOf(path, token),
    name: optional(token, 'name'),
    needs: needsOf(path, token.find('needs')),
    condition: converted?.if?.expression ?? 'success()',
    runsOn,
    permissions: optional(token, 'permissions'),
    environment: optional(token, 'environment'),
    concurrency: optional(token, 'concurrency'),
    outputs: optionalMapping(path, token, 'outputs'),
    strategy: optional(token, 'strategy'),
    env: optional(token, 'env'),
    timeoutMinutes: optional(token, 'timeout-minutes'),
    continueOnError: optional(token, 'continue-on-error'),
    steps: [...steps].map((step, index) => stepModel(path, id, step, index, converted))
  }
}

/**
 * Reads a workflow file. Throws {@link InvalidWorkflow} when GitHub's parser refuses it and
 * {@link UnsupportedConstruct} for a key the engine does not run.
 */
export async function loadWorkflow(path: string, content: string): Promise<WorkflowModel> {
  const parsed = parseWorkflow({ name: path, content }, new NoOperationTraceWriter())
  const errors = parsed.context.errors.getErrors()
  if (errors.length > 0 || !parsed.value) {
    const message = errors.map(error => error.message).join('; ') || 'the file is empty'
    throw new InvalidWorkflow(
      { file: path, line: undefined },
      `GitHub's parser refuses it: ${message}`
    )
  }
  const template = await convertWorkflowTemplate(parsed.context, parsed.value)
  if (template.errors?.length) {
    const message = template.errors.map(error => error.Message).join('; ')
    throw new InvalidWorkflow(
      { file: path, line: undefined },
      `GitHub's parser refuses it: ${message}`
    )
  }
  const root = parsed.value
  const texts = embeddedTexts(content)
  for (const [, token] of TemplateToken.traverse(root)) {
    if (isBasicExpression(token) && token.originalExpressions !== undefined)
      rememberText(token, texts)
  }
  if (!isMapping(root)) throw new InvalidWorkflow({ file: path, line: 1 }, 'not a mapping')
  refuseUnknownKeys(path, root, WORKFLOW_KEYS, 'at the top of the workflow')
  const jobs = optionalMapping(path, root, 'jobs')
  if (jobs === null) throw new InvalidWorkflow({ file: path, line: 1 }, "no 'jobs'")
  const name = root.find('name')
  return {
    path,
    name: name !== undefined && isString(name) ? name.value : path,
    events: template.events,
    permissions: optional(root, 'permissions'),
    env: optional(root, 'env'),
    concurrency: optional(root, 'concurrency'),
    runName: optional(root, 'run-name'),
    jobs: [...jobs].map(pair => {
      const id = String((pair.key as { value?: unknown }).value)
      return jobModel(
        path,
        id,
        pair.value,
        template.jobs.find(job => job.id.value === id)
      )
    })
  }
}
