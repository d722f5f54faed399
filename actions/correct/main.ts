/**
 * The correct action: `step: correct` (the default) reads its inputs, builds the job's ports, runs
 * one correction cycle of a pull request and starts the next review with `workflow_dispatch`
 * (never a `workflow_run` chain, which stops after three levels); `step: select` chooses the pull
 * requests a correction run takes on.
 */
import * as core from '@actions/core'
import * as github from '@actions/github'
import { CORRECT_INPUTS, CORRECT_OUTPUTS } from '../../src/action-io.js'
import { createActionsContext } from '../../src/actions-runtime/context.js'
import { optionalWholeNumber, readCommonSettings } from '../../src/actions-runtime/inputs.js'
import { pullJobPorts, readPullRequest } from '../../src/actions-runtime/pull-job.js'
import { runAction } from '../../src/actions-runtime/run.js'
import { readPullStep, runSelectStep } from '../../src/actions-runtime/select-step.js'
import { correctPullRequest } from '../../src/phases/correct/correct.js'
import { defaultBranchFromEvent } from '../../src/phases/shared/event-pull.js'
import { REVIEW_WORKFLOW } from '../../src/phases/shared/workflow-names.js'

/** Runs the correct action. */
export async function run(): Promise<void> {
  await runAction(async () => {
    const read = (name: string) => core.getInput(name)
    const step = readPullStep(read, 'correct')
    const settings = readCommonSettings(read)
    if (step === 'select') return runSelectStep(settings, read, 'correct', github.context)
    const maxCycles = optionalWholeNumber(read, CORRECT_INPUTS.maxCycles, 1, 10, '3')
    const pr = readPullRequest(read, CORRECT_INPUTS.pr, github.context)
    const { context, job } = await createActionsContext(settings)
    const result = await correctPullRequest(
      { context, ...pullJobPorts(settings, job, context, 'correct'), maxCycles },
      pr
    )
    context.ui.setOutput(CORRECT_OUTPUTS.cycle, String(result.cycle))
    context.ui.setOutput(CORRECT_OUTPUTS.status, result.status)
    context.ui.setOutput(CORRECT_OUTPUTS.headSha, result.headSha)
    await context.ui.appendSummary(result.summary)
    if (result.nextReview) {
      const ref = defaultBranchFromEvent(github.context.payload) ?? result.baseRef
      await context.forge.dispatchWorkflow(REVIEW_WORKFLOW, ref, { pr: String(pr) })
      context.ui.info(`Started ${REVIEW_WORKFLOW} on ${ref} for PR #${pr}`)
    }
    if (result.status === 'failed') throw new Error(`PR #${pr}: ${result.reason}.`)
  })
}
