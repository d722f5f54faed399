/**
 * `dispatch` with `step: implement`: reads the group (and the plan, when given), builds the job's
 * ports, implements the group, and reports outputs and the summary. A failed run fails the step.
 */
import { DISPATCH_INPUTS, DISPATCH_OUTPUTS } from '../../src/action-io.js'
import { createActionsContext } from '../../src/actions-runtime/context.js'
import {
  InputError,
  type CommonSettings,
  type InputReader
} from '../../src/actions-runtime/inputs.js'
import { PUSH_REMOTE, actionsCodex, workspaceGit } from '../../src/actions-runtime/workspace.js'
import {
  BranchName,
  WaveGroup,
  WavePlan,
  parseJsonWith,
  type ParseResult
} from '../../src/contracts/index.js'
import { implementGroup } from '../../src/phases/implement/implement.js'
import { groupMismatch } from '../../src/plan/wave-scope.js'
import { renderImplementSummary } from '../../src/report/implement-summary.js'

const GROUP_EXAMPLE =
  "group: ${{ toJSON(matrix) }} in a job whose matrix is the plan step's matrix output"

function valid<T>(input: string, result: ParseResult<T>, fix: string): T {
  if (result.ok) return result.value
  throw new InputError(`Input '${input}': ${result.error.message}\n${fix}`)
}

/** Reads and checks the inputs of step implement; nothing has been done when this throws. */
export function readImplementInputs(read: InputReader) {
  const groupText = read(DISPATCH_INPUTS.group)
  if (groupText === '') {
    throw new InputError(
      `Input '${DISPATCH_INPUTS.group}' is empty; step implement needs one entry of the plan's matrix. Pass ${GROUP_EXAMPLE}.`
    )
  }
  const group = valid(
    DISPATCH_INPUTS.group,
    parseJsonWith(WaveGroup, groupText, 'the group'),
    `Pass ${GROUP_EXAMPLE}.`
  )
  const planText = read(DISPATCH_INPUTS.plan)
  const plan =
    planText === ''
      ? null
      : valid(
          DISPATCH_INPUTS.plan,
          parseJsonWith(WavePlan, planText, 'the plan'),
          "Pass the plan step's plan output unchanged, or leave the input empty."
        )
  const mismatch = plan === null ? null : groupMismatch(plan, group)
  if (mismatch !== null) {
    throw new InputError(
      `Inputs '${DISPATCH_INPUTS.group}' and '${DISPATCH_INPUTS.plan}' disagree: ${mismatch}. Pass the matrix entry and the plan of the same plan run.`
    )
  }
  const baseText = read(DISPATCH_INPUTS.base)
  const base =
    baseText === ''
      ? null
      : valid(
          DISPATCH_INPUTS.base,
          parseJsonWith(BranchName, JSON.stringify(baseText), 'the base'),
          "Use a branch name such as 'main'."
        )
  return { group, plan, base }
}

/** Runs step implement for the group of the `group` input. */
export async function runImplementStep(settings: CommonSettings, read: InputReader): Promise<void> {
  const inputs = readImplementInputs(read)
  const { context, job } = await createActionsContext(settings)
  const git = workspaceGit(job)
  const result = await implementGroup(
    { ...inputs, timeoutMinutes: settings.timeoutMinutes, model: settings.model },
    {
      context,
      git,
      codex: actionsCodex(settings),
      workDir: git.dir,
      remote: PUSH_REMOTE,
      auth: { token: settings.githubToken }
    }
  )
  const { ui } = context
  ui.setOutput(DISPATCH_OUTPUTS.status, result.status)
  ui.setOutput(DISPATCH_OUTPUTS.branch, result.branch)
  ui.setOutput(DISPATCH_OUTPUTS.prNumber, result.pr === null ? '' : String(result.pr.number))
  ui.setOutput(DISPATCH_OUTPUTS.headSha, result.headSha ?? '')
  await ui.appendSummary(
    renderImplementSummary({
      group: inputs.group.id,
      issues: inputs.group.issues,
      status: result.status,
      branch: result.branch,
      pr: result.pr,
      usage: result.usage,
      message: result.message
    })
  )
  if (result.status === 'failed')
    throw new Error(result.message ?? `Group "${inputs.group.id}" failed.`)
}
