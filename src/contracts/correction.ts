/**
 * `CorrectionOrder`: what one correction cycle must fix and what it leaves alone, from the review
 * (or the merge phase, after a conflict or a taken number) to the correct job.
 */
import { z } from 'zod'
import { GitSha, PullNumber, nonBlank, wholeNumber } from './common.js'
import { parseWith, type ParseResult } from './parse.js'

/**
 * Where an item comes from: a list of the review verdict, or the merge phase (`merge_conflict`:
 * the branch no longer merges; `numbering`: a numbered file's number was taken by a merged PR).
 */
export const CorrectionCategory = z.enum(
  ['blocking', 'scope_violations', 'should_fix', 'nits', 'merge_conflict', 'numbering'],
  {
    error:
      'expected one of "blocking", "scope_violations", "should_fix", "nits", "merge_conflict", "numbering"'
  }
)
/** @see CorrectionCategory */
export type CorrectionCategory = z.output<typeof CorrectionCategory>

const itemFields = {
  /** The finding id from the review verdict (or the merge phase's own id for its items). */
  id: nonBlank(),
  category: CorrectionCategory,
  title: nonBlank(),
  /** What to do, for items that have no review finding behind them; null for review items. */
  detail: nonBlank().nullable()
}

/** An item the corrector must address. */
export const CorrectionItem = z.strictObject(itemFields)
/** @see CorrectionItem */
export type CorrectionItem = z.output<typeof CorrectionItem>

/** An item left for later (or for a person), and why. */
export const DeferredItem = z.strictObject({ ...itemFields, reason: nonBlank() })
/** @see DeferredItem */
export type DeferredItem = z.output<typeof DeferredItem>

/** The order for one correction cycle of one pull request. */
export const CorrectionOrder = z
  .strictObject({
    v: z.literal(1, { error: 'expected 1 (the only correction order version)' }),
    pr: PullNumber,
    /** The ledger's cycles + 1. */
    cycle: wholeNumber(1),
    /** The head the review (or merge) saw; the push's lease when the branch is rewritten. */
    headSha: GitSha,
    origin: z.enum(['review', 'merge'], { error: 'expected "review" or "merge"' }),
    chosen: z.array(CorrectionItem, { error: 'expected a list of items' }).min(1, {
      error: 'expected at least one chosen item (an order with nothing to do is not an order)'
    }),
    deferred: z.array(DeferredItem, { error: 'expected a list of deferred items' })
  })
  .superRefine((order, ctx) => {
    const chosen = new Set(order.chosen.map(item => item.id))
    order.deferred.forEach((item, index) => {
      if (chosen.has(item.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['deferred', index, 'id'],
          message: `item "${item.id}" is both chosen and deferred`
        })
      }
    })
  })
/** @see CorrectionOrder */
export type CorrectionOrder = z.output<typeof CorrectionOrder>

/** Validates a correction order, e.g. from the review artifact or a job output. */
export function parseCorrectionOrder(
  value: unknown,
  what = 'correction order'
): ParseResult<CorrectionOrder> {
  return parseWith(CorrectionOrder, value, what)
}
