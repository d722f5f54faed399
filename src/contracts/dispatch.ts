/**
 * `DispatchRecord`: what one implement run did for one group, from the implement job to the review
 * and merge phases (inside the dispatch artifact) and into the wave report.
 */
import { z } from 'zod'
import {
  ArtifactName,
  BranchName,
  CodexUsageRecord,
  GitSha,
  GroupId,
  IssueNumber,
  PullNumber,
  nonBlank
} from './common.js'
import { parseWith, type ParseResult } from './parse.js'
import { PlanId } from './plan.js'

/** How an implement run ended (also the `status` output of `dispatch` with `step: implement`). */
export const DispatchOutcome = z.enum(['opened', 'updated', 'no-changes', 'failed', 'skipped'], {
  error: 'expected one of "opened", "updated", "no-changes", "failed", "skipped"'
})
/** @see DispatchOutcome */
export type DispatchOutcome = z.output<typeof DispatchOutcome>

/** The record of one implement run. */
export const DispatchRecord = z
  .strictObject({
    v: z.literal(1, { error: 'expected 1 (the only dispatch record version)' }),
    /** The plan the group belongs to, as the ledger names it. */
    planId: PlanId,
    group: GroupId,
    issues: z.array(IssueNumber, { error: 'expected a list of issue numbers' }).min(1, {
      error: 'expected at least one issue number'
    }),
    branch: BranchName,
    /** The base commit the branch was cut from (or rebased onto). */
    baseSha: GitSha,
    /** The branch head after the run; null when nothing was pushed. */
    headSha: GitSha.nullable(),
    pr: PullNumber.nullable(),
    /** The artifact holding the rendered prompt, the event log and this record. */
    promptArtifact: ArtifactName,
    /** Null when codex did not run (skipped, or failed before starting). */
    usage: CodexUsageRecord.nullable(),
    outcome: DispatchOutcome,
    /** Why the run failed or was skipped, in words a maintainer can act on; null otherwise. */
    error: nonBlank().nullable()
  })
  .superRefine((record, ctx) => {
    const pushed = record.outcome === 'opened' || record.outcome === 'updated'
    if (pushed && record.pr === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['pr'],
        message: `expected a PR number when the outcome is "${record.outcome}"`
      })
    }
    if (pushed && record.headSha === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['headSha'],
        message: `expected the pushed head SHA when the outcome is "${record.outcome}"`
      })
    }
    if (record.outcome === 'failed' && record.error === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['error'],
        message: 'expected the reason when the outcome is "failed"'
      })
    }
  })
/** @see DispatchRecord */
export type DispatchRecord = z.output<typeof DispatchRecord>

/** Validates a dispatch record, e.g. `record.json` of a downloaded dispatch artifact. */
export function parseDispatchRecord(
  value: unknown,
  what = 'dispatch record'
): ParseResult<DispatchRecord> {
  return parseWith(DispatchRecord, value, what)
}
