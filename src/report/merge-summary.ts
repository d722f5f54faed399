/**
 * The merge phase's results as data (the action's `merged`, `blocked` and `order` outputs) and as
 * the Markdown of its job summary: the order with its reasons, what merged, what did not and why,
 * and what each update of a remaining branch did to its approval.
 */
import { codeSpan, escapeText, link, shortSha, table } from './comment-markdown.js'

/** A PR this run merged. */
export interface MergedPull {
  pr: number
  url: string | null
  issues: number[]
  /** The approved head the merge was guarded with. */
  headSha: string
  /** The commit the merge created on the base. */
  mergeSha: string
  branch: string
  branchDeleted: boolean
  /** What happened to the branch, in words. */
  branchNote: string
  /** The head whose approval carried to `headSha`, when the run updated the branch first. */
  carriedFrom: string | null
}

/** What happens to a PR that did not merge: as `readiness` says, or `correct` after an update. */
export type BlockedNext = 'wait' | 'review' | 'correct' | 'blocked' | 'skip'

/** A PR this run did not merge, and why. */
export interface BlockedPull {
  pr: number
  url: string | null
  issues: number[]
  /** A short code: a readiness reason, or what the merge or update ran into. */
  reason: string
  next: BlockedNext
  detail: string
}

/** One update of a remaining PR's branch after a merge, and what it meant for the approval. */
export interface BranchUpdate {
  pr: number
  /** The PR whose merge made the update necessary. */
  after: number
  fromSha: string
  /** The new head, or null when the branch was not updated. */
  toSha: string | null
  result: 'carried' | 'review' | 'correct' | 'moved' | 'up-to-date' | 'pending'
  detail: string
}

/** One place in the merge order. */
export interface OrderSlot {
  number: number
  reason: string
}

/** Everything the summary shows. */
export interface MergeRunSummary {
  order: readonly OrderSlot[]
  merged: readonly MergedPull[]
  blocked: readonly BlockedPull[]
  updates: readonly BranchUpdate[]
  /** Sequence cycles the ordering had to break, as PR numbers. */
  cycles: readonly number[][]
}

const NEXT_TEXT: Record<BlockedNext, string> = {
  wait: 'wait (a later run merges it)',
  review: 'review again',
  correct: 'correction ordered',
  blocked: 'a person must act',
  skip: 'nothing to do'
}

const UPDATE_TEXT: Record<BranchUpdate['result'], string> = {
  carried: 'approval carried (same patch)',
  review: 'back to review',
  correct: 'correction ordered',
  moved: 'changed by another run or push',
  'up-to-date': 'already up to date',
  pending: 'update not visible yet'
}

/** The merge section of the job summary; deterministic for the same input. */
export function renderMergeSummary(summary: MergeRunSummary): string {
  const pr = (number: number, url: string | null) => link(`#${number}`, url)
  const sections = [
    `## Merge: ${summary.merged.length} merged, ${summary.blocked.length} not merged`,
    ''
  ]
  sections.push('### Order', '')
  if (summary.order.length === 0) {
    sections.push('No pull request was approved for its head, so there was nothing to order.', '')
  } else {
    sections.push(
      table(
        ['#', 'PR', 'Why here'],
        summary.order.map((slot, index) => [
          String(index + 1),
          `#${slot.number}`,
          escapeText(slot.reason, { max: 400 })
        ])
      ),
      ''
    )
  }
  if (summary.cycles.length > 0) {
    sections.push(
      `The plan sequences ${summary.cycles.map(cycle => cycle.map(n => `#${n}`).join(' ↔ ')).join('; ')} in a loop; it was broken at the lowest issue number.`,
      ''
    )
  }
  if (summary.merged.length > 0) {
    sections.push(
      '### Merged',
      '',
      table(
        ['PR', 'Issues', 'Head', 'Merge commit', 'Branch'],
        summary.merged.map(merged => [
          pr(merged.pr, merged.url),
          merged.issues.map(n => `#${n}`).join(', '),
          `${codeSpan(shortSha(merged.headSha))}${merged.carriedFrom === null ? '' : ` (approval carried from ${codeSpan(shortSha(merged.carriedFrom))})`}`,
          codeSpan(shortSha(merged.mergeSha)),
          escapeText(merged.branchNote, { max: 200 })
        ])
      ),
      ''
    )
  }
  if (summary.updates.length > 0) {
    sections.push(
      '### Branches brought up to date',
      '',
      table(
        ['PR', 'After', 'From', 'To', 'Result', 'Why'],
        summary.updates.map(update => [
          `#${update.pr}`,
          `#${update.after}`,
          codeSpan(shortSha(update.fromSha)),
          update.toSha === null ? '—' : codeSpan(shortSha(update.toSha)),
          UPDATE_TEXT[update.result],
          escapeText(update.detail, { max: 400 })
        ])
      ),
      ''
    )
  }
  if (summary.blocked.length > 0) {
    sections.push(
      '### Not merged',
      '',
      table(
        ['PR', 'Reason', 'Next', 'Detail'],
        summary.blocked.map(blocked => [
          pr(blocked.pr, blocked.url),
          codeSpan(blocked.reason),
          NEXT_TEXT[blocked.next],
          escapeText(blocked.detail, { max: 1200 })
        ])
      ),
      ''
    )
  }
  return sections.join('\n')
}
