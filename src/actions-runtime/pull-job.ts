/**
 * What the review and correct actions share: the pull request they act on, and the work tree and
 * codex of a job that runs codex on that pull request.
 */
import type { PhaseContext } from '../phases/shared/context.js'
import { pullNumberFromEvent } from '../phases/shared/event-pull.js'
import type { PullWorkTree } from '../phases/shared/pull-request.js'
import type { CodexCli } from '../adapters/codex/run.js'
import type { GitWorkTree } from '../adapters/git.js'
import type { JobFacts } from './context.js'
import { InputError, optionalPullNumber, type CommonSettings, type InputReader } from './inputs.js'
import { actionsCodex, PUSH_REMOTE, workspaceGit } from './workspace.js'

/** The pull request from the input `name`, else from the triggering event; an error when neither. */
export function readPullRequest(
  read: InputReader,
  name: string,
  event: { eventName: string; payload: Parameters<typeof pullNumberFromEvent>[0] }
): number {
  const pr = optionalPullNumber(read, name) ?? pullNumberFromEvent(event.payload)
  if (pr === null) {
    throw new InputError(
      `Input '${name}' is empty and the '${event.eventName}' event names no pull request. Pass the PR number, e.g. 'pr: 42'.`
    )
  }
  return pr
}

/** The ports of a job that runs codex on a pull request's checkout. */
export interface PullJobPorts {
  tree: PullWorkTree & { git: GitWorkTree }
  codex: CodexCli
  codexSettings: { model: string | null; timeoutMs: number }
}

/** Builds the work tree, codex and codex settings of a review or correct job. */
export function pullJobPorts(
  settings: CommonSettings,
  job: JobFacts,
  context: PhaseContext,
  phase: 'review' | 'correct'
): PullJobPorts {
  const minutes = settings.timeoutMinutes ?? context.config.codex.timeoutMinutes[phase]
  return {
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
  }
}
