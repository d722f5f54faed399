/**
 * What a job's steps run in, as the runner prepares it: the workspace and the runner's temporary
 * directory, the event payload file, the job's token, the contexts expressions read, and the
 * environment every step process gets (`GITHUB_*`, `RUNNER_*`, `CI`) on top of the runner's own.
 */
import type { Contexts, Value } from './expressions.js'
import type { TriggerEvent } from './triggers.js'
import type { WorkflowModel } from './workflow.js'

/** A machine that runs jobs: the labels `runs-on` is matched against and what it adds to the environment. */
export interface RunnerSpec {
  name: string
  labels: string[]
  /** Variables of the runner's own environment (e.g. where codex is and its login). */
  env?: Readonly<Record<string, string>>
  /**
   * How many jobs it runs at once. A self-hosted runner runs one; GitHub's hosted runners as many
   * as are queued (each on a fresh machine). Default 1.
   */
  capacity?: number
  /** A hosted runner: every job starts in a fresh, empty directory. */
  hosted?: boolean
}

/** The run a job belongs to. */
export interface RunFacts {
  id: number
  number: number
  workflow: WorkflowModel
  event: TriggerEvent
  sha: string
  ref: string
  actor: string
  repository: string
}

/** Where a job runs and what it holds. */
export interface JobSetup {
  run: RunFacts
  jobId: string
  runner: RunnerSpec
  workspace: string
  runnerTemp: string
  eventPath: string
  /** The job's `GITHUB_TOKEN`. */
  token: string
  /** `ACTIONS_RUNTIME_TOKEN` and `ACTIONS_RESULTS_URL`, which only actions get. */
  runtimeEnv: Record<string, string>
  apiUrl: string
  serverUrl: string
  /** Every context but `env` and `steps`, which change as the steps run. */
  contexts: Contexts
  /** The job's environment: the workflow's and job's `env`, then what steps export. */
  env: Record<string, string>
  /** Directories steps added to `PATH`, newest first. */
  paths: string[]
  /** Values never shown in a log: the token, secrets, `::add-mask::` values. */
  masks: Set<string>
  signal: AbortSignal
}

/** Variables of the engine's own process a step may see; nothing else leaks in. */
const PASSED_THROUGH = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TMPDIR', 'TERM', 'SHELL', 'USER']

/** The `github` context of a job. */
export function githubContext(
  run: RunFacts,
  job: { jobId: string; token: string; workspace: string; apiUrl: string; serverUrl: string }
): Record<string, Value> {
  const refName = run.ref.replace(/^refs\/(heads|tags)\//, '')
  const pull = run.event.payload.pull_request as {
    head?: { ref?: string }
    base?: { ref?: string }
  }
  return {
    event_name: run.event.name,
    event: run.event.payload as Value,
    sha: run.sha,
    ref: run.ref,
    ref_name: refName,
    ref_type: run.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    head_ref: pull?.head?.ref ?? '',
    base_ref: pull?.base?.ref ?? '',
    repository: run.repository,
    repository_owner: run.repository.split('/')[0] ?? '',
    run_id: String(run.id),
    run_number: String(run.number),
    run_attempt: '1',
    actor: run.actor,
    triggering_actor: run.actor,
    workflow: run.workflow.name,
    workflow_ref: `${run.repository}/${run.workflow.path}@${run.ref}`,
    job: job.jobId,
    token: job.token,
    workspace: job.workspace,
    server_url: job.serverUrl,
    api_url: job.apiUrl,
    graphql_url: `${job.apiUrl}/graphql`,
    retention_days: '90'
  }
}

/** The environment of a step's process: the runner's, the job's and the step's, and the runner's variables. */
export function processEnvironment(
  setup: JobSetup,
  step: { env: Record<string, string>; action: string; files: Record<string, string> }
): Record<string, string> {
  const base: Record<string, string> = {}
  for (const name of PASSED_THROUGH) {
    const value = process.env[name]
    if (value !== undefined) base[name] = value
  }
  Object.assign(base, setup.runner.env)
  const run = setup.run
  const github = setup.contexts.github as Record<string, string>
  const variables: Record<string, string> = {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTION: step.action,
    GITHUB_ACTOR: run.actor,
    GITHUB_TRIGGERING_ACTOR: run.actor,
    GITHUB_API_URL: setup.apiUrl,
    GITHUB_GRAPHQL_URL: `${setup.apiUrl}/graphql`,
    GITHUB_SERVER_URL: setup.serverUrl,
    GITHUB_EVENT_NAME: run.event.name,
    GITHUB_EVENT_PATH: setup.eventPath,
    GITHUB_JOB: setup.jobId,
    GITHUB_REF: run.ref,
    GITHUB_REF_NAME: github.ref_name ?? '',
    GITHUB_REF_TYPE: github.ref_type ?? 'branch',
    GITHUB_HEAD_REF: github.head_ref ?? '',
    GITHUB_BASE_REF: github.base_ref ?? '',
    GITHUB_REPOSITORY: run.repository,
    GITHUB_REPOSITORY_OWNER: run.repository.split('/')[0] ?? '',
    GITHUB_RUN_ID: String(run.id),
    GITHUB_RUN_NUMBER: String(run.number),
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SHA: run.sha,
    GITHUB_WORKFLOW: run.workflow.name,
    GITHUB_WORKFLOW_REF: github.workflow_ref ?? '',
    GITHUB_WORKSPACE: setup.workspace,
    RUNNER_NAME: setup.runner.name,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: process.arch === 'arm64' ? 'ARM64' : 'X64',
    RUNNER_TEMP: setup.runnerTemp,
    ...step.files
  }
  const env = { ...base, ...setup.env, ...step.env, ...variables }
  if (setup.paths.length > 0) env.PATH = [...setup.paths, env.PATH ?? ''].join(':')
  return env
}
