/**
 * The review action: `step: review` (the default) reads its inputs, builds the job's ports and
 * reviews one pull request; `step: select` chooses the pull requests a review run takes on.
 */
import * as core from '@actions/core'
import * as github from '@actions/github'
import { REVIEW_INPUTS, REVIEW_OUTPUTS } from '../../src/action-io.js'
import { createActionsContext } from '../../src/actions-runtime/context.js'
import { readCommonSettings } from '../../src/actions-runtime/inputs.js'
import { pullJobPorts, readPullRequest } from '../../src/actions-runtime/pull-job.js'
import { runAction } from '../../src/actions-runtime/run.js'
import { readPullStep, runSelectStep } from '../../src/actions-runtime/select-step.js'
import { reviewPullRequest } from '../../src/phases/review/review.js'

/** Runs the review action. */
export async function run(): Promise<void> {
  await runAction(async () => {
    const read = (name: string) => core.getInput(name)
    const step = readPullStep(read, 'review')
    const settings = readCommonSettings(read)
    if (step === 'select') return runSelectStep(settings, read, 'review', github.context)
    const pr = readPullRequest(read, REVIEW_INPUTS.pr, github.context)
    const { context, job } = await createActionsContext(settings)
    const result = await reviewPullRequest(
      { context, ...pullJobPorts(settings, job, context, 'review') },
      pr
    )
    context.ui.setOutput(REVIEW_OUTPUTS.verdict, result.verdict)
    context.ui.setOutput(REVIEW_OUTPUTS.next, result.next)
    context.ui.setOutput(REVIEW_OUTPUTS.blockingCount, String(result.blockingCount))
    context.ui.setOutput(REVIEW_OUTPUTS.headSha, result.headSha)
    await context.ui.appendSummary(result.summary)
  })
}
