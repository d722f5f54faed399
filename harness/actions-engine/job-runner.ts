/**
 * The steps of one job, in order, as the runner runs them: each step's `if:` with the status
 * functions answering from the job so far, its `env` and `with` evaluated over the contexts, then
 * a bash script, a JavaScript action or a stand-in; outputs into the `steps` context, exported
 * variables and paths into the job; `continue-on-error` honoured; then the job's `outputs`.
 */
import { randomUUID } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { resolveUses, runNodeAction, type ActionSources } from './actions.js'
import { InvalidWorkflow, UnsupportedConstruct } from './errors.js'
import {
  evaluateCondition,
  evaluateText,
  evaluateTextMap,
  evaluateToken,
  type Contexts,
  type Status,
  type Value
} from './expressions.js'
import type { JobSetup } from './job-setup.js'
import { checkout, createAppToken, type StandInHost } from './stand-ins.js'
import { maskText, resultOf, runStepProcess, type StepResult } from './step-process.js'
import type { Annotation } from './workflow-commands.js'
import type { JobModel, StepModel } from './workflow.js'

/** A result as GitHub reports it for a step or a job. */
export type Outcome = 'success' | 'failure' | 'cancelled' | 'skipped'

/** What one step did. */
export interface StepRecord {
  index: number
  id: string | null
  name: string
  outcome: Outcome
  /** The outcome after `continue-on-error`. */
  conclusion: Outcome
  outputs: Record<string, string>
  log: string
  annotations: Annotation[]
  durationMs: number
}

/** What a job's steps did. */
export interface StepsOutcome {
  result: 'success' | 'failure' | 'cancelled'
  outputs: Record<string, string>
  steps: StepRecord[]
  summary: string
}

/** What the steps need from the engine. */
export interface StepHost {
  standIns: StandInHost
  actionSources: ActionSources
  /** When the job's `timeout-minutes` runs out (epoch ms). */
  deadline: number
}

const DEFAULT_STEP_MINUTES = 360

function statusOf(jobStatus: 'success' | 'failure' | 'cancelled'): Status {
  return {
    success: jobStatus === 'success',
    failure: jobStatus === 'failure',
    cancelled: jobStatus === 'cancelled'
  }
}

function displayName(step: StepModel, contexts: Contexts, file: string): string {
  if (step.name !== null) return evaluateText(step.name, contexts, file)
  if (step.uses !== null) return `Run ${step.uses}`
  const script = step.run === null ? '' : evaluateText(step.run, contexts, file)
  return `Run ${script.split('\n')[0] ?? ''}`
}

async function runScript(
  setup: JobSetup,
  step: StepModel,
  call: { contexts: Contexts; env: Record<string, string>; action: string; timeoutMs: number }
): Promise<StepResult> {
  const file = setup.run.workflow.path
  const script = evaluateText(step.run!, call.contexts, file)
  const path = join(setup.runnerTemp, `${randomUUID()}.sh`)
  await writeFile(path, script)
  const cwd =
    step.workingDirectory === null
      ? setup.workspace
      : resolve(setup.workspace, evaluateText(step.workingDirectory, call.contexts, file))
  // GitHub's bash: no profile, errexit, pipefail.
  return runStepProcess(setup, {
    file: 'bash',
    args: ['--noprofile', '--norc', '-e', '-o', 'pipefail', path],
    cwd,
    env: call.env,
    action: call.action,
    timeoutMs: call.timeoutMs
  })
}

async function runUses(
  setup: JobSetup,
  step: StepModel,
  host: StepHost,
  call: { contexts: Contexts; env: Record<string, string>; action: string; timeoutMs: number }
): Promise<StepResult> {
  const file = setup.run.workflow.path
  const inputs = evaluateTextMap(step.with, call.contexts, file)
  const target = resolveUses(step.uses!, setup.workspace, host.actionSources, step.place)
  if (target.kind === 'checkout') return checkout(setup, host.standIns, inputs, step.place)
  if (target.kind === 'app-token') return createAppToken(setup, host.standIns, inputs)
  return runNodeAction(setup, { dir: target.dir, with: inputs, ...call, place: step.place })
}

function stepTimeoutMs(
  step: StepModel,
  contexts: Contexts,
  file: string,
  deadline: number
): number {
  const minutes =
    step.timeoutMinutes === null
      ? DEFAULT_STEP_MINUTES
      : Number(evaluateToken(step.timeoutMinutes, contexts, file))
  return Math.max(1, Math.min(minutes * 60_000, deadline - Date.now()))
}

interface StepState {
  status: 'success' | 'failure' | 'cancelled'
  steps: Record<string, Value>
  records: StepRecord[]
  summaries: string[]
}

async function runOneStep(setup: JobSetup, step: StepModel, host: StepHost, state: StepState) {
  const file = setup.run.workflow.path
  const started = Date.now()
  const jobStatus = setup.signal.aborted ? 'cancelled' : state.status
  const contexts: Contexts = {
    ...setup.contexts,
    env: setup.env,
    steps: state.steps,
    job: { status: jobStatus }
  }
  const name = displayName(step, contexts, file)
  const runs = evaluateCondition(step.condition, contexts, step.place, statusOf(jobStatus))
  const record = (outcome: Outcome, conclusion: Outcome, result: StepResult | null) => {
    state.records.push({
      index: step.index,
      id: step.id,
      name,
      outcome,
      conclusion,
      outputs: result?.outputs ?? {},
      log: result?.log ?? '',
      annotations: result?.annotations ?? [],
      durationMs: Date.now() - started
    })
    if (step.id !== null) {
      state.steps[step.id] = { outputs: result?.outputs ?? {}, outcome, conclusion }
    }
  }
  if (!runs) return record('skipped', 'skipped', null)
  const env = { ...setup.env, ...evaluateTextMap(step.env, contexts, file) }
  const call = {
    contexts: { ...contexts, env },
    env,
    action: step.id ?? `__run_${step.index}`,
    timeoutMs: stepTimeoutMs(step, contexts, file, host.deadline)
  }
  const result = await (
    step.uses !== null ? runUses(setup, step, host, call) : runScript(setup, step, call)
  ).catch((error: Error) => {
    // A construct the engine does not run fails the engine, never just the step.
    if (error instanceof UnsupportedConstruct || error instanceof InvalidWorkflow) throw error
    return resultOf(false, maskText(error.message, setup.masks))
  })
  Object.assign(setup.env, result.exportedEnv)
  setup.paths.unshift(...result.addedPaths.reverse())
  if (result.summary !== '') state.summaries.push(result.summary)
  const outcome: Outcome = result.ok ? 'success' : setup.signal.aborted ? 'cancelled' : 'failure'
  const continues =
    step.continueOnError !== null && evaluateToken(step.continueOnError, contexts, file) === true
  const conclusion = outcome === 'failure' && continues ? 'success' : outcome
  record(outcome, conclusion, result)
  if (conclusion === 'failure') state.status = 'failure'
  if (outcome === 'cancelled') state.status = 'cancelled'
}

/** Runs a job's steps and evaluates its outputs. */
export async function runJobSteps(
  setup: JobSetup,
  job: JobModel,
  host: StepHost
): Promise<StepsOutcome> {
  const state: StepState = { status: 'success', steps: {}, records: [], summaries: [] }
  for (const step of job.steps) {
    await runOneStep(setup, step, host, state)
    if (setup.signal.aborted && state.status !== 'cancelled') state.status = 'cancelled'
  }
  const contexts: Contexts = { ...setup.contexts, env: setup.env, steps: state.steps }
  return {
    result: state.status,
    outputs: evaluateTextMap(job.outputs, contexts, setup.run.workflow.path),
    steps: state.records,
    summary: state.summaries.join('\n')
  }
}
