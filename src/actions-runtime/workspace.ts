/**
 * The git work tree and the codex runner of a job on a codex runner: the checked-out workspace,
 * committed to as the pipeline's identity, and codex with only the variables it needs.
 */
import { CodexCli } from '../adapters/codex/run.js'
import { codexEnvironment } from '../adapters/codex/environment.js'
import { GitWorkTree } from '../adapters/git.js'
import type { CommonSettings } from './inputs.js'
import type { JobFacts } from './context.js'

/** The author and committer of the commits the pipeline makes for codex. */
export const PIPELINE_GIT_IDENTITY = {
  name: 'codex-waves',
  email: 'codex-waves@users.noreply.github.com'
} as const

/** The remote the workspace was checked out from; pushes go there with the token as a header. */
export const PUSH_REMOTE = 'origin'

/** The job's checked-out workspace as a git work tree. */
export function workspaceGit(job: JobFacts): GitWorkTree {
  return new GitWorkTree(job.workspace, { identity: PIPELINE_GIT_IDENTITY })
}

/** Codex as configured by the inputs, with the job's environment reduced to what codex needs. */
export function actionsCodex(
  settings: CommonSettings,
  env: Readonly<Record<string, string | undefined>> = process.env
): CodexCli {
  return new CodexCli({
    codexPath: settings.codexPath,
    env: codexEnvironment(env),
    ...(env.RUNNER_TEMP ? { scratchDir: env.RUNNER_TEMP } : {})
  })
}
