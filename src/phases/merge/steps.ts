/**
 * The merge phase's steps over one run's state: evaluating readiness, waiting for CI within the
 * limit, merging with the SHA guard, cleaning up, updating the remaining branches and deciding what
 * each update means, handing conflicts to the correction phase, and recording every outcome.
 */
import type { CorrectionItem, Ledger, LedgerStatus } from '../../contracts/index.js'
import {
  REVIEW_STATUS_CONTEXT,
  afterUpdate,
  findNumberingCollision,
  mergeCorrectionOrder,
  readiness,
  type AfterUpdateDecision,
  type Readiness
} from '../../decide/index.js'
import {
  LEDGER_MARKER,
  isApprovedFor,
  recordReview,
  recordRun,
  renderLedgerComment,
  setStatus
} from '../../ledger/index.js'
import type { ForgeCiState, ForgePull, Git, GitAuth, MergeResult } from '../../ports.js'
import {
  mergeCorrectionMarker,
  renderMergeCorrectionComment
} from '../../report/merge-correction-comment.js'
import type {
  BlockedNext,
  BlockedPull,
  BranchUpdate,
  MergedPull
} from '../../report/merge-summary.js'
import type { WavePull } from '../../report/wave-report.js'
import { MergeGit, type PullChange } from './git.js'
import type { MergeContext, MergeRequest, MergeTiming } from './merge.js'

/** The git work tree the phase fetches into, its remote, and the token sent as a header. */
export interface MergePorts {
  git: Pick<Git, 'exec' | 'fetch' | 'patchId'>
  remote: string
  auth: GitAuth
}

/** One PR as the run sees it. */
export interface Candidate {
  pull: ForgePull
  ledger: Ledger | null
  /** True when the pipeline's ledger (summary) comment exists on the PR. */
  ledgerComment: boolean
  ci: ForgeCiState
  change: PullChange | null
  readiness: Readiness
  /** Where it ended in this run; null while it is still in play. */
  done: 'merged' | 'blocked' | null
  /** The head whose approval carried to the current head in this run. */
  carriedFrom: string | null
  /**
   * True when the ledger holds a carried approval not yet written: it is written once, with the
   * merge (or at the end of the run), to spare a comment round trip.
   */
  unsaved: boolean
}

const DEFAULT_POLL_DELAYS_MS = [1000, 2000, 4000, 8000, 15_000]
const DEFAULT_SETTLE_MS = 60_000

/** The state and steps of one merge run. */
export class MergeSteps {
  readonly merged: MergedPull[] = []
  readonly blocked: BlockedPull[] = []
  readonly updates: BranchUpdate[] = []
  /** Set when this run must stop merging (another run is merging, or the base moved under it). */
  stopReason: string | null = null

  private readonly git: MergeGit
  private readonly pollDelays: readonly number[]
  private readonly settleMs: number
  private readonly deadline: number
  private readonly base: string
  private knownBase = ''

  constructor(
    private readonly context: MergeContext,
    ports: MergePorts,
    private readonly request: MergeRequest,
    timing: MergeTiming
  ) {
    this.git = new MergeGit(ports.git, ports.remote, ports.auth)
    this.pollDelays = timing.pollDelaysMs ?? DEFAULT_POLL_DELAYS_MS
    this.settleMs = timing.settleMs ?? DEFAULT_SETTLE_MS
    this.deadline =
      context.clock.now().getTime() + context.config.merge.ciStartTimeoutMinutes * 60_000
    this.base = context.config.base ?? ''
  }

  /** Fetches the base and every head, and reads each PR's change from git. */
  async readChanges(candidates: readonly Candidate[]): Promise<void> {
    const open = candidates.filter(candidate => candidate.pull.state === 'open')
    if (open.length === 0) return
    const base = this.base || (open[0] as Candidate).pull.baseRef
    this.baseRef = base
    for (const candidate of open) {
      if (candidate.pull.baseRef !== base) {
        this.context.ui.warning(
          `PR #${candidate.pull.number} targets '${candidate.pull.baseRef}', not the wave's base '${base}'; it is left out.`
        )
      }
    }
    this.knownBase = await this.git.fetch(
      base,
      open.map(candidate => candidate.pull.headSha)
    )
    for (const candidate of open) {
      if (candidate.pull.baseRef !== base) continue
      candidate.change = await this.git.change(this.knownBase, candidate.pull.headSha)
    }
  }

  private baseRef = ''

  /** Readiness from the facts the run holds; a PR on another base is never ready here. */
  evaluate(candidate: Candidate): Readiness {
    const { pull } = candidate
    if (candidate.change === null && pull.state === 'open' && pull.baseRef !== this.baseRef) {
      candidate.readiness = {
        ready: false,
        reason: 'closed',
        next: 'skip',
        detail: `PR #${pull.number} targets '${pull.baseRef}', not the wave's base '${this.baseRef}'.`
      }
      return candidate.readiness
    }
    candidate.readiness = readiness({
      pr: {
        number: pull.number,
        state: pull.state,
        merged: pull.merged,
        draft: pull.draft,
        headSha: pull.headSha,
        mergeable: pull.mergeable,
        headPushedAt: candidate.change?.committedAt ?? this.context.clock.now().toISOString()
      },
      ledger: candidate.ledger,
      statuses: candidate.ci.statuses,
      checks: candidate.ci.checks,
      now: this.context.clock.now(),
      ciStartTimeoutMinutes: this.context.config.merge.ciStartTimeoutMinutes
    })
    return candidate.readiness
  }

  /** Polls GitHub (bounded) for PRs whose mergeability it is still computing. */
  async settleMergeability(candidates: readonly Candidate[]): Promise<void> {
    const computing = candidates.filter(
      candidate =>
        !candidate.readiness.ready && candidate.readiness.reason === 'mergeable-computing'
    )
    await Promise.all(computing.map(candidate => this.refreshPull(candidate)))
  }

  /**
   * Sorts out the PRs that cannot merge in this run (reported now; conflicts become correction
   * orders) and returns the ones in play: approved for their head and ready or waiting.
   */
  async triage(candidates: readonly Candidate[]): Promise<Candidate[]> {
    const inPlay: Candidate[] = []
    for (const candidate of candidates) {
      const state = candidate.readiness
      if (this.isInPlay(candidate)) {
        inPlay.push(candidate)
        continue
      }
      if (!state.ready && state.reason === 'conflict' && candidate.ledger !== null) {
        await this.orderConflictCorrection(candidate, null)
        continue
      }
      if (!state.ready) this.block(candidate, state.reason, state.next, state.detail)
    }
    return inPlay
  }

  private isInPlay(candidate: Candidate): boolean {
    const state = candidate.readiness
    return (
      candidate.ledger !== null &&
      isApprovedFor(candidate.ledger, candidate.pull.headSha) &&
      (state.ready || state.next === 'wait')
    )
  }

  /**
   * Waits (bounded) until the PR is ready, then merges it with its approved head as the guard and
   * brings the `others` up to date. A PR still not ready when the wait ends is reported as such.
   */
  async mergeWhenReady(candidate: Candidate, others: readonly Candidate[]): Promise<void> {
    const state = await this.waitUntilReady(candidate)
    if (this.stopReason !== null) return
    if (!state.ready) {
      if (state.reason === 'conflict' && candidate.ledger !== null) {
        await this.orderConflictCorrection(candidate, null)
      } else this.block(candidate, state.reason, state.next, state.detail)
      return
    }
    const tip = await this.git.fetch(this.baseRef)
    if (tip !== this.knownBase) {
      this.stopReason = `the base '${this.baseRef}' moved from ${short(this.knownBase)} to ${short(tip)} while this run was working (another merge run or a push); the next run re-plans from the new base`
      return
    }
    const { pull } = candidate
    this.context.ui.info(
      `Merging PR #${pull.number} at ${short(pull.headSha)} (${this.request.method}).`
    )
    const result = await this.context.forge.mergePull(
      pull.number,
      pull.headSha,
      this.request.method
    )
    if (result.status === 'refused') {
      await this.refused(candidate, result)
      return
    }
    await this.afterMerge(candidate, result.sha)
    for (const other of others) {
      if (other.done !== null || this.stopReason !== null) continue
      if (other.ledger === null || !isApprovedFor(other.ledger, other.pull.headSha)) continue
      await this.updateBranch(other, candidate)
    }
  }

  private async waitUntilReady(candidate: Candidate): Promise<Readiness> {
    let attempt = 0
    let said = ''
    for (;;) {
      const state = this.evaluate(candidate)
      if (state.ready || state.next !== 'wait') return state
      if (this.context.clock.now().getTime() >= this.deadline) {
        return {
          ...state,
          detail: `${state.detail} This run stopped waiting after ${this.context.config.merge.ciStartTimeoutMinutes} min (merge.ci-start-timeout-minutes); a later run merges it once it is ready.`
        }
      }
      if (state.detail !== said) {
        this.context.ui.info(state.detail)
        said = state.detail
      }
      await this.context.clock.sleep(this.delay(attempt++))
      if (state.reason === 'mergeable-computing') await this.refreshPull(candidate)
      else candidate.ci = await this.context.forge.getCiState(candidate.pull.headSha)
    }
  }

  private delay(attempt: number): number {
    const delays = this.pollDelays
    return delays[Math.min(attempt, delays.length - 1)] ?? 1000
  }

  /** Re-reads the PR until GitHub has computed its mergeability (bounded). */
  private async refreshPull(candidate: Candidate): Promise<void> {
    const started = this.context.clock.now().getTime()
    for (let attempt = 0; ; attempt++) {
      const pull = await this.context.forge.getPull(candidate.pull.number)
      if (pull === null) return
      const headMoved = pull.headSha !== candidate.pull.headSha
      candidate.pull = pull
      if (headMoved || pull.mergeable !== null) break
      if (this.context.clock.now().getTime() - started >= this.settleMs) break
      await this.context.clock.sleep(this.delay(attempt))
    }
    this.evaluate(candidate)
  }

  private async refused(
    candidate: Candidate,
    result: Extract<MergeResult, { status: 'refused' }>
  ): Promise<void> {
    const { number } = candidate.pull
    const said = `GitHub refused the merge (${result.httpStatus}: ${result.message})`
    const now = await this.context.forge.getPull(number)
    if (now?.merged) {
      this.stopReason = `PR #${number} was merged by another run meanwhile; that run carries on with the wave`
      this.block(
        candidate,
        'merged-elsewhere',
        'skip',
        `PR #${number} was already merged by another run (or a person): ${said}. Nothing to do; not retried.`
      )
      return
    }
    if (now !== null && now.headSha !== candidate.pull.headSha) {
      this.block(
        candidate,
        'head-moved',
        'review',
        `PR #${number} changed from ${short(candidate.pull.headSha)} to ${short(now.headSha)} since this run read it (another run or a push): ${said}. Not retried; the new head needs its own approval.`
      )
      return
    }
    if (/base branch was modified/i.test(result.message)) {
      this.stopReason = `the base moved while PR #${number} was merging (another merge run)`
      this.block(candidate, 'base-moved', 'wait', `${said}. ${this.stopReason}; not retried.`)
      return
    }
    if (now !== null && now.mergeable === false && candidate.ledger !== null) {
      candidate.pull = now
      await this.orderConflictCorrection(candidate, null)
      return
    }
    this.block(
      candidate,
      'refused',
      'blocked',
      `${said}. The PR is re-planned, not retried: check its branch protection and state on GitHub.`
    )
  }

  private async afterMerge(candidate: Candidate, mergeSha: string): Promise<void> {
    const { pull } = candidate
    const { forge, config, ui } = this.context
    candidate.done = 'merged'
    let branchDeleted: boolean
    let branchNote: string
    const exists = await this.git.branchExists(pull.headRef)
    if (!exists) {
      branchDeleted = true
      branchNote = `${pull.headRef}: already deleted by GitHub (the repository deletes head branches on merge)`
    } else if (this.request.deleteBranch) {
      await forge.deleteBranch(pull.headRef)
      branchDeleted = true
      branchNote = `${pull.headRef}: deleted`
    } else {
      branchDeleted = false
      branchNote = `${pull.headRef}: kept (delete-branch is false)`
    }
    const ours = [config.labels.pullRequest, config.labels.needsHuman].map(label =>
      label.toLowerCase()
    )
    for (const label of pull.labels.filter(name => ours.includes(name.toLowerCase()))) {
      await forge.removeLabel(pull.number, label)
    }
    if (candidate.ledger !== null) {
      await this.writeLedger(candidate, 'merged', null)
    }
    this.merged.push({
      pr: pull.number,
      url: pull.htmlUrl,
      issues: [...(candidate.ledger?.issues ?? [])],
      headSha: pull.headSha,
      mergeSha,
      branch: pull.headRef,
      branchDeleted,
      branchNote,
      carriedFrom: candidate.carriedFrom
    })
    ui.info(`Merged PR #${pull.number} as ${short(mergeSha)}; ${branchNote}.`)
    const tip = await this.git.fetch(this.baseRef)
    if (tip !== mergeSha) {
      this.stopReason = `the base '${this.baseRef}' is at ${short(tip)}, not at this run's merge ${short(mergeSha)}: another run or a push merged meanwhile`
    }
    this.knownBase = tip
  }

  /**
   * Brings a remaining approved PR up to date with the base after `merged` landed, then decides:
   * a number the merged PR took or a conflict → a correction order; an unchanged patch → the
   * approval carries; a changed one → back to review.
   */
  private async updateBranch(candidate: Candidate, merged: Candidate): Promise<void> {
    const { pull } = candidate
    const collisions = findNumberingCollision(
      merged.change?.added ?? [],
      candidate.change?.added ?? [],
      this.context.config.numberedPaths
    )
    const from = pull.headSha
    const record = (result: BranchUpdate['result'], toSha: string | null, detail: string) =>
      this.updates.push({
        pr: pull.number,
        after: merged.pull.number,
        fromSha: from,
        toSha,
        result,
        detail
      })
    if (collisions.length > 0) {
      const decision = afterUpdate({
        oldPatchId: null,
        newPatchId: null,
        conflict: false,
        numberedCollision: collisions,
        mergedPr: merged.pull.number
      })
      record('correct', null, decision.reason)
      await this.orderCorrection(candidate, decision, merged.pull.number)
      return
    }
    const result = await this.context.forge.updateBranch(pull.number, from)
    if (result.status === 'refused') {
      await this.updateRefused(candidate, merged, result.message, record)
      return
    }
    const updated = await this.waitForNewHead(candidate)
    if (updated === null) {
      const detail = `GitHub accepted the update of PR #${pull.number} but its head is still ${short(from)} after ${Math.round(this.settleMs / 1000)} s; a later run picks it up.`
      record('pending', null, detail)
      this.block(candidate, 'update-pending', 'wait', detail)
      return
    }
    this.knownBase = await this.git.fetch(this.baseRef, [updated.headSha])
    const before = candidate.change
    const after = await this.git.change(this.knownBase, updated.headSha)
    const decision = afterUpdate({
      oldPatchId: before === null ? null : await this.git.patchId(before),
      newPatchId: await this.git.patchId(after),
      conflict: false,
      numberedCollision: [],
      mergedPr: merged.pull.number
    })
    candidate.pull = updated
    candidate.change = after
    candidate.ci = { statuses: [], checks: [] }
    record(
      decision.action === 'carry-approval' ? 'carried' : decision.action,
      updated.headSha,
      decision.reason
    )
    await this.applyDecision(candidate, decision, from, merged.pull.number)
  }

  private async updateRefused(
    candidate: Candidate,
    merged: Candidate,
    message: string,
    record: (result: BranchUpdate['result'], toSha: string | null, detail: string) => void
  ): Promise<void> {
    const { number } = candidate.pull
    if (/expected head sha/i.test(message)) {
      const detail = `PR #${number}'s head moved since this run read it (another run or a push): GitHub refused the update (${message}). Not retried; the next run re-plans it.`
      record('moved', null, detail)
      this.block(candidate, 'head-moved', 'wait', detail)
      return
    }
    if (/no new commits/i.test(message)) {
      record(
        'up-to-date',
        candidate.pull.headSha,
        `GitHub says the branch already has the base (${message})`
      )
      return
    }
    if (/closed/i.test(message)) {
      const detail = `PR #${number} was closed or merged meanwhile (another run or a person): ${message}.`
      record('moved', null, detail)
      this.block(candidate, 'merged-elsewhere', 'skip', detail)
      return
    }
    const reason = await this.orderConflictCorrection(candidate, merged.pull.number)
    record('correct', null, `${reason} (GitHub: ${message})`)
  }

  /**
   * Orders the correction of a conflict with the base (after `mergedPr` landed, when known);
   * returns the decision's reason.
   */
  private async orderConflictCorrection(
    candidate: Candidate,
    mergedPr: number | null
  ): Promise<string> {
    const decision = afterUpdate({
      oldPatchId: null,
      newPatchId: null,
      conflict: true,
      numberedCollision: [],
      ...(mergedPr === null ? {} : { mergedPr })
    })
    await this.orderCorrection(candidate, decision, mergedPr)
    return decision.reason
  }

  /** GitHub updates a branch in the background: polls (bounded) until the head has moved. */
  private async waitForNewHead(candidate: Candidate): Promise<ForgePull | null> {
    const started = this.context.clock.now().getTime()
    for (let attempt = 0; ; attempt++) {
      const pull = await this.context.forge.getPull(candidate.pull.number)
      if (pull !== null && pull.headSha !== candidate.pull.headSha) return pull
      if (this.context.clock.now().getTime() - started >= this.settleMs) return null
      await this.context.clock.sleep(this.delay(attempt))
    }
  }

  private async applyDecision(
    candidate: Candidate,
    decision: AfterUpdateDecision,
    from: string,
    mergedPr: number
  ): Promise<void> {
    const { pull } = candidate
    if (decision.action === 'correct') {
      await this.orderCorrection(candidate, decision, mergedPr)
      return
    }
    if (decision.action === 'review') {
      await this.writeLedger(
        candidate,
        'in-review',
        `after #${mergedPr} merged, ${decision.reason}`
      )
      this.block(
        candidate,
        'patch-changed',
        'review',
        `The update after #${mergedPr} merged moved PR #${pull.number} to ${short(pull.headSha)} and ${decision.reason}.`
      )
      return
    }
    const at = this.context.clock.now().toISOString()
    candidate.ledger = recordReview(candidate.ledger as Ledger, {
      headSha: pull.headSha,
      verdict: 'approved',
      readOnly: 'passed',
      blocking: 0,
      carriedFrom: from,
      at
    })
    candidate.carriedFrom = from
    candidate.unsaved = true
    const description = `Approval carried from ${short(from)}: the update after #${mergedPr} left the patch unchanged`
    await this.context.forge.setCommitStatus(pull.headSha, {
      context: REVIEW_STATUS_CONTEXT,
      state: 'success',
      description,
      targetUrl: this.context.run.url
    })
    candidate.ci = {
      statuses: [{ context: REVIEW_STATUS_CONTEXT, state: 'success', description }],
      checks: []
    }
    this.context.ui.info(`PR #${pull.number}: ${description}.`)
  }

  /** Posts the correction order as the PR's merge correction comment and records it in the ledger. */
  private async orderCorrection(
    candidate: Candidate,
    decision: Extract<AfterUpdateDecision, { action: 'correct' }> | AfterUpdateDecision,
    mergedPr: number | null
  ): Promise<void> {
    if (decision.action !== 'correct' || candidate.ledger === null) return
    const { pull } = candidate
    const items: CorrectionItem[] = decision.items
    const order = mergeCorrectionOrder({
      pr: pull.number,
      cycle: candidate.ledger.cycles + 1,
      headSha: pull.headSha,
      items
    })
    const body = renderMergeCorrectionComment({
      order,
      reason: decision.reason,
      mergedPr,
      runUrl: this.context.run.url
    })
    const comment = await this.context.forge.upsertComment(
      pull.number,
      mergeCorrectionMarker(pull.number, pull.headSha),
      body,
      this.context.pipelineLogin
    )
    await this.writeLedger(candidate, 'changes-requested', `merge: ${decision.reason}`)
    this.block(
      candidate,
      decision.kind === 'conflict' ? 'conflict' : 'numbering',
      'correct',
      `${capitalize(decision.reason)}; a correction order (cycle ${order.cycle}: ${items.map(item => item.id).join(', ')}) was posted (comment ${comment.outcome}) for the correction phase.`
    )
  }

  private async writeLedger(
    candidate: Candidate,
    status: LedgerStatus,
    reason: string | null
  ): Promise<void> {
    if (candidate.ledger === null) return
    const at = this.context.clock.now().toISOString()
    const { run } = this.context
    let ledger = recordRun(candidate.ledger, {
      phase: 'merge',
      runId: run.runId,
      attempt: run.attempt,
      artifact: null,
      at
    })
    ledger = setStatus(ledger, status, reason, at)
    candidate.ledger = ledger
    await this.context.forge.upsertComment(
      candidate.pull.number,
      LEDGER_MARKER,
      renderLedgerComment(ledger, { runUrl: run.url }),
      this.context.pipelineLogin
    )
    candidate.ledgerComment = true
    candidate.unsaved = false
  }

  /** Writes the carried approvals of PRs that did not merge in this run. */
  async saveLedgers(candidates: readonly Candidate[]): Promise<void> {
    for (const candidate of candidates) {
      if (candidate.unsaved && candidate.done !== 'merged') {
        await this.writeLedger(candidate, candidate.ledger?.status ?? 'approved', null)
      }
    }
  }

  /** Records a PR that does not merge in this run. */
  block(
    candidate: Candidate | { number: number; htmlUrl: string | null; issues: number[] },
    reason: string,
    next: BlockedNext,
    detail: string
  ): void {
    const isCandidate = 'pull' in candidate
    if (isCandidate) candidate.done = 'blocked'
    const number = isCandidate ? candidate.pull.number : candidate.number
    this.blocked.push({
      pr: number,
      url: isCandidate ? candidate.pull.htmlUrl : candidate.htmlUrl,
      issues: isCandidate ? [...(candidate.ledger?.issues ?? [])] : candidate.issues,
      reason,
      next,
      detail
    })
    this.context.ui.info(`PR #${number} not merged (${reason}, next: ${next}): ${detail}`)
  }

  /** Reports every PR still in play when the run ends. */
  closeRemaining(candidates: readonly Candidate[]): void {
    for (const candidate of candidates) {
      if (candidate.done !== null) continue
      const state = candidate.readiness
      if (this.stopReason !== null) {
        this.block(
          candidate,
          'left-to-next-run',
          'wait',
          `Not merged by this run: ${this.stopReason}.`
        )
      } else if (!state.ready) this.block(candidate, state.reason, state.next, state.detail)
      else this.block(candidate, 'not-reached', 'wait', state.detail)
    }
  }

  /** The PR as the wave report checks it. */
  wavePull(candidate: Candidate): WavePull {
    const { pull } = candidate
    const merged = this.merged.find(entry => entry.pr === pull.number)
    return {
      number: pull.number,
      title: pull.title,
      url: pull.htmlUrl,
      issues: candidate.ledger?.issues ?? [],
      state: merged !== undefined || pull.merged ? 'merged' : pull.state,
      branch: pull.headRef,
      headSha: pull.headSha,
      ledger: candidate.ledger,
      summaryComment: candidate.ledgerComment,
      branchDeleted: merged?.branchDeleted ?? false,
      commits: candidate.change?.commits ?? []
    }
  }
}

function short(sha: string): string {
  return sha.slice(0, 7)
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
