/**
 * A whole wave on the command line, composed of the same phases the actions run: plan (with its
 * confirmation gate), then for every group whose predecessors have merged — concurrently, within
 * the concurrency bound — implement, review and correction cycles until approved, escalated or
 * failed; then merge the approved pull requests (reviewing or correcting again what the merge
 * sends back), and repeat for the groups that were waiting on those merges. Pull requests an
 * earlier, interrupted run left open are picked up where their ledgers say they stand.
 */
import type { Ledger, WaveGroup, WavePlan } from '../contracts/index.js'
import { findLedger, isApprovedFor, latestReviewOf } from '../ledger/index.js'
import { correctPullRequest } from '../phases/correct/correct.js'
import { finishInterruptedDispatch, implementGroup } from '../phases/implement/implement.js'
import { MergeGit } from '../phases/merge/git.js'
import { runMerge, type MergeOutcome } from '../phases/merge/merge.js'
import { runPlanPhase, type PlanResult } from '../phases/plan/plan.js'
import { reviewPullRequest } from '../phases/review/review.js'
import { inFlightPull } from '../plan/in-flight.js'
import type { Codex, CodexRunRequest, Forge, ForgePull } from '../ports.js'
import type { BlockedPull, MergedPull } from '../report/merge-summary.js'
import {
  buildWaveReport,
  type WaveIssue,
  type WavePull,
  type WaveReport
} from '../report/wave-report.js'
import { LOCAL_REMOTE, type LocalRuns, type Target, type WorkTrees } from './local-context.js'
import { LogUi, type LogSink } from './log-ui.js'
import { usageTokens, type Progress } from './progress.js'

/** Everything a wave runs with. */
export interface WaveEnvironment {
  target: Pick<Target, 'repo' | 'auth' | 'pipelineLogin' | 'local'>
  /** The forge the phases use (with local CI when the target has none). */
  forge: Forge
  runs: LocalRuns
  workTrees: WorkTrees
  codex: Codex
  base: string
  model: string | null
  concurrency: number
  progress: Progress
  sink: LogSink
}

/** What the wave was asked to do. */
export interface WaveRequest {
  issues: readonly number[]
  confirm: string | null
}

/** How one group or pull request of the wave ended. */
export interface WaveItemOutcome {
  key: string
  group: string | null
  issues: number[]
  pr: number | null
  outcome: 'merged' | 'approved' | 'escalated' | 'failed' | 'no-changes' | 'skipped' | 'blocked'
  reason: string | null
}

/** How the wave ended. */
export type WaveResult =
  | { kind: 'refused'; message: string; plan: WavePlan; summary: string }
  | { kind: 'halted'; plan: WavePlan; summary: string }
  | {
      kind: 'finished'
      plan: WavePlan
      planSummary: string
      items: WaveItemOutcome[]
      merges: MergeOutcome[]
      report: WaveReport
    }

type PullState = 'approved' | 'escalated' | 'failed' | 'blocked' | 'merged'

/** Where a pull request's loop starts. */
type PullStart = 'review' | 'correct'

const LOCAL_MERGE_TIMING = { pollDelaysMs: [250, 500, 1000, 2000], settleMs: 30_000 }

/** Runs `task` for every element with at most `limit` at once; results in input order. */
export async function mapConcurrently<T, R>(
  elements: readonly T[],
  limit: number,
  task: (element: T) => Promise<R>
): Promise<R[]> {
  const results: R[] = new Array(elements.length)
  let next = 0
  const worker = async () => {
    for (let index = next++; index < elements.length; index = next++) {
      results[index] = await task(elements[index] as T)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, elements.length) }, worker))
  return results
}

/** The plan step of a wave: plan the issues on a fresh checkout of the base. */
export async function planStep(env: WaveEnvironment, request: WaveRequest): Promise<PlanResult> {
  const ui = new LogUi(env.sink, 'plan')
  const context = await env.runs.context(ui)
  const git = await env.workTrees.prepare('base')
  return runPlanPhase(context, git, {
    issues: request.issues,
    event: null,
    confirm: request.confirm,
    base: env.base,
    branches: { remote: LOCAL_REMOTE, auth: env.target.auth }
  })
}

/** Runs the whole wave. */
export async function runWave(env: WaveEnvironment, request: WaveRequest): Promise<WaveResult> {
  const planned = await planStep(env, request)
  if (planned.outcome === 'nothing') throw new Error(planned.summary)
  if (planned.outcome === 'refused') {
    return {
      kind: 'refused',
      message: planned.message,
      plan: planned.plan,
      summary: planned.summary
    }
  }
  if (planned.halted) return { kind: 'halted', plan: planned.plan, summary: planned.summary }
  const wave = new Wave(env, planned.plan, JSON.parse(planned.matrix || '{"include":[]}'))
  await wave.run(request.issues)
  return {
    kind: 'finished',
    plan: planned.plan,
    planSummary: planned.summary,
    items: wave.outcomes(),
    merges: wave.merges,
    report: await wave.report(request.issues)
  }
}

/** The state of one running wave. */
class Wave {
  readonly merges: MergeOutcome[] = []
  private readonly items = new Map<string, WaveItemOutcome>()
  private readonly groupState = new Map<
    string,
    WaveItemOutcome['outcome'] | 'pending' | 'running'
  >()
  private readonly merged = new Map<number, MergedPull>()

  constructor(
    private readonly env: WaveEnvironment,
    private readonly plan: WavePlan,
    private readonly matrix: { include: WaveGroup[] }
  ) {}

  async run(requested: readonly number[]): Promise<void> {
    const { progress } = this.env
    for (const group of this.matrix.include) {
      this.groupState.set(group.id, 'pending')
      progress.add(group.id, `${group.id} ${refs(group.issues)}`)
    }
    const resumed = await this.findResumable(requested)
    let first = true
    for (;;) {
      this.blockStranded()
      const ready = this.matrix.include.filter(group => this.isReady(group))
      const pulls = first ? resumed : []
      first = false
      if (ready.length === 0 && pulls.length === 0) break
      type Work = { kind: 'group'; group: WaveGroup } | { kind: 'pull'; pr: number; key: string }
      const work: Work[] = [
        ...pulls.map(pull => ({ kind: 'pull' as const, ...pull })),
        ...ready.map(group => ({ kind: 'group' as const, group }))
      ]
      for (const group of ready) this.groupState.set(group.id, 'running')
      const approved = await mapConcurrently(work, this.env.concurrency, async item =>
        item.kind === 'group' ? this.driveGroup(item.group) : this.driveResumed(item.pr, item.key)
      )
      const toMerge = approved.filter((pr): pr is number => pr !== null)
      if (toMerge.length > 0) await this.mergeLoop(toMerge)
    }
    for (const group of this.matrix.include) {
      if (this.groupState.get(group.id) !== 'pending') continue
      this.blockGroup(group, 'its predecessors in the plan did not all merge in this run')
    }
  }

  /**
   * Open pipeline PRs for the requested issues that an earlier run left behind. A PR whose run
   * stopped before writing its ledger gets that ledger from the run's dispatch record.
   */
  private async findResumable(
    requested: readonly number[]
  ): Promise<Array<{ pr: number; key: string }>> {
    const inFlight = new Set(
      this.plan.skips.filter(skip => skip.reason === 'in-flight').map(skip => skip.issue)
    )
    if (inFlight.size === 0) return []
    const { forge, runs, target } = this.env
    const wanted = (issues: readonly number[]) =>
      issues.some(issue => inFlight.has(issue) && requested.includes(issue))
    const pulls = await forge.listOpenPulls({ label: runs.config.labels.pullRequest })
    const found: Array<{ pr: number; key: string }> = []
    for (const pull of pulls) {
      // The issues the plan saw the PR closing: no other PR is read further.
      const { closes } = inFlightPull(pull, [], `${target.repo.owner}/${target.repo.repo}`)
      if (!wanted(closes)) continue
      const key = `PR #${pull.number}`
      const ledger =
        findLedger(await forge.listComments(pull.number), target.pipelineLogin).ledger ??
        (await this.finishInterrupted(key, pull))
      if (ledger === null) {
        this.reportUnledgered(key, pull, closes)
        continue
      }
      if (!wanted(ledger.issues)) continue
      this.env.progress.add(key, `${key} ${refs(ledger.issues)}`)
      this.items.set(key, {
        key,
        group: ledger.group,
        issues: [...ledger.issues],
        pr: pull.number,
        outcome: 'approved',
        reason: null
      })
      found.push({ pr: pull.number, key })
    }
    return found
  }

  /** Writes the ledger an interrupted local run left unwritten; null when no run here left one. */
  private async finishInterrupted(key: string, pull: ForgePull): Promise<Ledger | null> {
    const found = await this.env.runs.dispatchRecordFor(pull.number)
    if (found === null || found.record.branch !== pull.headRef) return null
    const context = await this.env.runs.context(new LogUi(this.env.sink, key))
    return finishInterruptedDispatch(context, found.record, found.run)
  }

  private reportUnledgered(key: string, pull: ForgePull, issues: number[]): void {
    const reason = `PR #${pull.number} carries the pipeline's label but has no ledger, and no run in this state directory opened it, so the wave cannot tell what it holds. If the pipeline opened it, close it and delete its branch '${pull.headRef}'; the next run plans ${refs(issues)} afresh.`
    this.env.progress.add(key, `${key} ${refs(issues)}`)
    this.env.progress.set(key, 'blocked', reason)
    this.items.set(key, { key, group: null, issues, pr: pull.number, outcome: 'blocked', reason })
  }

  private isReady(group: WaveGroup): boolean {
    if (this.groupState.get(group.id) !== 'pending') return false
    return this.plan.sequence
      .filter(edge => edge.after === group.id)
      .every(
        edge => this.groupState.get(edge.before) === 'merged' || !this.groupState.has(edge.before)
      )
  }

  /** Groups whose predecessor ended without merging cannot start: they are reported as blocked. */
  private blockStranded(): void {
    for (const group of this.matrix.include) {
      if (this.groupState.get(group.id) !== 'pending') continue
      const stuck = this.plan.sequence.find(edge => {
        const before = this.groupState.get(edge.before)
        return (
          edge.after === group.id &&
          before !== undefined &&
          !['pending', 'running', 'merged'].includes(before)
        )
      })
      if (stuck === undefined) continue
      this.blockGroup(group, `waits for ${stuck.before}, which did not merge (${stuck.reason})`)
    }
  }

  private blockGroup(group: WaveGroup, reason: string): void {
    this.record(group.id, {
      group: group.id,
      issues: group.issues,
      pr: null,
      outcome: 'blocked',
      reason
    })
    this.env.progress.set(group.id, 'blocked', reason)
  }

  private record(key: string, outcome: Omit<WaveItemOutcome, 'key'>): void {
    this.items.set(key, { key, ...outcome })
    if (outcome.group !== null && this.groupState.has(outcome.group)) {
      this.groupState.set(outcome.group, outcome.outcome)
    }
  }

  /** Implement, then review and correct until approved; returns the PR to merge, or null. */
  private async driveGroup(group: WaveGroup): Promise<number | null> {
    const { progress } = this.env
    const base = { group: group.id, issues: [...group.issues] }
    progress.set(group.id, 'implementing')
    const ui = new LogUi(this.env.sink, group.id)
    try {
      const context = await this.env.runs.context(ui)
      const git = await this.env.workTrees.prepare(`group-${group.id}`)
      const result = await implementGroup(
        {
          group,
          plan: this.plan,
          base: this.env.base,
          timeoutMinutes: null,
          model: this.env.model
        },
        {
          context,
          git,
          codex: this.countingCodex(group.id),
          workDir: git.dir,
          remote: LOCAL_REMOTE,
          auth: this.env.target.auth
        }
      )
      if (result.status === 'failed' || result.status === 'skipped') {
        this.record(group.id, {
          ...base,
          pr: result.pr?.number ?? null,
          outcome: result.status,
          reason: result.message
        })
        progress.set(group.id, 'failed', oneLine(result.message ?? result.status))
        return null
      }
      if (result.pr === null) {
        const reason = 'codex changed nothing; its explanation is commented on the issue'
        this.record(group.id, { ...base, pr: null, outcome: 'no-changes', reason })
        progress.set(group.id, 'no changes', reason)
        return null
      }
      return await this.finishPull(group.id, base, result.pr.number, 'review')
    } catch (error) {
      return this.crashed(group.id, base, null, error)
    }
  }

  private async driveResumed(pr: number, key: string): Promise<number | null> {
    const item = this.items.get(key) as WaveItemOutcome
    const base = { group: item.group, issues: item.issues }
    try {
      const start = await this.startOf(pr)
      if (start === 'merged' || start === 'escalated' || start === 'blocked') {
        this.record(key, { ...base, pr, outcome: start, reason: 'as an earlier run left it' })
        this.env.progress.set(key, start)
        return null
      }
      if (start === 'approved') {
        this.env.progress.set(key, 'approved', `PR #${pr}`)
        this.record(key, { ...base, pr, outcome: 'approved', reason: null })
        return pr
      }
      return await this.finishPull(key, base, pr, start)
    } catch (error) {
      return this.crashed(key, base, pr, error)
    }
  }

  private async finishPull(
    key: string,
    base: Pick<WaveItemOutcome, 'group' | 'issues'>,
    pr: number,
    start: PullStart
  ): Promise<number | null> {
    const state = await this.drivePull(key, pr, start)
    this.record(key, { ...base, pr, outcome: state.state, reason: state.reason })
    if (state.state === 'approved') {
      this.env.progress.set(key, 'approved', `PR #${pr}`)
      return pr
    }
    this.env.progress.set(
      key,
      state.state === 'failed' ? 'failed' : state.state === 'escalated' ? 'escalated' : 'blocked',
      oneLine(state.reason ?? '')
    )
    return null
  }

  private crashed(
    key: string,
    base: Pick<WaveItemOutcome, 'group' | 'issues'>,
    pr: number | null,
    error: unknown
  ): null {
    const reason = error instanceof Error ? error.message : String(error)
    this.record(key, { ...base, pr, outcome: 'failed', reason })
    this.env.progress.set(key, 'failed', oneLine(reason))
    new LogUi(this.env.sink, key).error(reason)
    return null
  }

  /** Where an existing PR's loop starts, from its ledger. */
  private async startOf(pr: number): Promise<PullStart | Exclude<PullState, 'failed'>> {
    const pull = await this.env.forge.getPull(pr)
    if (pull === null || pull.merged) return 'merged'
    const ledger = findLedger(
      await this.env.forge.listComments(pr),
      this.env.target.pipelineLogin
    ).ledger
    if (ledger === null) return 'blocked'
    if (ledger.status === 'escalated') return 'escalated'
    if (isApprovedFor(ledger, pull.headSha)) return 'approved'
    const review = latestReviewOf(ledger, pull.headSha)
    return review !== null && review.verdict === 'changes_requested' ? 'correct' : 'review'
  }

  /** Reviews and corrects until the PR is approved, escalated or stuck. */
  private async drivePull(
    key: string,
    pr: number,
    start: PullStart
  ): Promise<{ state: PullState; reason: string | null }> {
    const { progress, runs } = this.env
    const maxSteps = 2 * (runs.config.review.maxCycles + 2)
    let step: PullStart = start
    for (let count = 0; count < maxSteps; count++) {
      if (step === 'review') {
        progress.set(key, 'reviewing', `PR #${pr}`)
        const review = await this.review(key, pr)
        if (review.next === 'merge') return { state: 'approved', reason: null }
        if (review.next === 'escalate') return { state: 'escalated', reason: review.description }
        step = 'correct'
        continue
      }
      progress.set(key, 'correcting', `PR #${pr}`)
      const correction = await this.correct(key, pr)
      if (correction.status === 'escalated')
        return { state: 'escalated', reason: correction.reason }
      if (correction.status === 'failed') return { state: 'failed', reason: correction.reason }
      if (!correction.nextReview) return { state: 'blocked', reason: correction.reason }
      step = 'review'
    }
    return { state: 'blocked', reason: `no verdict after ${maxSteps} review and correction runs` }
  }

  private async review(key: string, pr: number) {
    return reviewPullRequest(await this.pullJob(key, pr, 'review'), pr)
  }

  private async correct(key: string, pr: number) {
    return correctPullRequest({ ...(await this.pullJob(key, pr, 'correct')), maxCycles: null }, pr)
  }

  /** The ports of a review or correct run on the PR's own work tree. */
  private async pullJob(key: string, pr: number, phase: 'review' | 'correct') {
    const ui = new LogUi(this.env.sink, key)
    const context = await this.env.runs.context(ui)
    const git = await this.env.workTrees.prepare(`pr-${pr}`)
    const { config } = this.env.runs
    return {
      context,
      tree: { git, dir: git.dir, remote: LOCAL_REMOTE, auth: this.env.target.auth },
      codex: this.countingCodex(key),
      codexSettings: {
        model: this.env.model ?? config.codex.model,
        timeoutMs: config.codex.timeoutMinutes[phase] * 60_000
      }
    }
  }

  /** Merges the approved PRs; what the merge sends back to review or correction goes there first. */
  private async mergeLoop(prs: number[]): Promise<void> {
    let queue = prs
    for (let pass = 0; pass < 4 && queue.length > 0; pass++) {
      for (const pr of queue) this.setPullPhase(pr, 'merging')
      const outcome = await this.merge(queue)
      this.merges.push(outcome)
      for (const merged of outcome.merged) {
        this.merged.set(merged.pr, merged)
        this.updatePull(merged.pr, 'merged', null)
      }
      const again = await mapConcurrently(outcome.blocked, this.env.concurrency, async blocked =>
        this.afterBlocked(blocked)
      )
      queue = again.filter((pr): pr is number => pr !== null)
    }
  }

  private async afterBlocked(blocked: BlockedPull): Promise<number | null> {
    const key = this.keyOfPull(blocked.pr)
    if (key === null) return null
    if (blocked.next === 'review' || blocked.next === 'correct' || blocked.next === 'wait') {
      if (blocked.next === 'wait') return blocked.pr
      const state = await this.drivePull(key, blocked.pr, blocked.next).catch((error: Error) => ({
        state: 'failed' as const,
        reason: error.message
      }))
      if (state.state === 'approved') return blocked.pr
      this.updatePull(blocked.pr, state.state, state.reason)
      return null
    }
    this.updatePull(blocked.pr, blocked.next === 'skip' ? 'merged' : 'blocked', blocked.detail)
    return null
  }

  private async merge(prs: number[]): Promise<MergeOutcome> {
    const ui = new LogUi(this.env.sink, 'merge')
    const context = await this.env.runs.context(ui)
    const git = await this.env.workTrees.prepare('merge')
    const { config } = this.env.runs
    return runMerge(
      context,
      { git, remote: LOCAL_REMOTE, auth: this.env.target.auth },
      { prs, method: config.merge.method, deleteBranch: config.merge.deleteBranch },
      this.env.target.local ? LOCAL_MERGE_TIMING : {}
    )
  }

  private keyOfPull(pr: number): string | null {
    for (const item of this.items.values()) if (item.pr === pr) return item.key
    return null
  }

  private setPullPhase(pr: number, phase: 'merging'): void {
    const key = this.keyOfPull(pr)
    if (key !== null) this.env.progress.set(key, phase, `PR #${pr}`)
  }

  private updatePull(pr: number, state: PullState, reason: string | null): void {
    const key = this.keyOfPull(pr)
    if (key === null) return
    const item = this.items.get(key) as WaveItemOutcome
    this.record(key, { ...item, outcome: state, reason })
    this.env.progress.set(
      key,
      state === 'merged'
        ? 'merged'
        : state === 'approved'
          ? 'approved'
          : state === 'failed'
            ? 'failed'
            : state === 'escalated'
              ? 'escalated'
              : 'blocked',
      state === 'merged' ? `PR #${pr}` : oneLine(reason ?? '')
    )
  }

  private countingCodex(key: string): Codex {
    return {
      run: async (request: CodexRunRequest) => {
        const result = await this.env.codex.run(request)
        this.env.progress.addTokens(key, usageTokens(result.usage))
        return result
      }
    }
  }

  outcomes(): WaveItemOutcome[] {
    return [...this.items.values()]
  }

  /** The wave against its success criteria, over every PR this run worked on. */
  async report(requested: readonly number[]): Promise<WaveReport> {
    const { forge, target } = this.env
    const skips = new Map(
      this.plan.skips.filter(skip => skip.issue !== null).map(skip => [skip.issue as number, skip])
    )
    const failures = new Map<number, string>()
    for (const item of this.items.values()) {
      if (item.pr === null && item.outcome !== 'merged') {
        for (const issue of item.issues)
          failures.set(issue, `${item.outcome}: ${item.reason ?? ''}`)
      }
    }
    const titles = new Map(this.plan.issues.map(issue => [issue.number, issue.title]))
    const issues: WaveIssue[] = requested.map(number => {
      const skip = skips.get(number)
      const failure = failures.get(number)
      return {
        number,
        title: titles.get(number) ?? `#${number}`,
        skip:
          skip !== undefined && skip.reason !== 'in-flight'
            ? { reason: skip.reason, detail: skip.detail }
            : failure !== undefined
              ? { reason: 'no pull request', detail: failure }
              : null
      }
    })
    const git = await this.env.workTrees.prepare('merge')
    const mergeGit = new MergeGit(git, LOCAL_REMOTE, target.auth)
    const baseTip = await mergeGit.fetch(this.env.base)
    const pulls: WavePull[] = []
    const itemIssues = new Map<number, number[]>()
    for (const item of this.items.values()) {
      if (item.pr !== null) itemIssues.set(item.pr, item.issues)
    }
    for (const number of [...itemIssues.keys()].sort((a, b) => a - b)) {
      const pull = await forge.getPull(number)
      if (pull === null) continue
      const found = findLedger(await forge.listComments(number), target.pipelineLogin)
      if (!(await git.hasRevision(pull.headSha))) {
        await git.fetch(LOCAL_REMOTE, [pull.headSha], target.auth).catch(() => undefined)
      }
      const change = (await git.hasRevision(pull.headSha))
        ? await mergeGit.change(baseTip, pull.headSha)
        : null
      pulls.push({
        number,
        title: pull.title,
        url: pull.htmlUrl,
        issues: found.ledger?.issues ?? itemIssues.get(number) ?? [],
        state: pull.merged ? 'merged' : pull.state,
        branch: pull.headRef,
        headSha: pull.headSha,
        ledger: found.ledger,
        summaryComment: found.commentId !== null,
        branchDeleted: pull.merged ? !(await mergeGit.branchExists(pull.headRef)) : false,
        commits: change?.commits ?? []
      })
    }
    return buildWaveReport({ issues, pulls })
  }
}

function refs(issues: readonly number[]): string {
  return issues.map(issue => `#${issue}`).join(' ')
}

function oneLine(text: string, max = 100): string {
  const line = text.replace(/\s+/g, ' ').trim()
  return line.length > max ? `${line.slice(0, max - 1)}…` : line
}
