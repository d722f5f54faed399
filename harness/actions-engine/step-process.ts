/**
 * One step's process as the runner runs it: fresh file-command files, the process in its own group
 * with the step's timeout and the job's cancellation, then what it left: exit, outputs, summary,
 * exported variables and paths, and the workflow commands of its log.
 */
import { randomUUID } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { JobSetup } from './job-setup.js'
import { processEnvironment } from './job-setup.js'
import { runInGroup } from './process.js'
import { parseKeyValueFile, parseWorkflowCommands, type Annotation } from './workflow-commands.js'

/** What a step left behind. */
export interface StepResult {
  ok: boolean
  outputs: Record<string, string>
  /** The step's log (both streams), with masked values hidden. */
  log: string
  annotations: Annotation[]
  summary: string
  exportedEnv: Record<string, string>
  addedPaths: string[]
  timedOut: boolean
}

/** A step that ran no process (a skipped step, or one a stand-in did in-process). */
export function resultOf(
  ok: boolean,
  log: string,
  outputs: Record<string, string> = {}
): StepResult {
  return {
    ok,
    outputs,
    log,
    annotations: ok ? [] : [{ level: 'error', message: log }],
    summary: '',
    exportedEnv: {},
    addedPaths: [],
    timedOut: false
  }
}

/** Hides every masked value in `text`. */
export function maskText(text: string, masks: ReadonlySet<string>): string {
  let masked = text
  for (const value of masks) if (value.length >= 4) masked = masked.split(value).join('***')
  return masked
}

/** The process a step runs. */
export interface StepProcess {
  file: string
  args: string[]
  cwd: string
  /** The step's own variables (its `env`, and `INPUT_*` for an action). */
  env: Record<string, string>
  /** `GITHUB_ACTION`: the step's id, or `__run_<n>`. */
  action: string
  timeoutMs: number
  /** Extra variables only actions get (the artifact runtime). */
  runtime?: Record<string, string>
}

/** Runs a step's process in the job and reads back what it left. */
export async function runStepProcess(setup: JobSetup, step: StepProcess): Promise<StepResult> {
  const dir = join(setup.runnerTemp, '_runner_file_commands')
  await mkdir(dir, { recursive: true })
  const id = randomUUID()
  const files = {
    GITHUB_OUTPUT: join(dir, `set_output_${id}`),
    GITHUB_ENV: join(dir, `set_env_${id}`),
    GITHUB_PATH: join(dir, `add_path_${id}`),
    GITHUB_STATE: join(dir, `save_state_${id}`),
    GITHUB_STEP_SUMMARY: join(dir, `step_summary_${id}`)
  }
  await Promise.all(Object.values(files).map(file => writeFile(file, '')))
  const env = {
    ...processEnvironment(setup, { env: step.env, action: step.action, files }),
    ...step.runtime
  }
  const exit = await runInGroup(step.file, step.args, {
    cwd: step.cwd,
    env,
    timeoutMs: step.timeoutMs,
    signal: setup.signal
  })
  const log = `${exit.stdout}${exit.stderr}`
  const commands = [parseWorkflowCommands(exit.stdout), parseWorkflowCommands(exit.stderr)]
  for (const { masks } of commands) masks.forEach(mask => setup.masks.add(mask))
  const read = (file: string) => readFile(file, 'utf8')
  const annotations = commands.flatMap(parsed => parsed.annotations)
  if (exit.timedOut)
    annotations.push({
      level: 'error',
      message: `The step timed out after ${step.timeoutMs / 60_000} minutes.`
    })
  return {
    ok: exit.exitCode === 0 && !exit.timedOut,
    outputs: parseKeyValueFile(await read(files.GITHUB_OUTPUT), 'GITHUB_OUTPUT'),
    log: maskText(log, setup.masks),
    annotations: annotations.map(note => ({
      ...note,
      message: maskText(note.message, setup.masks)
    })),
    summary: await read(files.GITHUB_STEP_SUMMARY),
    exportedEnv: parseKeyValueFile(await read(files.GITHUB_ENV), 'GITHUB_ENV'),
    addedPaths: (await read(files.GITHUB_PATH)).split(/\r?\n/).filter(line => line !== ''),
    timedOut: exit.timedOut
  }
}
