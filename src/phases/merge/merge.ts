/**
 * The merge phase: among the pipeline's open PRs, merge the ones approved for their current head
 * and green in CI, in a safe order, each guarded by its approved head SHA; clean up after each
 * merge; bring the remaining approved branches up to date and carry their approval when their own
 * patch is unchanged; hand conflicts and taken numbers to the correction phase; report the wave.
 */
import type { Ledger } from '../../contracts/index.js'
import { orderMerges, type MergeCandidate } from '../../decide/index.js'
import { findLedger, isApprovedFor } from '../../ledger/index.js'
import type { ForgeCiState, ForgePull } from '../../ports.js'
import {
  renderMergeSummary,
  type BlockedPull,
  type BranchUpdate,
  type MergedPull,
  type OrderSlot
} from '../../report/merge-summary.js'
import { buildWaveReport, renderWaveReport, type WaveReport } from '../../report/wave-report.js'
import type { PhaseContext } from '../shared/context.js'
import { MergeSteps, type Candidate, type MergePorts } from './steps.js'

export type { MergePorts } from './steps.js'

/** What to merge and how, from the inputs (falling back to the config). */
export interface MergeRequest {
  /** The PRs to consider; null = every open PR with the pipeline's label. */
  prs: readonly number[] | null
  method: 'squash' | 'merge' | 'rebase'
  deleteBranch: boolean
}

/** What the run did. */
export interface MergeOutcome {
  order: OrderSlot[]
  merged: MergedPull[]
  blocked: BlockedPull[]
  updates: BranchUpdate[]
  report: WaveReport
  /** The job summary: the merge section and the wave report. */
  summary: string
}

/** The parts of the context the merge phase uses. */
export type MergeContext = Pick<
  PhaseContext,
  'config' | 'forge' | 'ui' | 'clock' | 'pipelineLogin' | 'run'
>

/** Timing knobs; the defaults suit GitHub, tests shorten them. */
export interface MergeTiming {
  /** Delays between polls (ms); the last one repeats. */
  pollDelaysMs?: readonly number[]
  /** How long to poll for GitHub's mergeability or an updated head before giving up (ms). */
  settleMs?: number
}

const NO_CI: ForgeCiState = { statuses: [], checks: [] }

/**
 * Runs the merge phase: load the candidates, order the approved ones, merge each in turn (waiting
 * for CI within `merge.ci-start-timeout-minutes`), update the rest after each merge, and report.
 */
export async function runMerge(
  context: MergeContext,
  ports: MergePorts,
  request: MergeRequest,
  timing: MergeTiming = {}
): Promise<MergeOutcome> {
  const steps = new MergeSteps(context, ports, request, timing)
  const candidates = await loadCandidates(context, steps, request)
  await steps.settleMergeability(candidates)
  const inPlay = await steps.triage(candidates)

  const ordered = orderMerges(inPlay.map(mergeCandidate))
  const order = ordered.order.map(slot => ({ number: slot.number, reason: slot.reason }))
  context.ui.info(
    order.length === 0
      ? 'No pull request is approved for its head; nothing to merge.'
      : `Merge order: ${order.map(slot => `#${slot.number} (${slot.reason})`).join('; ')}`
  )
  const byNumber = new Map(candidates.map(candidate => [candidate.pull.number, candidate]))
  const queue = order.map(slot => byNumber.get(slot.number) as Candidate)
  for (const candidate of queue) {
    if (candidate.done !== null) continue
    if (steps.stopReason !== null) break
    await steps.mergeWhenReady(
      candidate,
      queue.filter(other => other !== candidate)
    )
  }
  steps.closeRemaining(candidates)
  await steps.saveLedgers(candidates)

  const report = buildWaveReport({
    issues: waveIssues(candidates),
    pulls: candidates.map(candidate => steps.wavePull(candidate))
  })
  const summary = [
    renderMergeSummary({
      order,
      merged: steps.merged,
      blocked: steps.blocked,
      updates: steps.updates,
      cycles: ordered.cycles
    }),
    renderWaveReport(report)
  ].join('\n')
  return {
    order,
    merged: steps.merged,
    blocked: steps.blocked,
    updates: steps.updates,
    report,
    summary
  }
}

/**
 * Reads every candidate once: the PR (the list, or one request per `prs` number), its comments for
 * the ledger, CI on its head only when the ledger approves that head, and its change from git.
 */
async function loadCandidates(
  context: MergeContext,
  steps: MergeSteps,
  request: MergeRequest
): Promise<Candidate[]> {
  const { forge, config, ui } = context
  let pulls: ForgePull[]
  if (request.prs === null) {
    pulls = await forge.listOpenPulls({ label: config.labels.pullRequest })
    ui.info(
      `${pulls.length} open pull request(s) carry the label '${config.labels.pullRequest}': ${pulls.map(pull => `#${pull.number}`).join(', ') || 'none'}.`
    )
  } else {
    const found = await Promise.all(request.prs.map(number => forge.getPull(number)))
    pulls = []
    request.prs.forEach((number, index) => {
      const pull = found[index]
      if (pull === null || pull === undefined) {
        steps.block(
          { number, htmlUrl: null, issues: [] },
          'not-found',
          'skip',
          `No pull request #${number} exists in this repository; check the 'prs' input.`
        )
      } else pulls.push(pull)
    })
  }
  const candidates = await Promise.all(pulls.map(pull => readCandidate(context, pull)))
  await steps.readChanges(candidates)
  for (const candidate of candidates) steps.evaluate(candidate)
  return candidates
}

async function readCandidate(context: MergeContext, pull: ForgePull): Promise<Candidate> {
  const found = findLedger(await context.forge.listComments(pull.number), context.pipelineLogin)
  for (const warning of found.warnings) context.ui.warning(`PR #${pull.number}: ${warning}`)
  if (found.error !== null) {
    context.ui.warning(
      `PR #${pull.number}: ${found.error.message.trimEnd()}. Its approval cannot be trusted until the ledger comment is repaired or deleted.`
    )
  }
  const ledger: Ledger | null = found.ledger
  const approved = ledger !== null && isApprovedFor(ledger, pull.headSha)
  const ci =
    approved && pull.state === 'open' && !pull.draft
      ? await context.forge.getCiState(pull.headSha)
      : NO_CI
  return {
    pull,
    ledger,
    ledgerComment: found.commentId !== null,
    ci,
    change: null,
    readiness: { ready: false, reason: 'not-reviewed', next: 'wait', detail: '' },
    done: null,
    carriedFrom: null,
    unsaved: false
  }
}

function mergeCandidate(candidate: Candidate): MergeCandidate {
  return {
    number: candidate.pull.number,
    issues: candidate.ledger?.issues ?? [],
    group: candidate.ledger?.group ?? null,
    files: candidate.change?.files ?? [],
    sequencedAfter: []
  }
}

function waveIssues(candidates: readonly Candidate[]) {
  const issues = new Map<number, string>()
  for (const candidate of candidates) {
    for (const issue of candidate.ledger?.issues ?? []) {
      if (!issues.has(issue)) issues.set(issue, candidate.pull.title)
    }
  }
  return [...issues].map(([number, title]) => ({ number, title, skip: null }))
}
