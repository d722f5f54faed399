/**
 * The Actions engine: runs a repository's real workflow files on the GitHub emulator, as GitHub
 * Actions would. Every event the forge records (a label set, a comment, a push, a dispatch) is
 * delivered to the workflows of the right commit; each run it starts executes its jobs on the
 * engine's runners with job-scoped tokens; a completed run sends `workflow_run` to the workflows
 * that follow it. Tests and the demo drive it with the forge's REST API, as people would, and wait
 * with {@link ActionsEngine.settled}.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { tokenIdOf } from '../github-emulator/auth.js'
import type { ForgeEvent } from '../github-emulator/types.js'
import type { ActionSources } from './actions.js'
import { ConcurrencyGroups } from './concurrency.js'
import type { EngineForge } from './engine-forge.js'
import { EnvironmentGate, type EnvironmentSpec } from './environments.js'
import type { JobHost } from './job-execution.js'
import type { RunnerSpec } from './job-setup.js'
import type { DefaultTokenPermissions } from './permissions.js'
import type { RunRecord } from './records.js'
import { RunnerPool } from './runners.js'
import { RunStarter, type EngineNotice } from './run-starter.js'
import type { TriggerEvent } from './triggers.js'
import { WorkflowCatalog } from './workflow-catalog.js'

/** A GitHub App the repository's workflows mint installation tokens for. */
export interface EngineApp {
  id: string
  privateKey: string
  slug: string
}

/** How to start an engine. */
export interface EngineOptions {
  forge: EngineForge
  /** The repository's name on the forge (its owner is the forge's). */
  repo: string
  runners: RunnerSpec[]
  /** Repository variables (`vars`). */
  vars?: Record<string, string>
  /** Repository secrets (`secrets`); `GITHUB_TOKEN` is added per job. */
  secrets?: Record<string, string>
  environments?: Record<string, EnvironmentSpec>
  /** Repositories of actions (`owner/repo`) served from local directories. */
  actionSources?: ActionSources
  app?: EngineApp
  /** The repository's default `GITHUB_TOKEN` permissions (GitHub's default for new repositories: restricted). */
  defaultPermissions?: DefaultTokenPermissions
  /** Told when runs start and end. */
  onNotice?: (notice: EngineNotice) => void
}

/** Options of {@link ActionsEngine.settled}. */
export interface SettleOptions {
  /** Give up after this long (default 10 minutes), naming what is still running. */
  timeoutMs?: number
}

/** A running engine. */
export class ActionsEngine {
  private readonly inbox: TriggerEvent[] = []
  private pumping = false
  private readonly errors: Error[] = []
  private readonly waiters = new Set<() => void>()
  private unsubscribe: () => void = () => undefined

  private constructor(
    private readonly options: EngineOptions,
    private readonly workDir: string,
    private readonly starter: RunStarter,
    readonly environments: EnvironmentGate
  ) {}

  /** Starts an engine listening to the forge's events for `options.repo`. */
  static async start(options: EngineOptions): Promise<ActionsEngine> {
    const workDir = await mkdtemp(join(tmpdir(), 'actions-engine-'))
    const repository = `${options.forge.owner}/${options.repo}`
    let engine: ActionsEngine | null = null
    const notify = () => engine?.check()
    const environments = new EnvironmentGate(options.environments ?? {}, notify)
    const host = jobHost(options, workDir, environments, (runId, kind, change) =>
      engine?.starter.activity(runId, kind, change)
    )
    const catalog = new WorkflowCatalog(options.forge, options.repo)
    const starter = new RunStarter({
      forge: options.forge,
      repo: options.repo,
      repository,
      catalog,
      jobHost: host,
      vars: options.vars ?? {},
      onNotice: options.onNotice ?? (() => undefined),
      deliver: event => engine?.accept(event),
      fail: error => engine?.fail(error),
      changed: notify
    })
    engine = new ActionsEngine(options, workDir, starter, environments)
    options.forge.mount(environments.restHandler(repository))
    engine.unsubscribe = options.forge.onEvent(event => engine?.receive(event))
    return engine
  }

  private receive(event: ForgeEvent): void {
    if (event.repository !== `${this.options.forge.owner}/${this.options.repo}`) return
    this.accept(this.starter.triggerOf(event))
  }

  private accept(event: TriggerEvent): void {
    this.inbox.push(event)
    void this.pump()
  }

  private fail(error: Error): void {
    this.errors.push(error)
    this.check()
  }

  private async pump(): Promise<void> {
    if (this.pumping) return
    this.pumping = true
    try {
      for (let event = this.inbox.shift(); event !== undefined; event = this.inbox.shift()) {
        await this.starter.deliver(event).catch((error: Error) => this.errors.push(error))
      }
    } finally {
      this.pumping = false
      this.check()
    }
  }

  private idle(): boolean {
    return this.inbox.length === 0 && !this.pumping && this.starter.blockedOrDone()
  }

  private check(): void {
    if (this.errors.length === 0 && !this.idle()) return
    for (const waiter of [...this.waiters]) waiter()
  }

  /**
   * Resolves when nothing more happens without a person: no event waits, and every run has ended
   * or waits for a reviewer. Rejects with the first engine error (an unsupported construct, an
   * invalid workflow), or when `timeoutMs` passes, naming what is still running.
   */
  settled(options: SettleOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 600_000
    return new Promise((resolve, reject) => {
      const finish = () => {
        if (this.errors.length > 0) {
          cleanup()
          reject(this.errors[0])
        } else if (this.idle()) {
          cleanup()
          resolve()
        }
      }
      const timer = setTimeout(() => {
        cleanup()
        reject(
          new Error(
            `The Actions engine did not settle within ${timeoutMs} ms: ${this.starter.describeActive()}`
          )
        )
      }, timeoutMs)
      const cleanup = () => {
        clearTimeout(timer)
        this.waiters.delete(finish)
      }
      this.waiters.add(finish)
      // Let events recorded by the caller's last request reach the inbox first.
      setImmediate(finish)
    })
  }

  /** Every run the engine started, oldest first. */
  runs(): RunRecord[] {
    return this.starter.records()
  }

  /** Starts a `schedule` run of one workflow, as its cron would. */
  runSchedule(workflowPath: string): void {
    this.accept({
      name: 'schedule',
      action: null,
      payload: { schedule: 'on request' },
      causedByActionsToken: false,
      depth: 0,
      target: workflowPath
    })
  }

  /** Stops listening and removes the runners' work folders. */
  async close(): Promise<void> {
    this.unsubscribe()
    await this.settled({ timeoutMs: 60_000 }).catch(() => undefined)
    await rm(this.workDir, { recursive: true, force: true })
  }
}

function jobHost(
  options: EngineOptions,
  workDir: string,
  environments: EnvironmentGate,
  activity: JobHost['activity']
): JobHost {
  const { forge, repo } = options
  const apiPort = new URL(forge.apiUrl).port
  return {
    workDir,
    repoName: repo,
    apiUrl: forge.apiUrl,
    // @actions/artifact refuses any server but github.com, *.ghe.com and *.localhost.
    serverUrl: `http://github.localhost:${apiPort}`,
    runners: new RunnerPool(options.runners),
    concurrency: new ConcurrencyGroups(),
    environments,
    defaultPermissions: options.defaultPermissions ?? 'restricted',
    secrets: options.secrets ?? {},
    actionSources: options.actionSources ?? {},
    async issueJobToken(runId, permissions) {
      const env = forge.jobEnvironment(repo, runId, { permissions })
      const { GITHUB_TOKEN: token, ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL } = env
      return {
        token,
        tokenId: tokenIdOf(token),
        runtimeEnv: { ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL }
      }
    },
    revokeToken: token => forge.revokeToken(token),
    checkRun(name, headSha, runId) {
      const detailsUrl = `${forge.apiUrl}/${forge.owner}/${repo}/actions/runs/${runId}`
      const id = forge.startCheckRun(repo, { name, headSha, detailsUrl })
      return conclusion => forge.completeCheckRun(repo, id, conclusion)
    },
    standIns: minted => ({
      cloneUrl: forge.cloneUrl(repo),
      app: options.app ? { id: options.app.id, privateKey: options.app.privateKey } : null,
      async mintInstallationToken(permissions) {
        const issued = forge.createInstallationToken(repo, {
          permissions,
          appSlug: options.app?.slug
        })
        minted(issued.token, tokenIdOf(issued.token))
        return { token: issued.token, slug: issued.slug, installationId: 1 }
      }
    }),
    activity
  }
}
