/**
 * One benchmark's world: the sandbox forge with a small repository, the scripted model with the
 * benchmark playbook, an isolated `CODEX_HOME`, and the four action bundles run as the runner runs
 * them (each job in a workflow run of the forge, in a fresh checkout), with a CI stand-in that
 * reports success on every new pull request head.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { getOctokit } from '@actions/github'
import type { Ledger, WaveGroup } from '../src/contracts/index.js'
import { findLedger } from '../src/ledger/index.js'
import {
  DISPATCH_WORKFLOW,
  MERGE_WORKFLOW,
  REVIEW_WORKFLOW,
  CORRECT_WORKFLOW
} from '../src/phases/shared/workflow-names.js'
import { createCodexHome, type CodexHome } from '../harness/codex-model/codex-home.js'
import {
  startEmulator,
  type GitHubEmulator,
  type RequestLogEntry
} from '../harness/github-emulator/index.js'
import { startScriptedModel, type ScriptedModel } from '../harness/codex-model/scripted-model.js'
import { runAction, type ActionRunResult } from '../harness/actions-engine/action-runner.js'
import { actionBundle, actionMetadata } from '../test/harness/bundles.js'
import { checkoutWithoutCredentials, tempDir } from '../test/github-emulator/helpers.js'
import { BenchPlaybook, type PlaybookOptions } from './playbook.js'

/** The login of the forge's actions token: the pipeline's identity. */
export const PIPELINE_LOGIN = 'github-actions[bot]'

/** The codex binary installed with the project (what a runner with codex on it has). */
export const CODEX_BIN = fileURLToPath(new URL('../node_modules/.bin/codex', import.meta.url))

const JOB_TIMEOUT_MS = 600_000

type ActionName = 'dispatch' | 'review' | 'correct' | 'merge'

const WORKFLOW_OF: Record<ActionName, string> = {
  dispatch: DISPATCH_WORKFLOW,
  review: REVIEW_WORKFLOW,
  correct: CORRECT_WORKFLOW,
  merge: MERGE_WORKFLOW
}

const REVIEW_WORKFLOW_TEXT = `name: codex-waves review
on:
  workflow_dispatch:
    inputs:
      pr:
        required: true
jobs:
  review:
    runs-on: ubuntu-latest
    steps:
      - run: echo review
`

/** Milliseconds since the epoch, with the sub-millisecond part of the monotonic clock. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now()
}

/** One job: the bundle's result and when it started and ended ({@link epochMs}). */
export interface Job {
  action: ActionName
  runId: number
  result: ActionRunResult
  /** When the job started: before its checkout. */
  startedAt: number
  /** When the runner harness was asked to start the bundle's process (after the checkout). */
  launchedAt: number
  /** The forge's request log length at {@link launchedAt}. */
  logIndexAtLaunch: number
  endedAt: number
}

/** A forge request, as the benchmarks classify it. */
export type RequestKind = 'rest' | 'git' | 'artifact-service'

/** REST (the GitHub API), git over HTTP, or the artifact service `@actions/artifact` talks to. */
export function requestKind(entry: RequestLogEntry): RequestKind {
  if (entry.route.startsWith('/{owner}/{repo}.git/')) return 'git'
  if (entry.route.startsWith('/repos/') || entry.route.startsWith('/user')) return 'rest'
  return 'artifact-service'
}

/** The forge, the scripted model and `CODEX_HOME` of one benchmark, and its jobs. */
export class BenchWorld {
  private checkouts = 0
  private robot: NodeJS.Timeout | null = null
  private robotBusy: Promise<void> | null = null
  private readonly reported = new Set<string>()

  private constructor(
    readonly forge: GitHubEmulator,
    readonly repo: string,
    readonly model: ScriptedModel,
    readonly playbook: BenchPlaybook,
    readonly home: CodexHome,
    private readonly scratch: { path: string; remove: () => Promise<void> }
  ) {}

  /** Starts a forge with a repository `bench` (a README, a source file, the review workflow). */
  static async start(playbook: PlaybookOptions): Promise<BenchWorld> {
    const forge = await startEmulator()
    const repo = 'bench'
    await forge.createRepo({
      name: repo,
      files: {
        'README.md': '# bench\n\nA repository the benchmarks run waves on.\n',
        'src/index.js': 'export const name = "bench"\n',
        [`.github/workflows/${REVIEW_WORKFLOW}`]: REVIEW_WORKFLOW_TEXT
      }
    })
    forge.createLabel(repo, { name: 'codex-waves' })
    forge.createLabel(repo, { name: 'enhancement' })
    const play = new BenchPlaybook(playbook)
    const model = await startScriptedModel([], { answer: play.answer })
    const home = await createCodexHome({ modelUrl: model.url })
    const scratch = await tempDir('codex-waves-bench-')
    return new BenchWorld(forge, repo, model, play, home, scratch)
  }

  /** An admin client (its requests are not the pipeline's). */
  admin() {
    return getOctokit(this.forge.tokens.admin, { baseUrl: this.forge.apiUrl })
  }

  /** Opens `count` independent issues, each asking for a new file of its own. */
  createIssues(count: number): number[] {
    return Array.from({ length: count }, (_, index) => {
      const title = `Add feature module ${index + 1}`
      const number = this.forge.createIssue(this.repo, {
        title,
        labels: ['enhancement'],
        body: 'Add a new module that exports one constant named after this issue.'
      })
      return number
    })
  }

  /** The default branch's head commit. */
  async mainSha(): Promise<string> {
    const { data } = await this.admin().rest.git.getRef({
      owner: this.forge.owner,
      repo: this.repo,
      ref: 'heads/main'
    })
    return data.object.sha
  }

  /** A new workflow run of the action's workflow. */
  async newRun(action: ActionName): Promise<number> {
    return this.forge.createWorkflowRun(this.repo, {
      workflow: WORKFLOW_OF[action],
      event: 'workflow_dispatch',
      headBranch: 'main',
      headSha: await this.mainSha(),
      actor: PIPELINE_LOGIN,
      status: 'in_progress'
    })
  }

  /** A fresh clone of the default branch without credentials, as actions/checkout leaves it. */
  async checkout(): Promise<string> {
    this.checkouts += 1
    const work = join(this.scratch.path, `workspace-${this.checkouts}`)
    await checkoutWithoutCredentials(
      this.forge.cloneUrl(this.repo),
      this.forge.tokens.actions,
      work
    )
    return work
  }

  /**
   * Runs a bundle as one job of run `runId` (a new run of its workflow when absent), in a fresh
   * checkout; the job's time includes the checkout, as a real job's does.
   */
  async job(
    action: ActionName,
    inputs: Readonly<Record<string, string>>,
    runId?: number,
    options: { allowFailure?: boolean; entry?: string } = {}
  ): Promise<Job> {
    const startedAt = epochMs()
    const run = runId ?? (await this.newRun(action))
    const workspace = await this.checkout()
    const { GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID, ...artifactEnv } =
      this.forge.jobEnvironment(this.repo, run)
    const logIndexAtLaunch = this.forge.requests().length
    const launchedAt = epochMs()
    const result = await runAction({
      entry: options.entry ?? actionBundle(action),
      ...(options.entry === undefined ? { actionYml: actionMetadata(action) } : {}),
      inputs: { 'codex-path': CODEX_BIN, 'pipeline-login': PIPELINE_LOGIN, ...inputs },
      apiUrl: GITHUB_API_URL,
      repository: GITHUB_REPOSITORY,
      runId: Number(GITHUB_RUN_ID),
      // any other host makes @actions/artifact take the server for GitHub Enterprise Server
      serverUrl: 'https://github.com',
      token: this.forge.tokens.actions,
      workspace,
      env: { ...artifactEnv, ...this.home.env },
      timeoutMs: JOB_TIMEOUT_MS
    })
    const job = {
      action,
      runId: run,
      result,
      startedAt,
      launchedAt,
      logIndexAtLaunch,
      endedAt: epochMs()
    }
    if (result.exitCode !== 0 && options.allowFailure !== true) throw new Error(jobFailure(job))
    return job
  }

  /** `dispatch` step plan for `issues`; returns the plan and its groups. */
  async plan(issues: readonly number[]): Promise<{ job: Job; plan: string; groups: WaveGroup[] }> {
    const job = await this.job('dispatch', { step: 'plan', issues: issues.join(',') })
    const matrix = job.result.outputs.matrix ?? ''
    if (matrix === '') {
      throw new Error(
        `The plan of ${issues.length} issues halted or is empty:\n${job.result.summary}`
      )
    }
    const groups = (JSON.parse(matrix) as { include: WaveGroup[] }).include
    return { job, plan: job.result.outputs.plan ?? '', groups }
  }

  /** `dispatch` step implement for one group, in the plan's workflow run. */
  implement(group: WaveGroup, plan: string, runId: number): Promise<Job> {
    return this.job('dispatch', { step: 'implement', group: JSON.stringify(group), plan }, runId)
  }

  /** `review` for one PR, in a new workflow run. */
  review(pr: number): Promise<Job> {
    return this.job('review', { pr: String(pr) })
  }

  /** `correct` for one PR, in a new workflow run. */
  correct(pr: number): Promise<Job> {
    return this.job('correct', { pr: String(pr) })
  }

  /** `merge` over every open PR with the pipeline's label. */
  merge(): Promise<Job> {
    return this.job('merge', {})
  }

  /** The pipeline's ledger on a PR. */
  async ledger(pr: number): Promise<Ledger> {
    const comments = await this.admin().paginate(this.admin().rest.issues.listComments, {
      owner: this.forge.owner,
      repo: this.repo,
      issue_number: pr,
      per_page: 100
    })
    const { ledger } = findLedger(
      comments.map(comment => ({
        id: comment.id,
        body: comment.body ?? '',
        user: { login: comment.user?.login ?? '' }
      })) as Parameters<typeof findLedger>[0],
      PIPELINE_LOGIN
    )
    if (ledger === null) throw new Error(`PR #${pr} has no ledger comment by ${PIPELINE_LOGIN}.`)
    return ledger
  }

  /** The requests the pipeline's token made since index `from` of the forge's log. */
  pipelineRequests(from = 0): RequestLogEntry[] {
    return this.forge
      .requests()
      .slice(from)
      .filter(entry => entry.tokenKind === 'actions' || requestKind(entry) === 'artifact-service')
  }

  /**
   * Starts the CI stand-in: a `ci/test` success status on every new head of an open PR, within
   * about 150 ms, made with the admin token so it is not counted as the pipeline's.
   */
  startCiRobot(): void {
    this.robot = setInterval(() => {
      if (this.robotBusy !== null) return
      this.robotBusy = this.reportCi()
        .catch(() => undefined)
        .finally(() => {
          this.robotBusy = null
        })
    }, 150)
  }

  /** Stops the CI stand-in after its current round. */
  async stopCiRobot(): Promise<void> {
    if (this.robot !== null) clearInterval(this.robot)
    this.robot = null
    await this.robotBusy
  }

  private async reportCi(): Promise<void> {
    const api = this.admin()
    const where = { owner: this.forge.owner, repo: this.repo }
    const { data } = await api.rest.pulls.list({ ...where, state: 'open', per_page: 100 })
    for (const pull of data) {
      if (this.reported.has(pull.head.sha)) continue
      await api.rest.repos.createCommitStatus({
        ...where,
        sha: pull.head.sha,
        context: 'ci/test',
        state: 'success',
        description: 'passed'
      })
      this.reported.add(pull.head.sha)
    }
  }

  /** Writes a file into the scratch directory; returns its path. */
  async scratchFile(name: string, text: string): Promise<string> {
    const path = join(this.scratch.path, name)
    await mkdir(dirname(path), { recursive: true })
    await writeFile(path, text)
    return path
  }

  /** The world's temporary directory, removed on close. */
  get scratchDir(): string {
    return this.scratch.path
  }

  async close(): Promise<void> {
    await this.stopCiRobot()
    await this.model.close()
    await this.forge.close()
    await this.home.remove()
    await this.scratch.remove()
  }
}

function jobFailure(job: Job): string {
  const errors = job.result.annotations
    .filter(annotation => annotation.level === 'error')
    .map(annotation => annotation.message)
  return [
    `The ${job.action} job (run ${job.runId}) exited ${job.result.exitCode ?? job.result.signal}${job.result.timedOut ? ' (timed out)' : ''}.`,
    ...errors,
    job.result.stderr.slice(-2000)
  ].join('\n')
}
