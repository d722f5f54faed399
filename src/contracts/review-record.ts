/**
 * `ReviewRecord`: what one review run decided, as `review.json` inside the review artifact. The
 * correct phase reads it (from another run, so it is validated like every downloaded artifact) to
 * build its correction order from the same findings the review comment showed.
 */
import { z } from 'zod'
import { Count, GitSha, PullNumber } from './common.js'
import { parseJsonWith, type ParseResult } from './parse.js'
import { ReviewVerdict } from './review.js'

/** The decision of a review run. */
export const ReviewRecord = z.strictObject({
  v: z.literal(1, { error: 'expected 1 (the only review record version)' }),
  pr: PullNumber,
  /** The head the review saw; a correction's lease when it must rewrite the branch. */
  headSha: GitSha,
  /** The base branch's tip when the review ran. */
  baseSha: GitSha,
  verdict: z.enum(['approved', 'changes_requested', 'escalated'], {
    error: 'expected "approved", "changes_requested" or "escalated"'
  }),
  next: z.enum(['merge', 'correct', 'escalate', 'wait'], {
    error: 'expected "merge", "correct", "escalate" or "wait"'
  }),
  /** The findings as decided (scope violations the issue names already moved to should-fix); null when no verdict counted. */
  findings: ReviewVerdict.nullable(),
  blockingCount: Count,
  /** One line for people (also the commit status description). */
  description: z.string({ error: 'expected a string' }),
  /** Reviewer runs in this review, retries included. */
  attempts: Count
})
/** @see ReviewRecord */
export type ReviewRecord = z.output<typeof ReviewRecord>

/** Validates the text of `review.json`. */
export function parseReviewRecordJson(
  text: string,
  what = 'review record'
): ParseResult<ReviewRecord> {
  return parseJsonWith(ReviewRecord, text, what)
}
