/**
 * One command's working set, opened from its flags: the target forge, the state directory and its
 * log, the work trees, the wave config, codex, local CI where the forge has none, and the progress
 * board. Closing it stops what it started.
 */
import { createWriteStream, existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Writable } from 'node:stream'
import { CodexCli } from '../adapters/codex/run.js'
import { codexEnvironment } from '../adapters/codex/environment.js'
import { CONFIG_PATH, type WaveConfig } from '../contracts/index.js'
import type { Forge } from '../ports.js'
import type { GitHubEmulator } from '../../harness/github-emulator/index.js'
import { ciEnvironment, withLocalCi } from './local-ci.js'
import {
  LocalRuns,
  StateDir,
  WorkTrees,
  loadLocalConfig,
  openTarget,
  type Target
} from './local-context.js'
import type { LogSink } from './log-ui.js'
import { stringFlag, wholeNumberFlag, type ParsedFlags } from './options.js'
import { Progress } from './progress.js'
import type { WaveEnvironment } from './wave.js'

/** What a command talks to: its working directory, environment and output streams. */
export interface CliIo {
  cwd: string
  env: Readonly<Record<string, string | undefined>>
  stdout: Writable & { isTTY?: boolean }
  stderr: Writable
}

/** The CI command a sandbox forge gets when `--ci` is not given. */
export const DEFAULT_SANDBOX_CI = 'npm test'

/** A command's opened working set. */
export interface Session {
  target: Target
  state: StateDir
  config: WaveConfig
  progress: Progress
  sink: LogSink
  wave: WaveEnvironment
  close(): Promise<void>
}

/** What a command adds to its flags when opening a session. */
export interface SessionOptions {
  /** Seeds an embedded forge (the demo's issues). */
  seed?: (forge: GitHubEmulator, repo: string) => Promise<void>
  /** A config to use instead of the `--config` file or the repository's. */
  config?: WaveConfig
  /** The codex process's environment instead of the command's (the offline model's). */
  codexEnv?: Record<string, string>
}

/**
 * The codex to run: `--codex`, else the one installed with this package (its `@openai/codex`
 * dependency), else `codex` on the PATH.
 */
export function resolveCodexPath(flag: string | undefined): string {
  if (flag !== undefined) return resolve(flag)
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let depth = 0; depth < 5; depth++) {
    const candidate = join(dir, 'node_modules', '.bin', 'codex')
    if (existsSync(candidate)) return candidate
    dir = dirname(dir)
  }
  return 'codex'
}

/** Whether codex has credentials: an API key in the environment, or a `codex login`. */
export function codexHasCredentials(env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.OPENAI_API_KEY || env.CODEX_API_KEY) return true
  const home = env.CODEX_HOME ?? join(env.HOME ?? homedir(), '.codex')
  return existsSync(join(home, 'auth.json'))
}

/** Opens the target and everything a wave needs. */
export async function openSession(
  io: CliIo,
  flags: ParsedFlags,
  options: SessionOptions = {}
): Promise<Session> {
  const concurrency = wholeNumberFlag(flags, 'concurrency', 1, 64, 4)
  const target = await openTarget(
    {
      repo: stringFlag(flags, 'repo'),
      apiUrl: stringFlag(flags, 'api-url'),
      serverUrl: stringFlag(flags, 'server-url'),
      pipelineLogin: stringFlag(flags, 'pipeline-login')
    },
    io.env,
    options.seed
  )
  try {
    const state = new StateDir(
      resolve(io.cwd, stringFlag(flags, 'state-dir') ?? '.codex-waves'),
      target.repo
    )
    await mkdir(state.root, { recursive: true })
    const log = createWriteStream(state.logFile, { flags: 'a' })
    const live = io.stdout.isTTY === true && io.env.TERM !== 'dumb'
    const progress = new Progress({ stream: io.stdout, live })
    const sink: LogSink = {
      log,
      show: line => progress.message(line),
      verbose: flags.verbose === true
    }
    const provisionalBase = stringFlag(flags, 'base') ?? target.defaultBranch
    const baseTrees = new WorkTrees(state, target, provisionalBase)
    const config =
      options.config ??
      (await loadLocalConfig(stringFlag(flags, 'config'), io.cwd, async () => {
        const git = await baseTrees.prepare('base')
        return git.show('HEAD', CONFIG_PATH)
      }))
    const base = stringFlag(flags, 'base') ?? config.base ?? target.defaultBranch
    const workTrees = base === provisionalBase ? baseTrees : new WorkTrees(state, target, base)
    const ciCommand =
      stringFlag(flags, 'ci') ?? (target.sandbox !== null ? DEFAULT_SANDBOX_CI : undefined)
    const forge: Forge =
      ciCommand === undefined
        ? target.forge
        : withLocalCi(target.forge, {
            command: ciCommand,
            workTrees,
            auth: target.auth,
            env: ciEnvironment(io.env),
            report: line => log.write(`[ci] ${line}\n`)
          })
    const runs = new LocalRuns(target, state, config, forge)
    const codex = new CodexCli({
      codexPath: resolveCodexPath(stringFlag(flags, 'codex')),
      env: options.codexEnv ?? codexEnvironment(io.env),
      scratchDir: join(state.root, 'codex-runs')
    })
    const wave: WaveEnvironment = {
      target,
      forge,
      runs,
      workTrees,
      codex,
      base,
      model: stringFlag(flags, 'model') ?? null,
      concurrency,
      progress,
      sink
    }
    return {
      target,
      state,
      config,
      progress,
      sink,
      wave,
      close: async () => {
        progress.stop()
        await new Promise<void>(done => log.end(done))
        await target.close()
      }
    }
  } catch (error) {
    await target.close()
    throw error
  }
}
