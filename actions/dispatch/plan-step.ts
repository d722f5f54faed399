/**
 * The plan step of the dispatch action: read `issues`, `confirm`, `base`, `environment` and the
 * triggering event (whose sender, for a labelled issue, the phase checks first), run the plan phase
 * on the checked-out base (with the pipeline's branches fetched from the checkout's remote), set
 * the outputs and write the summary.
 */
import { readFile } from 'node:fs/promises'
import { DISPATCH_INPUTS, DISPATCH_OUTPUTS } from '../../src/action-io.js'
import { createActionsContext } from '../../src/actions-runtime/context.js'
import {
  InputError,
  type CommonSettings,
  type InputReader
} from '../../src/actions-runtime/inputs.js'
import { PUSH_REMOTE, workspaceGit } from '../../src/actions-runtime/workspace.js'
import { BranchName, PlanId } from '../../src/contracts/index.js'
import { runPlanPhase, type PlanRequest, type PlanResult } from '../../src/phases/plan/plan.js'
import { parseIssueList, type TriggerEvent } from '../../src/plan/index.js'
import type { Ui } from '../../src/ports.js'

type Environment = Readonly<Record<string, string | undefined>>

/** GitHub's longest environment name. */
const MAX_ENVIRONMENT_NAME = 255

/** Runs `step: plan`. */
export async function runPlanStep(
  settings: CommonSettings,
  read: InputReader,
  env: Environment = process.env
): Promise<void> {
  const request = await readPlanRequest(read, env)
  const { context, job } = await createActionsContext(settings, env)
  const result = await runPlanPhase(context, workspaceGit(job), {
    ...request,
    branches: { remote: PUSH_REMOTE, auth: { token: settings.githubToken } }
  })
  await report(context.ui, result)
}

/** The inputs of the plan step and the event, checked before anything is done. */
export async function readPlanRequest(read: InputReader, env: Environment): Promise<PlanRequest> {
  const list = parseIssueList(read(DISPATCH_INPUTS.issues))
  if (!list.ok) throw new InputError(list.message)
  const confirm = read(DISPATCH_INPUTS.confirm)
  if (confirm !== '' && !PlanId.safeParse(confirm).success) {
    throw new InputError(
      `Input '${DISPATCH_INPUTS.confirm}': '${confirm.slice(0, 40)}' is not a plan id (12 lowercase hexadecimal characters). Copy the id from the plan's summary or proposal comment.`
    )
  }
  const base = read(DISPATCH_INPUTS.base)
  if (base !== '' && !BranchName.safeParse(base).success) {
    throw new InputError(
      `Input '${DISPATCH_INPUTS.base}': '${base.slice(0, 80)}' is not a branch name. Use a branch such as 'main', or leave it empty.`
    )
  }
  const environment = read(DISPATCH_INPUTS.environment).trim()
  if (environment.length > MAX_ENVIRONMENT_NAME || /[\r\n]/.test(environment)) {
    throw new InputError(
      `Input '${DISPATCH_INPUTS.environment}': '${environment.slice(0, 40)}…' is not an environment name (one line, at most ${MAX_ENVIRONMENT_NAME} characters). Pass the name of the environment whose required reviewers approve the implement jobs, or leave it empty.`
    )
  }
  return {
    issues: list.numbers,
    event: await readTriggerEvent(env),
    confirm: confirm === '' ? null : confirm,
    base: base === '' ? null : base,
    environment: environment === '' ? null : environment
  }
}

/** The facts of the triggering event the plan step uses, from the runner's payload file. */
async function readTriggerEvent(env: Environment): Promise<TriggerEvent | null> {
  const name = env.GITHUB_EVENT_NAME
  if (!name) return null
  const path = env.GITHUB_EVENT_PATH
  let payload: unknown = {}
  if (path) {
    try {
      payload = JSON.parse(await readFile(path, 'utf8'))
    } catch (error) {
      throw new Error(
        `The event payload ${path} could not be read (${(error as Error).message}). The runner writes it for every job; run the action in a GitHub Actions job, or re-run it.`,
        { cause: error }
      )
    }
  }
  const fields = (payload ?? {}) as {
    action?: unknown
    issue?: { number?: unknown }
    label?: { name?: unknown }
    sender?: { login?: unknown }
  }
  return {
    name,
    action: typeof fields.action === 'string' ? fields.action : null,
    issue: typeof fields.issue?.number === 'number' ? fields.issue.number : null,
    label: typeof fields.label?.name === 'string' ? fields.label.name : null,
    sender: typeof fields.sender?.login === 'string' ? fields.sender.login : null
  }
}

async function report(ui: Ui, result: PlanResult): Promise<void> {
  await ui.appendSummary(result.summary)
  if (result.outcome === 'refused') throw new Error(result.message)
  const planned = result.outcome === 'planned'
  ui.setOutput(DISPATCH_OUTPUTS.plan, planned ? result.planOutput : '')
  ui.setOutput(DISPATCH_OUTPUTS.planId, planned ? result.plan.id : '')
  ui.setOutput(DISPATCH_OUTPUTS.matrix, planned ? result.matrix : '')
  ui.setOutput(DISPATCH_OUTPUTS.needsConfirmation, String(planned && result.needsConfirmation))
}
