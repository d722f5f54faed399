/**
 * The review's PR comment: the findings as a table, what was downgraded or deferred, and the
 * decision. One comment per reviewed head, found again by its hidden marker and updated on a
 * re-review of the same head rather than posted twice.
 */
import {
  REVIEW_CHECKLIST,
  type CorrectionCategory,
  type ReviewFinding,
  type ReviewVerdict
} from '../contracts/index.js'
import { allFindings, REVIEW_STATUS_CONTEXT, type ReviewDecision } from '../decide/index.js'
import { codeSpan, escapeText, hiddenMarker, link, shortSha, table } from './comment-markdown.js'

/** Finding titles longer than this are cut in tables (details stay in the review artifact). */
export const TITLE_MAX = 200

/** Finding details longer than this are cut in comments. */
export const DETAIL_MAX = 1500

const CATEGORY_NAMES: Record<CorrectionCategory, string> = {
  blocking: 'blocking',
  scope_violations: 'scope violation',
  should_fix: 'should-fix',
  nits: 'nit',
  merge_conflict: 'merge conflict',
  numbering: 'numbering'
}

/** A category as people read it: `scope violation`, `should-fix`, `nit`, ... */
export function categoryName(category: CorrectionCategory): string {
  return CATEGORY_NAMES[category]
}

/** The checklist item's words, as the reviewer prompt has them. */
export function checklistText(id: ReviewFinding['checklist_item']): string {
  return REVIEW_CHECKLIST.find(item => item.id === id)?.text ?? id
}

/** Where a finding points, `file:line` (or `file`) as code; `—` when it is about no one file. */
export function whereText(finding: Pick<ReviewFinding, 'file' | 'line'> | undefined): string {
  if (finding === undefined || finding.file === null || finding.file.trim() === '') return '—'
  return codeSpan(finding.line === null ? finding.file : `${finding.file}:${finding.line}`)
}

/** An escaped finding title for a table cell or list item. */
export function titleText(title: string): string {
  return escapeText(title, { max: TITLE_MAX })
}

/** Looks a finding up by id in a verdict (any list). */
export function findingById(verdict: ReviewVerdict | null, id: string): ReviewFinding | undefined {
  if (verdict === null) return undefined
  return [
    ...verdict.blocking,
    ...verdict.scope_violations,
    ...verdict.should_fix,
    ...verdict.nits
  ].find(finding => finding.id === id)
}

/** The marker that identifies the review comment of one head of one PR. */
export function reviewCommentMarker(pr: number, headSha: string): string {
  return hiddenMarker('review', [
    ['pr', pr],
    ['head', headSha]
  ])
}

/** The input of {@link renderReviewComment}. */
export interface ReviewCommentInput {
  pr: number
  headSha: string
  decision: ReviewDecision
  /** The correction cycle that comes next when the decision is `correct`. */
  nextCycle: number | null
  runUrl: string | null
}

const VERDICT_TEXT: Record<ReviewDecision['verdict'], string> = {
  approved: 'approved',
  changes_requested: 'changes requested',
  escalated: 'escalated to a person'
}

/**
 * The review comment: marker, headline with the verdict, the reviewer's summary, a table of the
 * findings a correction takes on (category, id, title, file:line, checklist item), their details,
 * the downgrades, the deferred items with their reasons, and the decision with the next step.
 */
export function renderReviewComment(input: ReviewCommentInput): string {
  const { decision } = input
  const deferredIds = new Set(decision.deferred.map(item => item.id))
  const acted = allFindings(decision.findings).filter(({ finding }) => !deferredIds.has(finding.id))
  const sections = [
    reviewCommentMarker(input.pr, input.headSha),
    `### codex-waves review of ${codeSpan(shortSha(input.headSha))}: ${VERDICT_TEXT[decision.verdict]}`,
    '',
    `> ${escapeText(decision.findings.summary, { max: DETAIL_MAX, breaks: true })}`,
    ''
  ]
  if (acted.length === 0) {
    sections.push('No finding needs a correction.', '')
  } else {
    sections.push(
      table(
        ['Category', 'ID', 'Finding', 'Where', 'Checklist item'],
        acted.map(({ category, finding }) => [
          categoryName(category),
          codeSpan(finding.id, 80),
          titleText(finding.title),
          whereText(finding),
          escapeText(checklistText(finding.checklist_item))
        ])
      ),
      '',
      '<details><summary>Finding details</summary>',
      '',
      ...acted.map(
        ({ finding }) =>
          `- ${codeSpan(finding.id, 80)}: ${escapeText(finding.detail, { max: DETAIL_MAX, breaks: true })}`
      ),
      '',
      '</details>',
      ''
    )
  }
  if (decision.downgraded.length > 0) {
    sections.push(
      '**Downgraded**',
      '',
      ...decision.downgraded.map(
        item => `- ${codeSpan(item.id, 80)} ${titleText(item.title)}: ${escapeText(item.note)}`
      ),
      ''
    )
  }
  if (decision.deferred.length > 0) {
    sections.push(
      '**Deferred** (left out of every correction; listed here for a person to pick up)',
      '',
      ...decision.deferred.map(item => {
        const where = whereText(findingById(decision.findings, item.id))
        const place = where === '—' ? '' : ` (${where})`
        return `- ${categoryName(item.category)} ${codeSpan(item.id, 80)} ${titleText(item.title)}${place}: ${escapeText(item.reason)}`
      }),
      ''
    )
  }
  sections.push(
    `**Decision:** ${escapeText(decision.description)}. Commit status ${codeSpan(REVIEW_STATUS_CONTEXT)}: ${decision.status}. Next: ${nextStep(input)}.`,
    '',
    `${link('Review run', input.runUrl)} · head ${codeSpan(input.headSha)}`,
    ''
  )
  return sections.join('\n')
}

function nextStep(input: ReviewCommentInput): string {
  const { decision } = input
  if (decision.next === 'merge') return 'merge, once CI passes on this head'
  if (decision.next === 'escalate') return 'a person (see the escalation comment)'
  const ids = decision.chosen.map(item => codeSpan(item.id, 80)).join(', ')
  const cycle = input.nextCycle === null ? 'a correction' : `correction cycle ${input.nextCycle}`
  return `${cycle} for ${ids}`
}
