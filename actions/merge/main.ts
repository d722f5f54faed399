/**
 * The merge action: merges the approved, green pipeline PRs in a safe order, brings the rest up
 * to date, reports the wave against its success criteria, and starts the correction of every PR
 * it sent back with a correction order (a conflict, a taken number) by `workflow_dispatch`.
 */
import * as core from '@actions/core'
import * as github from '@actions/github'
import { MERGE_OUTPUTS } from '../../src/action-io.js'
import { createActionsContext } from '../../src/actions-runtime/context.js'
import { readCommonSettings } from '../../src/actions-runtime/inputs.js'
import { readMergeInputs } from '../../src/actions-runtime/merge-inputs.js'
import { runAction } from '../../src/actions-runtime/run.js'
import { PUSH_REMOTE, workspaceGit } from '../../src/actions-runtime/workspace.js'
import { defaultBranchFromEvent } from '../../src/phases/shared/event-pull.js'
import { runMerge } from '../../src/phases/merge/merge.js'
import { CORRECT_WORKFLOW } from '../../src/phases/shared/workflow-names.js'

/** Reads the inputs, runs the merge phase, and sets the outputs and the summary. */
export async function run(): Promise<void> {
  await runAction(async () => {
    const read = (name: string) => core.getInput(name)
    const settings = readCommonSettings(read)
    const inputs = readMergeInputs(read)
    const { context, job } = await createActionsContext(settings)
    const outcome = await runMerge(
      context,
      { git: workspaceGit(job), remote: PUSH_REMOTE, auth: { token: settings.githubToken } },
      {
        prs: inputs.prs,
        method: inputs.method ?? context.config.merge.method,
        deleteBranch: inputs.deleteBranch ?? context.config.merge.deleteBranch
      }
    )
    context.ui.setOutput(MERGE_OUTPUTS.merged, JSON.stringify(outcome.merged))
    context.ui.setOutput(MERGE_OUTPUTS.blocked, JSON.stringify(outcome.blocked))
    context.ui.setOutput(MERGE_OUTPUTS.order, JSON.stringify(outcome.order))
    await context.ui.appendSummary(outcome.summary)
    const ref =
      defaultBranchFromEvent(github.context.payload) ??
      github.context.ref.replace(/^refs\/heads\//, '')
    for (const pull of outcome.blocked.filter(blocked => blocked.next === 'correct')) {
      await context.forge.dispatchWorkflow(CORRECT_WORKFLOW, ref, { pr: String(pull.pr) })
      context.ui.info(`Started ${CORRECT_WORKFLOW} on ${ref} for PR #${pull.pr}.`)
    }
  })
}
