/**
 * The review action: reads its inputs, builds the job's ports and reviews one pull request.
 */
import * as core from '@actions/core'
import * as github from '@actions/github'
import { REVIEW_INPUTS, REVIEW_OUTPUTS } from '../../src/action-io.js'
import { createActionsContext } from '../../src/actions-runtime/context.js'
import {
  InputError,
  optionalPullNumber,
  readCommonSettings
} from '../../src/actions-runtime/inputs.js'
import { runAction } from '../../src/actions-runtime/run.js'
import { actionsCodex, PUSH_REMOTE, workspaceGit } from '../../src/actions-runtime/workspace.js'
import { pullNumberFromEvent } from '../../src/phases/event-pull.js'
import { reviewPullRequest } from '../../src/phases/review.js'

/** Runs the review action. */
export async function run(): Promise<void> {
  await runAction(async () => {
    const read = (name: string) => core.getInput(name)
    const settings = readCommonSettings(read)
    const pr =
      optionalPullNumber(read, REVIEW_INPUTS.pr) ?? pullNumberFromEvent(github.context.payload)
    if (pr === null) {
      throw new InputError(
        `Input '${REVIEW_INPUTS.pr}' is empty and the '${github.context.eventName}' event names no pull request. Pass the PR number, e.g. 'pr: 42'.`
      )
    }
    const { context, job } = await createActionsContext(settings)
    const minutes = settings.timeoutMinutes ?? context.config.codex.timeoutMinutes.review
    const result = await reviewPullRequest(
      {
        context,
        tree: {
          git: workspaceGit(job),
          dir: job.workspace,
          remote: PUSH_REMOTE,
          auth: { token: settings.githubToken }
        },
        codex: actionsCodex(settings),
        codexSettings: {
          model: settings.model ?? context.config.codex.model,
          timeoutMs: minutes * 60_000
        }
      },
      pr
    )
    context.ui.setOutput(REVIEW_OUTPUTS.verdict, result.verdict)
    context.ui.setOutput(REVIEW_OUTPUTS.next, result.next)
    context.ui.setOutput(REVIEW_OUTPUTS.blockingCount, String(result.blockingCount))
    context.ui.setOutput(REVIEW_OUTPUTS.headSha, result.headSha)
    await context.ui.appendSummary(result.summary)
  })
}
