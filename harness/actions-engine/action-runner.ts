import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { parse as parseYaml } from 'yaml'
import { runInGroup } from './process.js'
import {
  parseKeyValueFile,
  parseWorkflowCommands,
  type Annotation,
  type LogGroup
} from './workflow-commands.js'

export {
  parseKeyValueFile,
  parseWorkflowCommands,
  unescapeCommandValue,
  type Annotation,
  type LogGroup
} from './workflow-commands.js'

/**
 * Where a run's URLs point unless a test says otherwise: a closed port on loopback, so an action
 * that was not given the sandbox forge's address fails at once instead of reaching GitHub.
 */
export const UNREACHABLE_URL = 'http://127.0.0.1:9'

/** The event that triggered the run: its name and the payload the runner writes to a file. */
export interface ActionEvent {
  name: string
  payload?: object
}

export interface RunActionOptions {
  /** The JavaScript entry the runner would start with `node`, e.g. an action's `dist/index.js`. */
  entry: string
  /** Input values by the names `action.yml` gives them. */
  inputs?: Readonly<Record<string, string>>
  /**
   * An `action.yml` whose input defaults fill the inputs not given, as the runner does. Defaults
   * may be literals or `${{ github.token }}`; other expressions are refused.
   */
  actionYml?: string
  /** Defaults to `workflow_dispatch` with an empty payload. */
  event?: ActionEvent
  /** `owner/name`; defaults to `octo/demo`. */
  repository?: string
  apiUrl?: string
  serverUrl?: string
  runId?: number
  runAttempt?: number
  runNumber?: number
  sha?: string
  ref?: string
  /** The job's working directory (and the action's cwd); defaults to a fresh empty directory. */
  workspace?: string
  actor?: string
  /** Set as `GITHUB_TOKEN` (only when given) and used for `${{ github.token }}` defaults. */
  token?: string
  /** Saved state from an earlier step of the same action, passed as `STATE_<name>`. */
  state?: Readonly<Record<string, string>>
  /** Extra environment, applied last. */
  env?: Readonly<Record<string, string>>
  /** The run is killed (its whole process group) after this long; defaults to 120 s. */
  timeoutMs?: number
  /** Keep the run's temporary files (event payload, file commands, `RUNNER_TEMP`) afterwards. */
  keepFiles?: boolean
}

export interface ActionRunResult {
  /** Null when the process was ended by a signal. */
  exitCode: number | null
  signal: NodeJS.Signals | null
  timedOut: boolean
  /** From the `GITHUB_OUTPUT` file. */
  outputs: Record<string, string>
  /** The `GITHUB_STEP_SUMMARY` file's Markdown. */
  summary: string
  annotations: Annotation[]
  groups: LogGroup[]
  /** `::debug::` messages. */
  debug: string[]
  /** Values registered with `::add-mask::` (the log itself is returned unmasked). */
  masks: string[]
  /** From the `GITHUB_STATE` file. */
  state: Record<string, string>
  /** From the `GITHUB_ENV` file. */
  exportedEnv: Record<string, string>
  /** From the `GITHUB_PATH` file. */
  addedPaths: string[]
  stdout: string
  stderr: string
  durationMs: number
  workspace: string
  /** The run's `RUNNER_TEMP`; removed after the run unless `keepFiles` was set. */
  runnerTemp: string
}

const RUNNER_OWNED_VARIABLES = /^(GITHUB_|INPUT_|RUNNER_|ACTIONS_|STATE_)/

/**
 * Runs a JavaScript action as the GitHub Actions runner does: `node <entry>` in the workspace,
 * inputs as `INPUT_<NAME>`, the `GITHUB_*` context, an event payload file, and the file commands
 * (`GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`, `GITHUB_STATE`, `GITHUB_ENV`, `GITHUB_PATH`). Returns what
 * the runner would take from it: exit code, outputs, summary, annotations, groups and logs.
 * Variables the runner owns are not inherited from the test process, so a CI job running the
 * tests cannot leak its own context into the action.
 */
export async function runAction(options: RunActionOptions): Promise<ActionRunResult> {
  const runDir = await mkdtemp(join(tmpdir(), 'action-run-'))
  try {
    return await runIn(runDir, options)
  } finally {
    if (!options.keepFiles) await rm(runDir, { recursive: true, force: true })
  }
}

async function runIn(runDir: string, options: RunActionOptions): Promise<ActionRunResult> {
  const runnerTemp = join(runDir, 'runner-temp')
  const commandsDir = join(runDir, 'file-commands')
  const workspace = resolve(options.workspace ?? join(runDir, 'workspace'))
  await Promise.all([runnerTemp, commandsDir, workspace].map(d => mkdir(d, { recursive: true })))
  const files = {
    event: join(runDir, 'event.json'),
    output: join(commandsDir, 'output'),
    summary: join(commandsDir, 'step_summary'),
    state: join(commandsDir, 'state'),
    env: join(commandsDir, 'env'),
    path: join(commandsDir, 'path')
  }
  const event = options.event ?? { name: 'workflow_dispatch', payload: {} }
  await writeFile(files.event, JSON.stringify(event.payload ?? {}, null, 2))
  await Promise.all(
    [files.output, files.summary, files.state, files.env, files.path].map(f => writeFile(f, ''))
  )

  const inputs = { ...(await inputDefaults(options)), ...options.inputs }
  const env = runnerEnvironment(options, { event, workspace, runnerTemp, files, inputs })
  const started = performance.now()
  const exit = await runInGroup(process.execPath, [resolve(options.entry)], {
    cwd: workspace,
    env,
    timeoutMs: options.timeoutMs ?? 120_000
  })
  const durationMs = performance.now() - started

  // The runner reads workflow commands from both streams, each on its own.
  const fromStdout = parseWorkflowCommands(exit.stdout)
  const fromStderr = parseWorkflowCommands(exit.stderr)
  return {
    exitCode: exit.exitCode,
    signal: exit.signal,
    timedOut: exit.timedOut,
    outputs: parseKeyValueFile(await readFile(files.output, 'utf8'), 'GITHUB_OUTPUT'),
    summary: await readFile(files.summary, 'utf8'),
    annotations: [...fromStdout.annotations, ...fromStderr.annotations],
    groups: [...fromStdout.groups, ...fromStderr.groups],
    debug: [...fromStdout.debug, ...fromStderr.debug],
    masks: [...fromStdout.masks, ...fromStderr.masks],
    state: parseKeyValueFile(await readFile(files.state, 'utf8'), 'GITHUB_STATE'),
    exportedEnv: parseKeyValueFile(await readFile(files.env, 'utf8'), 'GITHUB_ENV'),
    addedPaths: (await readFile(files.path, 'utf8')).split(/\r?\n/).filter(line => line !== ''),
    stdout: exit.stdout,
    stderr: exit.stderr,
    durationMs,
    workspace,
    runnerTemp
  }
}

/** `INPUT_<NAME>` as the runner and `@actions/core` spell it: spaces to `_`, upper case. */
export function inputVariableName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

interface RunLayout {
  event: ActionEvent
  workspace: string
  runnerTemp: string
  files: {
    event: string
    output: string
    summary: string
    state: string
    env: string
    path: string
  }
  inputs: Record<string, string>
}

function runnerEnvironment(options: RunActionOptions, run: RunLayout): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    // NODE_OPTIONS is the test runner's own (e.g. jest's VM modules flag), not the Actions runner's.
    if (value !== undefined && !RUNNER_OWNED_VARIABLES.test(key) && key !== 'NODE_OPTIONS') {
      env[key] = value
    }
  }
  const repository = options.repository ?? 'octo/demo'
  const ref = options.ref ?? 'refs/heads/main'
  const apiUrl = options.apiUrl ?? UNREACHABLE_URL
  Object.assign(env, {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: run.event.name,
    GITHUB_EVENT_PATH: run.files.event,
    GITHUB_REPOSITORY: repository,
    GITHUB_REPOSITORY_OWNER: repository.split('/')[0] ?? '',
    GITHUB_API_URL: apiUrl,
    GITHUB_GRAPHQL_URL: `${apiUrl}/graphql`,
    GITHUB_SERVER_URL: options.serverUrl ?? UNREACHABLE_URL,
    GITHUB_RUN_ID: String(options.runId ?? 1000),
    GITHUB_RUN_ATTEMPT: String(options.runAttempt ?? 1),
    GITHUB_RUN_NUMBER: String(options.runNumber ?? 1),
    GITHUB_SHA: options.sha ?? '0'.repeat(40),
    GITHUB_REF: ref,
    GITHUB_REF_NAME: ref.replace(/^refs\/(heads|tags)\//, ''),
    GITHUB_REF_TYPE: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    GITHUB_WORKSPACE: run.workspace,
    GITHUB_ACTOR: options.actor ?? 'octocat',
    GITHUB_TRIGGERING_ACTOR: options.actor ?? 'octocat',
    GITHUB_WORKFLOW: 'test workflow',
    GITHUB_JOB: 'test-job',
    GITHUB_ACTION: 'test-action',
    GITHUB_OUTPUT: run.files.output,
    GITHUB_STEP_SUMMARY: run.files.summary,
    GITHUB_STATE: run.files.state,
    GITHUB_ENV: run.files.env,
    GITHUB_PATH: run.files.path,
    RUNNER_TEMP: run.runnerTemp,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: process.arch === 'arm64' ? 'ARM64' : 'X64',
    RUNNER_NAME: 'test-runner'
  })
  if (options.token !== undefined) env.GITHUB_TOKEN = options.token
  for (const [name, value] of Object.entries(run.inputs)) env[inputVariableName(name)] = value
  for (const [name, value] of Object.entries(options.state ?? {})) env[`STATE_${name}`] = value
  return { ...env, ...options.env }
}

async function inputDefaults(options: RunActionOptions): Promise<Record<string, string>> {
  if (options.actionYml === undefined) return {}
  const action = parseYaml(await readFile(options.actionYml, 'utf8')) as {
    inputs?: Record<string, { default?: unknown } | null>
  }
  const defaults: Record<string, string> = {}
  for (const [name, spec] of Object.entries(action.inputs ?? {})) {
    if (spec?.default === undefined || spec.default === null) continue
    const value = String(spec.default)
    if (/^\$\{\{\s*github\.token\s*\}\}$/.test(value.trim())) {
      defaults[name] = options.token ?? ''
    } else if (value.includes('${{')) {
      throw new Error(
        `${options.actionYml}: the default of input '${name}' is ${JSON.stringify(value)}; the action runner harness only evaluates \${{ github.token }}. Pass the input explicitly.`
      )
    } else {
      defaults[name] = value
    }
  }
  return defaults
}
