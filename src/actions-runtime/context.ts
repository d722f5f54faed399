/**
 * Builds a phase's context inside a GitHub Actions job: the runner's variables, the inputs, and
 * the adapters over Octokit, `@actions/artifact` and `@actions/core`.
 */
import { readFile } from 'node:fs/promises'
import { isAbsolute, join } from 'node:path'
import { ActionsArtifacts } from '../adapters/artifacts.js'
import { SystemClock } from '../adapters/clock.js'
import { GitHubForge } from '../adapters/forge.js'
import { createGitHubClient } from '../adapters/github.js'
import { ActionsUi } from '../adapters/ui.js'
import { parseWaveConfig, valueOrThrow, type WaveConfig } from '../contracts/index.js'
import type { PhaseContext } from '../phases/shared/context.js'
import { InputError, type CommonSettings } from './inputs.js'

type Environment = Readonly<Record<string, string | undefined>>

/** The runner's facts about this job. */
export interface JobFacts {
  owner: string
  repo: string
  runId: number
  attempt: number
  serverUrl: string
  workspace: string
}

/** Reads the job's facts from the runner's variables; a missing one is an error naming it. */
export function readJobFacts(env: Environment): JobFacts {
  const repository = required(env, 'GITHUB_REPOSITORY')
  const [owner, repo, ...rest] = repository.split('/')
  if (!owner || !repo || rest.length > 0) {
    throw new InputError(
      `GITHUB_REPOSITORY is '${repository}', not 'owner/name'. Run this action in a GitHub Actions job.`
    )
  }
  return {
    owner,
    repo,
    runId: positive('GITHUB_RUN_ID', required(env, 'GITHUB_RUN_ID')),
    attempt: positive('GITHUB_RUN_ATTEMPT', env.GITHUB_RUN_ATTEMPT ?? '1'),
    serverUrl: (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/+$/, ''),
    workspace: env.GITHUB_WORKSPACE ?? process.cwd()
  }
}

/**
 * Reads the wave config from the checked-out workspace; a missing file means the defaults. The
 * error of a malformed file names the file and every bad key.
 */
export async function loadWaveConfig(workspace: string, configPath: string): Promise<WaveConfig> {
  const file = isAbsolute(configPath) ? configPath : join(workspace, configPath)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    text = ''
  }
  return valueOrThrow(parseWaveConfig(text, configPath))
}

/** Builds the phase context of this job. */
export async function createActionsContext(
  settings: CommonSettings,
  env: Environment = process.env
): Promise<{ context: PhaseContext; job: JobFacts }> {
  const job = readJobFacts(env)
  const ui = new ActionsUi()
  const config = await loadWaveConfig(job.workspace, settings.configPath)
  const client = createGitHubClient({ token: settings.githubToken, logger: ui, env })
  const context: PhaseContext = {
    repo: { owner: job.owner, repo: job.repo },
    run: {
      runId: job.runId,
      attempt: job.attempt,
      url: `${job.serverUrl}/${job.owner}/${job.repo}/actions/runs/${job.runId}`
    },
    config,
    pipelineLogin: settings.pipelineLogin,
    forge: new GitHubForge({ client, owner: job.owner, repo: job.repo }),
    artifacts: new ActionsArtifacts({
      token: settings.githubToken,
      owner: job.owner,
      repo: job.repo,
      runId: job.runId
    }),
    ui,
    clock: new SystemClock()
  }
  return { context, job }
}

function required(env: Environment, name: string): string {
  const value = env[name]
  if (value === undefined || value === '') {
    throw new InputError(`${name} is not set. Run this action in a GitHub Actions job.`)
  }
  return value
}

function positive(name: string, raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw new InputError(`${name} is '${raw}', not a positive whole number.`)
  }
  return Number(raw)
}
