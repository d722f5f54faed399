/**
 * The correction phase's decisions: which cycle this is (or whether the pipeline must hand the PR
 * to a person instead), and exactly what the corrector is asked to fix.
 */
import type { CorrectionItem, CorrectionOrder, Ledger, ReviewVerdict } from '../contracts/index.js'
import { DEFAULT_REVIEW_POLICY, triageFindings, type ReviewPolicy } from './policy.js'

/** The input of {@link chooseCorrection}. */
export interface ChooseCorrectionInput {
  /** The verdict as decided (after downgrades: `ReviewDecision.findings`). */
  verdict: ReviewVerdict
  pr: number
  cycle: number
  /** The head the review saw: the lease of a push that rewrites the branch. */
  headSha: string
  policy?: ReviewPolicy
}

/**
 * The correction order for a review: blocking items and scope violations always, should-fix items
 * and nits by policy, and every other finding deferred with its reason. Null when the policy
 * chooses nothing (an order must have something to do).
 */
export function chooseCorrection(input: ChooseCorrectionInput): CorrectionOrder | null {
  const { chosen, deferred } = triageFindings(input.verdict, input.policy ?? DEFAULT_REVIEW_POLICY)
  if (chosen.length === 0) return null
  return {
    v: 1,
    pr: input.pr,
    cycle: input.cycle,
    headSha: input.headSha,
    origin: 'review',
    chosen,
    deferred
  }
}

/** The input of {@link mergeCorrectionOrder}. */
export interface MergeCorrectionInput {
  pr: number
  cycle: number
  headSha: string
  /** The items of an `afterUpdate` decision whose action is `correct`. */
  items: readonly CorrectionItem[]
}

/** The correction order the merge phase hands over after a conflict or a taken number. */
export function mergeCorrectionOrder(input: MergeCorrectionInput): CorrectionOrder {
  if (input.items.length === 0) {
    throw new Error(
      `A correction order for PR #${input.pr} needs at least one item; pass the items of the merge decision.`
    )
  }
  return {
    v: 1,
    pr: input.pr,
    cycle: input.cycle,
    headSha: input.headSha,
    origin: 'merge',
    chosen: [...input.items],
    deferred: []
  }
}

/** What the correction phase does. */
export type CycleDecision =
  /** Run cycle `cycle`; `repeat` when it was already counted (a re-run), so it is not counted again. */
  | { action: 'run'; cycle: number; repeat: boolean; reason: string }
  /** Past the cap: hand the PR to a person; `cycle` is the one that would have run. Codex is not run. */
  | { action: 'escalate'; cycle: number; reason: string }
  /** Nothing to run: already escalated, or this cycle already pushed and its review comes next. */
  | { action: 'skip'; cycle: number; reason: string }

/** The input of {@link decideCorrectionCycle}. */
export interface CycleInput {
  ledger: Ledger
  /** `review.max-cycles` (or the action's `max-cycles` input). */
  maxCycles: number
  /** The PR's head SHA now. */
  headSha: string
  /** The head the correction order was made for (`CorrectionOrder.headSha`). */
  orderHeadSha: string
}

/**
 * The cycle to run: the ledger's cycles + 1, or escalation past `maxCycles` (codex is not run). A
 * correct run recorded after the latest review means this cycle already started, so it is the same
 * cycle: while the head is still the order's, it runs again without being counted twice; once the
 * cycle has pushed a new head, there is nothing left to do (the review of that head is next). A
 * head that moved before the cycle started means someone else pushed: the new head needs a review,
 * not this order. An escalated PR stays with a person until a review changes its status.
 */
export function decideCorrectionCycle(input: CycleInput): CycleDecision {
  const { ledger, maxCycles, headSha, orderHeadSha } = input
  const short = (sha: string) => sha.slice(0, 7)
  if (ledger.status === 'escalated') {
    const why = ledger.statusReason === null ? '' : ` (${ledger.statusReason})`
    return {
      action: 'skip',
      cycle: ledger.cycles,
      reason: `PR #${ledger.pr} is escalated to a person${why}; nothing to do until it is reviewed again`
    }
  }
  const review = ledger.reviews[ledger.reviews.length - 1]
  const lastCorrection = ledger.runs.filter(run => run.phase === 'correct').pop()
  const started =
    ledger.cycles > 0 &&
    lastCorrection !== undefined &&
    (review === undefined || lastCorrection.at >= review.at)
  const moved = headSha !== orderHeadSha

  if (started && moved) {
    return {
      action: 'skip',
      cycle: ledger.cycles,
      reason: `cycle ${ledger.cycles} already pushed ${short(headSha)} over ${short(orderHeadSha)}; the review of the new head comes next`
    }
  }
  if (started) {
    return {
      action: 'run',
      cycle: ledger.cycles,
      repeat: true,
      reason: `cycle ${ledger.cycles} already started for ${short(headSha)}; running it again without counting it twice`
    }
  }
  if (moved) {
    return {
      action: 'skip',
      cycle: ledger.cycles,
      reason: `the head moved from ${short(orderHeadSha)} to ${short(headSha)} since the order was made; the new head needs a review first`
    }
  }
  const cycle = ledger.cycles + 1
  if (cycle > maxCycles) {
    return {
      action: 'escalate',
      cycle,
      reason: `${ledger.cycles} correction cycle(s) ran, the limit is ${maxCycles}, and changes are still requested`
    }
  }
  return { action: 'run', cycle, repeat: false, reason: `cycle ${cycle} of at most ${maxCycles}` }
}
