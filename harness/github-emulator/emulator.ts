/**
 * The in-process face of the sandbox forge: start it on 127.0.0.1 (port 0) with its artifact
 * service, create and seed repositories, inject faults, read the request and event logs (or
 * subscribe to events), record workflow runs and give their jobs an environment and a scoped
 * token, mint App installation tokens, mount handlers, and close it (removing its temporary
 * directory).
 */
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { InstallationToken, InstallationTokenOptions } from './apps.js'
import { createInstallationToken } from './apps.js'
import type { ArtifactService } from './artifact-service.js'
import { createArtifactService, runArtifactSource } from './artifact-service.js'
import { defaultUsers, generateTokens, TokenBook } from './auth.js'
import type { ForgeCore } from './core.js'
import { FaultInjector } from './faults.js'
import { createBareRepo, gitOk, listBranches, resolveCommit, showFile } from './git.js'
import { addLabels, createIssueRecord } from './issue-ops.js'
import { syncPulls } from './pull-state.js'
import { DEFAULT_RATE_LIMITS, RequestPipeline } from './server.js'
import type { ScopeUse } from './scopes.js'
import { scopesUsed } from './scopes.js'
import { ForgeState, RepoState, timestamp } from './state.js'
import type {
  CheckConclusion,
  CheckRunRecord,
  EventListener,
  LabelRecord,
  WorkflowRunRecord
} from './state.js'
import type {
  CallerKind,
  ExtraRequestHandler,
  FaultRule,
  ForgeEvent,
  RepoSettings,
  RequestLogEntry,
  RunArtifactSource,
  SandboxTokens,
  SandboxUser,
  TokenKind
} from './types.js'
import { webhookPayload } from './webhooks.js'
import { installWorkflowGuard } from './workflow-guard.js'
import type {
  JobEnvironment,
  JobOptions,
  NewWorkflowRun,
  ScopedJobEnvironment
} from './workflow-runs.js'
import { createWorkflowRun, jobEnvironment, updateWorkflowRun } from './workflow-runs.js'

export interface EmulatorOptions {
  /** The organization that owns the repositories (default `octo-org`). */
  owner?: string
  /** Handlers tried before the artifact service and the REST routes. */
  extraHandlers?: ExtraRequestHandler[]
  /**
   * Whether the forge serves the artifact service `@actions/artifact` talks to, with its storage
   * in the forge's temporary directory (default true).
   */
  artifactService?: boolean
  /** Where the REST artifact routes get their answers instead of the artifact service. */
  artifacts?: RunArtifactSource
  /** Seed of the fault RNG (default 1). */
  faultSeed?: number
  /** Extra delay of the background mergeability computation (default 0 ms). */
  mergeabilityDelayMs?: number
  /** Hourly request budgets per caller kind (GitHub's by default). */
  rateLimits?: Partial<Record<CallerKind, number>>
}

export interface NewRepo {
  name: string
  /** Relative path → content of the first commit. */
  files: Readonly<Record<string, string>>
  settings?: Partial<RepoSettings>
}

export interface NewIssue {
  title: string
  body?: string
  labels?: string[]
  /** Which token's account opens it (default `admin`). */
  author?: TokenKind
}

/** A running forge. */
export class GitHubEmulator {
  private constructor(
    private readonly server: Server,
    private readonly root: string,
    private readonly core: ForgeCore,
    private readonly pipeline: RequestPipeline,
    private readonly extraHandlers: ExtraRequestHandler[],
    /** Fault rules: `add`, `clear`, `list`, `reseed`. */
    readonly faults: FaultInjector,
    readonly tokens: SandboxTokens
  ) {}

  /** Starts a forge on 127.0.0.1 with a fresh temporary directory and fresh tokens. */
  static async start(options: EmulatorOptions = {}): Promise<GitHubEmulator> {
    const root = await mkdtemp(join(tmpdir(), 'sandbox-forge-'))
    const owner = options.owner ?? 'octo-org'
    const users = defaultUsers(owner)
    const tokens = generateTokens()
    const service =
      options.artifactService === false
        ? null
        : createArtifactService({
            publicUrl: () => core.baseUrl,
            storageDir: join(root, 'artifacts')
          })
    const core: ForgeCore = {
      state: new ForgeState(users),
      tokens: new TokenBook(tokens, users),
      baseUrl: '',
      reposRoot: join(root, 'repos'),
      hooksDir: await installWorkflowGuard(root),
      artifacts: options.artifacts ?? (service ? runArtifactSource(service) : null),
      artifactService: service,
      mergeabilityDelayMs: options.mergeabilityDelayMs ?? 0
    }
    const faults = new FaultInjector(options.faultSeed ?? 1)
    const extraHandlers = [...(options.extraHandlers ?? []), ...(service ? [service.handle] : [])]
    const pipeline = new RequestPipeline({
      core,
      faults,
      extraHandlers,
      rateLimits: { ...DEFAULT_RATE_LIMITS, ...options.rateLimits },
      afterPush: (repo, before, pusher) => GitHubEmulator.recordPush(core, repo, before, pusher)
    })
    const server = createServer(pipeline.listener)
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    core.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    return new GitHubEmulator(server, root, core, pipeline, extraHandlers, faults, tokens)
  }

  private static async recordPush(
    core: ForgeCore,
    repo: RepoState,
    before: Map<string, string>,
    pusher: string
  ) {
    const after = await listBranches(repo.gitDir)
    for (const branch of new Set([...before.keys(), ...after.keys()])) {
      const [old, now] = [before.get(branch), after.get(branch)]
      if (old === now) continue
      const ref = `refs/heads/${branch}`
      core.state.recordEvent(repo, 'push', null, pusher, {
        ref,
        before: old ?? null,
        after: now ?? null
      })
      if (old === undefined) core.state.recordEvent(repo, 'create', null, pusher, { ref })
      if (now === undefined) core.state.recordEvent(repo, 'delete', null, pusher, { ref })
    }
    repo.pushedAt = timestamp()
    await syncPulls(core, repo, pusher)
  }

  /** Base URL for Octokit (`baseUrl`) and `GITHUB_API_URL`. */
  get apiUrl(): string {
    return this.core.baseUrl
  }

  /** Git remotes are `${gitUrl}/${owner}/${repo}.git`. */
  get gitUrl(): string {
    return this.core.baseUrl
  }

  get owner(): string {
    return this.core.state.users.find(user => user.tokenKind === null)!.login
  }

  get users(): readonly SandboxUser[] {
    return this.core.state.users
  }

  /** The account a token kind acts as. */
  userFor(kind: TokenKind): SandboxUser {
    return this.core.state.users.find(user => user.tokenKind === kind)!
  }

  cloneUrl(repo: string): string {
    return `${this.gitUrl}/${this.owner}/${repo}.git`
  }

  /**
   * The artifact service the forge serves (null when started with `artifactService: false`), for
   * reading back what jobs uploaded.
   */
  get artifactService(): ArtifactService | null {
    return this.core.artifactService
  }

  /** Plugs a handler (and optionally the artifact source) in after start. */
  mount(handler: ExtraRequestHandler | null, artifacts?: RunArtifactSource): void {
    if (handler) this.extraHandlers.push(handler)
    if (artifacts) this.core.artifacts = artifacts
  }

  private repoState(name: string): RepoState {
    const repo = this.core.state.repo(this.owner, name)
    if (!repo)
      throw new Error(
        `Sandbox forge: no repository ${this.owner}/${name}; create it with createRepo first.`
      )
    return repo
  }

  /** Creates a bare repository whose default branch holds one commit of `files`. */
  async createRepo(spec: NewRepo): Promise<void> {
    const settings: RepoSettings = {
      private: true,
      defaultBranch: 'main',
      deleteBranchOnMerge: false,
      requiredStatusChecks: [],
      ...spec.settings
    }
    const gitDir = join(this.core.reposRoot, this.owner, `${spec.name}.git`)
    const admin = this.userFor('admin')
    await createBareRepo(gitDir, spec.files, {
      branch: settings.defaultBranch,
      author: { name: admin.login, email: admin.email },
      message: 'Initial commit'
    })
    this.core.state.addRepo(
      new RepoState(this.core.state.nextId(), this.owner, spec.name, gitDir, settings)
    )
  }

  /** Changes repository settings (visibility, branch deletion on merge, required checks). */
  configureRepo(name: string, settings: Partial<RepoSettings>): void {
    Object.assign(this.repoState(name).settings, settings)
  }

  /** Adds a repository label; for seeding. */
  createLabel(repo: string, label: { name: string; color?: string; description?: string }): void {
    const state = this.repoState(repo)
    const record: LabelRecord = {
      id: this.core.state.nextId(),
      name: label.name,
      color: label.color ?? 'ededed',
      description: label.description ?? null
    }
    state.labels.set(label.name.toLowerCase(), record)
  }

  /** Opens an issue directly (recorded as opened by the given account); returns its number. */
  createIssue(repo: string, issue: NewIssue): number {
    const state = this.repoState(repo)
    const author = this.userFor(issue.author ?? 'admin').login
    const record = createIssueRecord(this.core, state, {
      title: issue.title,
      body: issue.body ?? null,
      author
    })
    this.core.state.recordEvent(state, 'issues', 'opened', author, { number: record.number })
    addLabels(this.core, state, record, issue.labels ?? [], author)
    return record.number
  }

  /** Records a workflow run (e.g. the run a local phase executes as); returns its id. */
  createWorkflowRun(repo: string, run: NewWorkflowRun): number {
    return createWorkflowRun(this.core, this.repoState(repo), run).id
  }

  /**
   * The environment a new job of a run gets for `@actions/artifact`: `GITHUB_API_URL`,
   * `GITHUB_REPOSITORY`, `GITHUB_RUN_ID`, `ACTIONS_RUNTIME_TOKEN` and `ACTIONS_RESULTS_URL`; with
   * `job`, also the job's own `GITHUB_TOKEN`, holding exactly `job.permissions` (and
   * `metadata: read`) on this repository. Each call is another job of the run.
   */
  jobEnvironment(repo: string, runId: number): JobEnvironment
  jobEnvironment(repo: string, runId: number, job: JobOptions): ScopedJobEnvironment
  jobEnvironment(repo: string, runId: number, job?: JobOptions): JobEnvironment {
    const state = this.repoState(repo)
    return job
      ? jobEnvironment(this.core, state, runId, job)
      : jobEnvironment(this.core, state, runId)
  }

  /**
   * Mints a GitHub App installation token for `repo`, acting as `<slug>[bot]` (the App's bot
   * is created on first use) and holding exactly `options.permissions`.
   */
  createInstallationToken(repo: string, options: InstallationTokenOptions): InstallationToken {
    return createInstallationToken(this.core, this.repoState(repo), options)
  }

  /**
   * Revokes a job or installation token, as GitHub does when a job ends: it then gets 401
   * `Bad credentials`. Throws for a token the forge did not mint for a job or an App.
   */
  revokeToken(token: string): void {
    if (!this.core.tokens.revoke(token))
      throw new Error(
        'Sandbox forge: revokeToken takes a token from jobEnvironment or createInstallationToken; this one is neither.'
      )
  }

  /** The distinct scopes the token with this id (`RequestLogEntry.tokenId`) has used so far. */
  scopesUsed(tokenId: string): ScopeUse[] {
    return scopesUsed(this.pipeline.requests, tokenId)
  }

  /**
   * Calls `listener` synchronously with every event from now on, as it is recorded; returns
   * the unsubscribe.
   */
  onEvent(listener: EventListener): () => void {
    return this.core.state.onEvent(listener)
  }

  /**
   * Starts the check run GitHub Actions creates for a job on its run's head commit (in progress,
   * by `github-actions[bot]`); returns its id.
   */
  startCheckRun(
    repo: string,
    check: { name: string; headSha: string; detailsUrl: string }
  ): number {
    const state = this.repoState(repo)
    const creator = this.userFor('actions').login
    const run: CheckRunRecord = {
      id: this.core.state.nextId(),
      headSha: check.headSha,
      name: check.name,
      status: 'in_progress',
      conclusion: null,
      startedAt: timestamp(),
      completedAt: null,
      detailsUrl: check.detailsUrl,
      externalId: null,
      output: { title: null, summary: null, text: null },
      creator
    }
    state.checkRuns.set(run.id, run)
    this.core.state.recordEvent(state, 'check_run', 'created', creator, {
      id: run.id,
      name: run.name,
      sha: run.headSha
    })
    return run.id
  }

  /** Completes a check run started with {@link startCheckRun}. */
  completeCheckRun(repo: string, id: number, conclusion: CheckConclusion): void {
    const state = this.repoState(repo)
    const run = state.checkRuns.get(id)
    if (!run) throw new Error(`Sandbox forge: no check run ${id} in ${this.owner}/${repo}.`)
    Object.assign(run, { status: 'completed', conclusion, completedAt: timestamp() })
    this.core.state.recordEvent(state, 'check_run', 'completed', run.creator, {
      id,
      name: run.name,
      sha: run.headSha
    })
  }

  /** A workflow run's record, or undefined when the repository has no run with that id. */
  workflowRun(repo: string, runId: number): Readonly<WorkflowRunRecord> | undefined {
    return this.repoState(repo).workflowRuns.get(runId)
  }

  /** Moves a workflow run along (`in_progress`, then `completed` with a conclusion). */
  updateWorkflowRun(
    repo: string,
    runId: number,
    change: { status: WorkflowRunRecord['status']; conclusion?: string | null }
  ) {
    const run = this.repoState(repo).workflowRuns.get(runId)
    if (!run) throw new Error(`Sandbox forge: no workflow run ${runId} in ${this.owner}/${repo}.`)
    updateWorkflowRun(run, change)
  }

  /** Adds a fault rule (shorthand for `faults.add`). */
  injectFault(rule: FaultRule): void {
    this.faults.add(rule)
  }

  /** A copy of the request log, oldest first. */
  requests(): RequestLogEntry[] {
    return this.pipeline.requests.map(entry => ({ ...entry }))
  }

  clearRequests(): void {
    this.pipeline.requests.splice(0)
  }

  /** The event log, optionally of one repository (`name` without owner). */
  events(repo?: string): ForgeEvent[] {
    const full = repo === undefined ? null : `${this.owner}/${repo}`
    return this.core.state.events.filter(event => full === null || event.repository === full)
  }

  /** The webhook payload GitHub delivers for `event` (as `github.event` reads it), from the records now. */
  webhookPayload(repo: string, event: ForgeEvent): Record<string, unknown> {
    return webhookPayload(this.core, this.repoState(repo), event)
  }

  /** The repository's default branch. */
  defaultBranch(repo: string): string {
    return this.repoState(repo).settings.defaultBranch
  }

  /** The commit a revision (branch, tag, full ref or SHA) names, or null. */
  resolveCommit(repo: string, revision: string): Promise<string | null> {
    return resolveCommit(this.repoState(repo).gitDir, revision)
  }

  /** A file's content at a commit, or null when it does not exist there. */
  readFile(repo: string, commit: string, path: string): Promise<string | null> {
    return showFile(this.repoState(repo).gitDir, commit, path)
  }

  /** The names of the files in a directory at a commit (none when it does not exist). */
  async listDirectory(repo: string, commit: string, dir: string): Promise<string[]> {
    const listing = await gitOk(this.repoState(repo).gitDir, [
      'ls-tree',
      '--name-only',
      `${commit}:${dir}`
    ]).catch(() => '')
    return listing.split('\n').filter(Boolean)
  }

  /** Stops serving and removes the temporary directory. */
  async close(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>(resolve => this.server.close(() => resolve()))
    await rm(this.root, { recursive: true, force: true })
  }
}

/** Starts a forge; see {@link GitHubEmulator.start}. */
export function startEmulator(options: EmulatorOptions = {}): Promise<GitHubEmulator> {
  return GitHubEmulator.start(options)
}
