/**
 * What the command line runs the phases against, built from its flags: the forge (GitHub with a
 * token, a sandbox forge at an API URL, or an embedded sandbox started for the command), the local
 * state directory (clones, artifacts per local run, the log), git work trees prepared as
 * `actions/checkout` would, and a fresh run id and phase context for every phase it runs.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises'
import { isAbsolute, join, resolve } from 'node:path'
import { DirectoryArtifacts } from '../adapters/artifacts.js'
import { SystemClock } from '../adapters/clock.js'
import { GitHubForge } from '../adapters/forge.js'
import { createGitHubClient, type GitHubClient } from '../adapters/github.js'
import { GitWorkTree } from '../adapters/git.js'
import { PIPELINE_GIT_IDENTITY } from '../actions-runtime/workspace.js'
import {
  parseWaveConfig,
  valueOrThrow,
  type DispatchRecord,
  type WaveConfig
} from '../contracts/index.js'
import type { PhaseContext, RepoRef, RunRef } from '../phases/shared/context.js'
import { readDispatchArtifact } from '../phases/shared/run-artifacts.js'
import type { Forge as ForgePort, GitAuth, Ui } from '../ports.js'
import {
  seedSampleRepo,
  startEmulator,
  type GitHubEmulator
} from '../../harness/github-emulator/index.js'
import { UsageError } from './options.js'

type Environment = Readonly<Record<string, string | undefined>>

/** The remote every local work tree fetches from and pushes to. */
export const LOCAL_REMOTE = 'origin'

/** The forge the command works on. */
export interface Target {
  repo: RepoRef
  /** Sent to the REST API and to git as a header; never written to disk. */
  auth: GitAuth
  cloneUrl: string
  pipelineLogin: string
  client: GitHubClient
  forge: ForgePort
  /** The repository's default branch. */
  defaultBranch: string
  /** What the user is told the target is, e.g. `octo-org/tiny-lib on the embedded sandbox forge`. */
  description: string
  /** True for a forge on this machine (the embedded one or one on a loopback address). */
  local: boolean
  /** The embedded forge, when the command started one; closed by {@link Target.close}. */
  sandbox: GitHubEmulator | null
  close(): Promise<void>
}

/** How to reach the forge, from the flags and the environment. */
export interface TargetRequest {
  repo: string | undefined
  apiUrl: string | undefined
  serverUrl: string | undefined
  pipelineLogin: string | undefined
}

/** Whether a URL points at this machine. */
export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname
    return host === '127.0.0.1' || host === 'localhost' || host === '[::1]'
  } catch {
    return false
  }
}

function parseRepo(text: string): RepoRef {
  const [owner, repo, ...rest] = text.split('/')
  if (!owner || !repo || rest.length > 0 || !/^[\w.-]+$/.test(owner) || !/^[\w.-]+$/.test(repo)) {
    throw new UsageError(
      `--repo: '${text}' is not 'owner/name'. Use e.g. --repo octo-org/tiny-lib.`
    )
  }
  return { owner, repo }
}

function clientFor(token: string, apiUrl: string, local: boolean): GitHubClient {
  // A forge on this machine has no abuse limits to respect and answers retries at once.
  const tuning = local
    ? { writeSpacingMs: 0, retryBaseDelayMs: 50, retries: 6, rateLimitRetries: 6 }
    : {}
  return createGitHubClient({ token, baseUrl: apiUrl, ...tuning })
}

/**
 * Opens the target: `--repo` (with `GITHUB_TOKEN`) on GitHub or on the forge at `--api-url`, or,
 * without `--repo`, an embedded sandbox forge seeded with its sample repository.
 * @param seed called on an embedded forge before anything reads it (the demo adds its issues).
 */
export async function openTarget(
  request: TargetRequest,
  env: Environment,
  seed?: (forge: GitHubEmulator, repo: string) => Promise<void>
): Promise<Target> {
  if (request.repo === undefined) {
    if (request.apiUrl !== undefined) {
      throw new UsageError('--api-url needs --repo: name the repository on that forge.')
    }
    return embeddedTarget(seed)
  }
  const repo = parseRepo(request.repo)
  const token = env.GITHUB_TOKEN ?? ''
  if (token === '') {
    throw new UsageError(
      `--repo ${request.repo}: GITHUB_TOKEN is not set. Export a token with contents, issues and pull requests write access (e.g. GITHUB_TOKEN=$(gh auth token)).`
    )
  }
  const apiUrl = (request.apiUrl ?? env.GITHUB_API_URL ?? 'https://api.github.com').replace(
    /\/+$/,
    ''
  )
  const local = isLoopbackUrl(apiUrl)
  const serverUrl = (
    request.serverUrl ?? (local ? apiUrl : (env.GITHUB_SERVER_URL ?? 'https://github.com'))
  ).replace(/\/+$/, '')
  const client = clientFor(token, apiUrl, local)
  const facts = await client.octokit.rest.repos
    .get({ owner: repo.owner, repo: repo.repo })
    .catch((error: Error) => {
      throw new Error(
        `Repository ${request.repo} could not be read at ${apiUrl} (${error.message}). Check --repo, --api-url and that GITHUB_TOKEN can read it.`,
        { cause: error }
      )
    })
  const pipelineLogin = request.pipelineLogin ?? (await tokenLogin(client, apiUrl))
  return {
    repo,
    auth: { token },
    cloneUrl: `${serverUrl}/${repo.owner}/${repo.repo}.git`,
    pipelineLogin,
    client,
    forge: new GitHubForge({ client, ...repo }),
    defaultBranch: facts.data.default_branch,
    description: `${repo.owner}/${repo.repo} at ${apiUrl}`,
    local,
    sandbox: null,
    close: async () => undefined
  }
}

async function tokenLogin(client: GitHubClient, apiUrl: string): Promise<string> {
  try {
    const { data } = await client.octokit.rest.users.getAuthenticated()
    return data.login
  } catch (error) {
    throw new Error(
      `The login of GITHUB_TOKEN could not be read from ${apiUrl} (${(error as Error).message}). Pass it with --pipeline-login.`,
      { cause: error }
    )
  }
}

async function embeddedTarget(
  seed?: (forge: GitHubEmulator, repo: string) => Promise<void>
): Promise<Target> {
  const sandbox = await startEmulator()
  try {
    const name = await seedSampleRepo(sandbox)
    if (seed) await seed(sandbox, name)
    const repo = { owner: sandbox.owner, repo: name }
    const token = sandbox.tokens.write
    const client = clientFor(token, sandbox.apiUrl, true)
    return {
      repo,
      auth: { token },
      cloneUrl: sandbox.cloneUrl(name),
      pipelineLogin: sandbox.userFor('write').login,
      client,
      forge: new GitHubForge({ client, ...repo }),
      defaultBranch: 'main',
      description: `${repo.owner}/${repo.repo} on the embedded sandbox forge (${sandbox.apiUrl}; gone when the command ends)`,
      local: true,
      sandbox,
      close: () => sandbox.close()
    }
  } catch (error) {
    await sandbox.close()
    throw error
  }
}

/** The state directory of one repository: work trees, artifacts by local run id, the log. */
export class StateDir {
  readonly root: string
  readonly artifactsRoot: string
  readonly workRoot: string
  readonly logFile: string

  constructor(base: string, repo: RepoRef) {
    this.root = join(resolve(base), `${repo.owner}--${repo.repo}`)
    this.artifactsRoot = join(this.root, 'artifacts')
    this.workRoot = join(this.root, 'work')
    this.logFile = join(this.root, 'waves.log')
  }

  /**
   * A run id no earlier command used here: its artifact folder is created at once, so two
   * commands (or an interrupted one and its re-run) never share one.
   */
  async nextRunId(): Promise<number> {
    await mkdir(this.artifactsRoot, { recursive: true })
    for (;;) {
      const used = (await readdir(this.artifactsRoot)).filter(name => /^\d+$/.test(name))
      const next = Math.max(0, ...used.map(Number)) + 1
      try {
        await mkdir(join(this.artifactsRoot, String(next)))
        return next
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      }
    }
  }

  /**
   * How a local run is named where a run link goes (commit trailers, comments). Not a file URL:
   * against GitHub those texts are public, and a path of this machine does not belong in them.
   * The run's artifacts are in `<state dir>/artifacts/<run id>`.
   */
  runUrl(runId: number): string {
    return `codex-waves-local:run/${runId}`
  }

  /**
   * The dispatch record of the newest local run that opened or updated PR `pr`, with that run;
   * null when no run here pushed to it (the PR came from elsewhere, or its run stopped before
   * uploading the record).
   */
  async dispatchRecordFor(pr: number): Promise<{ record: DispatchRecord; run: RunRef } | null> {
    const runIds = (await readdir(this.artifactsRoot).catch(() => [] as string[]))
      .filter(name => /^\d+$/.test(name))
      .map(Number)
      .sort((a, b) => b - a)
    for (const runId of runIds) {
      const names = await readdir(join(this.artifactsRoot, String(runId)))
      const artifacts = new DirectoryArtifacts(this.artifactsRoot, { runId })
      for (const name of names.filter(name => name.startsWith('waves-dispatch-'))) {
        const record = await artifacts
          .download(name)
          .then(files => readDispatchArtifact(name, files, pr).record)
          .catch(() => null)
        if (record === null || (record.outcome !== 'opened' && record.outcome !== 'updated')) {
          continue
        }
        const attempt = Number(/-(\d+)$/.exec(name)?.[1] ?? 1)
        return { record, run: { runId, attempt, url: this.runUrl(runId) } }
      }
    }
    return null
  }
}

/**
 * Git work trees in the state directory, one per purpose (a group, a PR, the merge), each cloned
 * once and made clean before every use, as a fresh `actions/checkout` would be.
 */
export class WorkTrees {
  private readonly ready = new Map<string, Promise<void>>()

  constructor(
    private readonly state: StateDir,
    private readonly target: Pick<Target, 'cloneUrl' | 'auth'>,
    private readonly base: string
  ) {}

  /** The work tree `name`, clean, with the base fetched and checked out (detached). */
  async prepare(name: string): Promise<GitWorkTree> {
    const dir = join(this.state.workRoot, name)
    const git = new GitWorkTree(dir, { identity: PIPELINE_GIT_IDENTITY })
    const previous = this.ready.get(name) ?? Promise.resolve()
    const next = previous.then(() => this.reset(dir, git))
    this.ready.set(
      name,
      next.catch(() => undefined)
    )
    await next
    return git
  }

  private async reset(dir: string, git: GitWorkTree): Promise<void> {
    await mkdir(dir, { recursive: true })
    const inside = await git.exec(['rev-parse', '--git-dir'])
    if (inside.exitCode !== 0 || inside.stdout.trim() !== '.git') {
      await checked(git, ['init', '--quiet'])
      await checked(git, ['remote', 'add', LOCAL_REMOTE, this.target.cloneUrl])
    } else {
      await checked(git, ['remote', 'set-url', LOCAL_REMOTE, this.target.cloneUrl])
      // Whatever an interrupted run left behind goes, as a fresh checkout would not have it.
      await git.exec(['reset', '--hard', '--quiet'])
      await checked(git, ['clean', '-ffdxq'])
    }
    const tracking = `refs/remotes/${LOCAL_REMOTE}/${this.base}`
    await git.fetch(LOCAL_REMOTE, [`+refs/heads/${this.base}:${tracking}`], this.target.auth)
    await checked(git, ['symbolic-ref', `refs/remotes/${LOCAL_REMOTE}/HEAD`, tracking])
    await checked(git, ['checkout', '--quiet', '--force', '--detach', tracking])
  }
}

async function checked(git: GitWorkTree, args: readonly string[]): Promise<void> {
  const result = await git.exec(args)
  if (result.exitCode !== 0) {
    throw new Error(`git ${args.join(' ')} failed in ${git.dir}: ${result.stderr.trim()}`)
  }
}

/**
 * The wave config: the `--config` file, else the repository's `.github/codex-waves.yml` on the
 * base (read from a work tree), else the defaults.
 */
export async function loadLocalConfig(
  configFlag: string | undefined,
  cwd: string,
  readFromBase: () => Promise<string | null>
): Promise<WaveConfig> {
  if (configFlag !== undefined) {
    const file = isAbsolute(configFlag) ? configFlag : join(cwd, configFlag)
    const text = await readFile(file, 'utf8').catch((error: Error) => {
      throw new UsageError(`--config: ${file} cannot be read (${error.message}).`)
    })
    return valueOrThrow(parseWaveConfig(text, configFlag))
  }
  return valueOrThrow(parseWaveConfig((await readFromBase()) ?? ''))
}

/** Builds a phase context for each phase run: a fresh run id, its artifact store and its Ui. */
export class LocalRuns {
  private readonly clock = new SystemClock()

  constructor(
    private readonly target: Target,
    private readonly state: StateDir,
    readonly config: WaveConfig,
    /** The forge the phases use: the target's, or a decorated one (local CI). */
    private readonly forge: ForgePort = target.forge
  ) {}

  /** See {@link StateDir.dispatchRecordFor}. */
  dispatchRecordFor(pr: number): Promise<{ record: DispatchRecord; run: RunRef } | null> {
    return this.state.dispatchRecordFor(pr)
  }

  /** The context of one phase run, logging to `ui`. */
  async context(ui: Ui): Promise<PhaseContext> {
    const runId = await this.state.nextRunId()
    return {
      repo: this.target.repo,
      run: { runId, attempt: 1, url: this.state.runUrl(runId) },
      config: this.config,
      pipelineLogin: this.target.pipelineLogin,
      forge: this.forge,
      artifacts: new DirectoryArtifacts(this.state.artifactsRoot, { runId }),
      ui,
      clock: this.clock
    }
  }
}
