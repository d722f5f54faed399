/**
 * Pure updates of a ledger: each returns a new ledger and leaves its input untouched, and each is
 * safe to apply twice for the same event (a re-run job must not double-count). Times are passed in
 * (ISO 8601, as `Date.prototype.toISOString()` writes them): nothing here reads a clock.
 */
import {
  addUsage,
  emptyLedgerUsage,
  type CodexPhase,
  type CodexUsageRecord,
  type Ledger,
  type LedgerReview,
  type LedgerRun,
  type LedgerStatus
} from '../contracts/index.js'

/** What a new ledger is made of: the PR and the group of the plan it implements. */
export interface NewLedger {
  pr: number
  issues: readonly number[]
  planId: string
  group: string
  branch: string
  at: string
}

/** The ledger of a PR the implement step just opened: no review, no cycle, status `implementing`. */
export function createLedger(fields: NewLedger): Ledger {
  return {
    v: 1,
    pr: fields.pr,
    issues: [...fields.issues],
    planId: fields.planId,
    group: fields.group,
    branch: fields.branch,
    runs: [],
    reviews: [],
    cycles: 0,
    malformed: 0,
    boundaryViolations: { consecutive: 0, total: 0 },
    usage: emptyLedgerUsage(),
    status: 'implementing',
    statusReason: null,
    updatedAt: fields.at
  }
}

/**
 * Records one run of a phase. The same run (phase, run id and attempt) recorded again replaces the
 * earlier entry instead of adding one, so a phase may record its run at the start and again with its
 * artifact at the end.
 */
export function recordRun(ledger: Ledger, run: LedgerRun): Ledger {
  const same = (other: LedgerRun) =>
    other.phase === run.phase && other.runId === run.runId && other.attempt === run.attempt
  const index = ledger.runs.findIndex(same)
  const runs =
    index === -1
      ? [...ledger.runs, { ...run }]
      : ledger.runs.map((other, i) => (i === index ? { ...run } : other))
  return { ...ledger, runs, updatedAt: run.at }
}

/**
 * Records one review and keeps the counters in step: a review that changed the tree (`violated`)
 * adds a boundary violation (consecutive and total) and a clean one resets the consecutive count; a
 * clean review without a verdict is a reviewer output that never parsed (`malformed`). The same
 * review (head and time) recorded twice is kept once and counted once.
 */
export function recordReview(ledger: Ledger, review: LedgerReview): Ledger {
  const duplicate = ledger.reviews.some(
    other => other.headSha === review.headSha && other.at === review.at
  )
  if (duplicate) {
    const reviews = ledger.reviews.map(other =>
      other.headSha === review.headSha && other.at === review.at ? { ...review } : other
    )
    return { ...ledger, reviews, updatedAt: review.at }
  }
  const violated = review.readOnly === 'violated'
  const { consecutive, total } = ledger.boundaryViolations
  return {
    ...ledger,
    reviews: [...ledger.reviews, { ...review }],
    malformed: ledger.malformed + (!violated && review.verdict === null ? 1 : 0),
    boundaryViolations: violated
      ? { consecutive: consecutive + 1, total: total + 1 }
      : { consecutive: 0, total },
    updatedAt: review.at
  }
}

/**
 * Records that correction cycle `cycle` has started. Recording a cycle the ledger already counts
 * changes nothing but the time, so re-running the same cycle does not count it twice. A cycle can
 * only follow the last one counted.
 */
export function recordCycle(ledger: Ledger, cycle: number, at: string): Ledger {
  if (!Number.isInteger(cycle) || cycle < 1 || cycle > ledger.cycles + 1) {
    throw new Error(
      `Correction cycle ${cycle} cannot be recorded on PR #${ledger.pr}: the ledger counts ${ledger.cycles} cycle(s), so the next is ${ledger.cycles + 1}.`
    )
  }
  return { ...ledger, cycles: Math.max(ledger.cycles, cycle), updatedAt: at }
}

/** Adds one codex run's usage to the phase's total (every run costs, re-runs included). */
export function recordUsage(
  ledger: Ledger,
  phase: CodexPhase,
  usage: CodexUsageRecord,
  at: string
): Ledger {
  return {
    ...ledger,
    usage: { ...ledger.usage, [phase]: addUsage(ledger.usage[phase], usage) },
    updatedAt: at
  }
}

/**
 * Sets where the PR stands and why. `reason` is required for `failed` and `escalated` (a person
 * reads it) and cleared otherwise when not given.
 */
export function setStatus(
  ledger: Ledger,
  status: LedgerStatus,
  reason: string | null,
  at: string
): Ledger {
  if (
    (status === 'failed' || status === 'escalated') &&
    (reason === null || reason.trim() === '')
  ) {
    throw new Error(
      `Status "${status}" of PR #${ledger.pr} needs a reason a person can act on; pass one.`
    )
  }
  const statusReason = reason === null || reason.trim() === '' ? null : reason
  return { ...ledger, status, statusReason, updatedAt: at }
}

/** The last review recorded for `headSha`, or null when that head was never reviewed. */
export function latestReviewOf(
  ledger: Pick<Ledger, 'reviews'>,
  headSha: string
): LedgerReview | null {
  const reviews = ledger.reviews.filter(review => review.headSha === headSha)
  return reviews[reviews.length - 1] ?? null
}

/**
 * True when the last review of `headSha` approved it with the read-only check passed (a carried
 * approval counts: its patch is the one that was approved).
 */
export function isApprovedFor(ledger: Pick<Ledger, 'reviews'>, headSha: string): boolean {
  const review = latestReviewOf(ledger, headSha)
  return review !== null && review.verdict === 'approved' && review.readOnly === 'passed'
}
