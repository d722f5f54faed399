/**
 * The comment that hands a PR to a person: what is unresolved, what the pipeline already spent on
 * it, and the two ways forward (fix by hand and re-run the review, or close). One per PR, found
 * again by its marker and updated on a later escalation.
 */
import type { CorrectionItem, DeferredItem, ReviewVerdict } from '../contracts/index.js'
import { REVIEW_STATUS_CONTEXT } from '../decide/index.js'
import { categoryName, findingById, titleText, whereText } from './review-comment.js'
import {
  codeSpan,
  escapeText,
  hiddenMarker,
  link,
  refs,
  shortSha,
  table
} from './comment-markdown.js'

/** The marker that identifies the escalation comment of one PR. */
export function escalationCommentMarker(pr: number): string {
  return hiddenMarker('escalation', [['pr', pr]])
}

/** The input of {@link renderEscalationComment}. */
export interface EscalationCommentInput {
  pr: number
  issues: readonly number[]
  branch: string
  headSha: string
  /** Why the pipeline stopped, in a sentence (from the decision that escalated). */
  reason: string
  cyclesSpent: number
  maxCycles: number
  /** What is still open: the last order's chosen items, or the last review's findings. */
  unresolved: ReadonlyArray<CorrectionItem | DeferredItem>
  /** The review the items come from, for their place in the code; null when there is none. */
  verdict: ReviewVerdict | null
  /** The label set on the PR (`labels.needs-human`). */
  label: string
  /** The review workflow's file name, for the re-run instruction. */
  reviewWorkflow: string
  runUrl: string | null
}

/**
 * The escalation comment: marker; why the pipeline stopped; cycles spent against the cap; a table
 * of the unresolved items; and what a person should do — fix by hand and re-run the review, or
 * close the PR.
 */
export function renderEscalationComment(input: EscalationCommentInput): string {
  const rows = input.unresolved.map(item => {
    const finding = findingById(input.verdict, item.id)
    return [
      categoryName(item.category),
      codeSpan(item.id, 80),
      titleText(item.title),
      whereText(finding)
    ]
  })
  const issuesStay =
    input.issues.length === 1
      ? `issue ${refs(input.issues)} stays`
      : `issues ${refs(input.issues)} stay`
  return [
    escalationCommentMarker(input.pr),
    `### codex-waves needs a person on PR #${input.pr}`,
    '',
    `**Why:** ${escapeText(input.reason, { max: 1000 })}`,
    '',
    `Correction cycles spent: ${input.cyclesSpent} of at most ${input.maxCycles}. Head: ${codeSpan(shortSha(input.headSha))}. Label: ${codeSpan(input.label)}. The ${codeSpan(REVIEW_STATUS_CONTEXT)} status stays failure, so the PR cannot merge as it is.`,
    '',
    '#### Unresolved',
    '',
    rows.length === 0
      ? 'No item is recorded; see the last review comment.'
      : table(['Category', 'ID', 'Item', 'Where'], rows),
    '',
    '#### What to do',
    '',
    `1. **Fix it by hand:** check out ${codeSpan(input.branch)}, resolve the items above, push, remove the ${codeSpan(input.label)} label, and run the review again (Actions → ${codeSpan(input.reviewWorkflow)} → Run workflow with ${codeSpan(`pr: ${input.pr}`)}). An approved review sends the PR on to merge.`,
    `2. **Or close the PR** if the change is not wanted; ${issuesStay} open for a later wave.`,
    '',
    link('Run that escalated', input.runUrl),
    ''
  ].join('\n')
}
