/**
 * `Ledger`: a pull request's durable state across runs, kept as JSON inside the PR's status
 * comment (trusted only when the pipeline itself wrote it; that check belongs to `src/ledger`).
 */
import { z } from 'zod'
import {
  ArtifactName,
  Attempt,
  BranchName,
  CodexUsageRecord,
  Count,
  GitSha,
  GroupId,
  IssueNumber,
  NO_USAGE,
  Phase,
  PullNumber,
  RunId,
  Timestamp,
  nonBlank
} from './common.js'
import { parseWith, type ParseResult } from './parse.js'
import { PlanId } from './plan.js'

/** Where a pull request stands in the pipeline. */
export const LedgerStatus = z.enum(
  [
    'implementing',
    'in-review',
    'changes-requested',
    'approved',
    'escalated',
    'merged',
    'closed',
    'failed'
  ],
  {
    error:
      'expected one of "implementing", "in-review", "changes-requested", "approved", "escalated", "merged", "closed", "failed"'
  }
)
/** @see LedgerStatus */
export type LedgerStatus = z.output<typeof LedgerStatus>

/** One run of a phase for this pull request. */
export const LedgerRun = z.strictObject({
  phase: Phase,
  runId: RunId,
  attempt: Attempt,
  /** The artifact the run uploaded, or null when it uploaded none. */
  artifact: ArtifactName.nullable(),
  at: Timestamp
})
/** @see LedgerRun */
export type LedgerRun = z.output<typeof LedgerRun>

/** One review of one head. */
export const LedgerReview = z.strictObject({
  headSha: GitSha,
  /** Null when no verdict counted: the reviewer changed the tree, or its output never parsed. */
  verdict: z
    .enum(['approved', 'changes_requested'], {
      error: 'expected "approved" or "changes_requested"'
    })
    .nullable(),
  /** The before/after snapshot of the work tree: `violated` when the reviewer changed it. */
  readOnly: z.enum(['passed', 'violated'], { error: 'expected "passed" or "violated"' }),
  blocking: Count,
  /**
   * Set when this approval was not a review but carried over from an approved head whose patch
   * (`git patch-id --stable`) the update left unchanged: that head's SHA.
   */
  carriedFrom: GitSha.nullable(),
  at: Timestamp
})
/** @see LedgerReview */
export type LedgerReview = z.output<typeof LedgerReview>

/** Codex usage summed per phase for this pull request. */
export const LedgerUsage = z.strictObject({
  dispatch: CodexUsageRecord,
  review: CodexUsageRecord,
  correct: CodexUsageRecord
})
/** @see LedgerUsage */
export type LedgerUsage = z.output<typeof LedgerUsage>

/** The durable state of one pull request. */
export const Ledger = z
  .strictObject({
    v: z.literal(1, { error: 'expected 1 (the only ledger version)' }),
    pr: PullNumber,
    issues: z.array(IssueNumber, { error: 'expected a list of issue numbers' }).min(1, {
      error: 'expected at least one issue number'
    }),
    planId: PlanId,
    group: GroupId,
    branch: BranchName,
    runs: z.array(LedgerRun, { error: 'expected a list of runs' }),
    reviews: z.array(LedgerReview, { error: 'expected a list of reviews' }),
    /** Correction cycles run so far. */
    cycles: Count,
    /** Reviewer outputs that did not parse against the verdict schema. */
    malformed: Count,
    boundaryViolations: z.strictObject({
      /** Reviews in a row that changed the tree; two escalate. Reset by a clean review. */
      consecutive: Count,
      total: Count
    }),
    usage: LedgerUsage,
    status: LedgerStatus,
    /** Why the status is what it is, when that needs saying (failed, escalated); null otherwise. */
    statusReason: nonBlank().nullable(),
    updatedAt: Timestamp
  })
  .superRefine((ledger, ctx) => {
    const { consecutive, total } = ledger.boundaryViolations
    if (consecutive > total) {
      ctx.addIssue({
        code: 'custom',
        path: ['boundaryViolations', 'consecutive'],
        message: `${consecutive} consecutive violations cannot exceed the total of ${total}`
      })
    }
  })
/** @see Ledger */
export type Ledger = z.output<typeof Ledger>

/** Validates a ledger, e.g. the JSON inside a PR's status comment. */
export function parseLedger(value: unknown, what = 'ledger'): ParseResult<Ledger> {
  return parseWith(Ledger, value, what)
}

/** Codex usage per phase before any run. */
export function emptyLedgerUsage(): LedgerUsage {
  return { dispatch: { ...NO_USAGE }, review: { ...NO_USAGE }, correct: { ...NO_USAGE } }
}
