/**
 * The correction's PR comment: what the corrector changed against each chosen item, composed from
 * the review JSON and the correction order (codex is never asked to grade itself), what it left
 * for later, or, when it changed nothing, its own explanation. One comment per cycle, found again
 * by its marker, so re-running a cycle updates it instead of posting another.
 */
import type { CorrectionOrder, ReviewVerdict } from '../contracts/index.js'
import { categoryName, findingById, titleText, whereText } from './review-comment.js'
import { codeSpan, escapeText, hiddenMarker, link, shortSha, table } from './comment-markdown.js'

/** Files listed by name in the comment; the rest are counted. */
const FILES_SHOWN = 30

/** The marker that identifies the comment of one correction cycle of one PR. */
export function correctionCommentMarker(pr: number, cycle: number): string {
  return hiddenMarker('correction', [
    ['pr', pr],
    ['cycle', cycle]
  ])
}

/** What the corrector's run left behind. */
export type CorrectionResult =
  | {
      kind: 'changed'
      /** The head pushed by this cycle. */
      headSha: string
      filesChanged: readonly string[]
      /** The corrector's own summary of its change, or null. */
      summary: string | null
    }
  | {
      kind: 'no-changes'
      /** Codex's final message: why it changed nothing. */
      explanation: string
    }

/** The input of {@link renderCorrectionComment}. */
export interface CorrectionCommentInput {
  order: CorrectionOrder
  /** The review the order came from; null for orders from the merge phase. */
  verdict: ReviewVerdict | null
  result: CorrectionResult
  maxCycles: number
  runUrl: string | null
}

/**
 * The correction comment: marker; headline (pushed head, or "changed nothing"); one row per chosen
 * item with its category, id, title, place and whether the corrector touched that file; the files
 * changed and the corrector's summary (or its explanation for changing nothing); the deferred items
 * with their reasons; what comes next.
 */
export function renderCorrectionComment(input: CorrectionCommentInput): string {
  const { order, result } = input
  const changed = result.kind === 'changed'
  const touched = new Set(changed ? result.filesChanged : [])
  const headline = changed
    ? `pushed ${codeSpan(shortSha(result.headSha))}`
    : 'the corrector changed nothing'
  const rows = order.chosen.map(item => {
    const finding = findingById(input.verdict, item.id)
    const file = finding?.file ?? null
    const fileTouched =
      !changed || file === null ? '—' : touched.has(file) ? 'changed' : 'not changed'
    return [
      categoryName(item.category),
      codeSpan(item.id, 80),
      titleText(item.title),
      whereText(finding),
      fileTouched
    ]
  })
  const sections = [
    correctionCommentMarker(order.pr, order.cycle),
    `### codex-waves correction, cycle ${order.cycle} of at most ${input.maxCycles}: ${headline}`,
    '',
    changed
      ? `Starting from ${codeSpan(shortSha(order.headSha))}, the corrector worked on the ${order.chosen.length} item(s) below; the next review checks each of them on ${codeSpan(shortSha(result.headSha))}.`
      : `Starting from ${codeSpan(shortSha(order.headSha))}, the corrector was given the ${order.chosen.length} item(s) below and left the tree unchanged. The cycle counts.`,
    '',
    table(['Category', 'ID', 'Item', 'Where', 'File in this change'], rows),
    ''
  ]
  const details = order.chosen.filter(item => item.detail !== null)
  if (details.length > 0) {
    sections.push(
      ...details.map(
        item => `- ${codeSpan(item.id, 80)}: ${escapeText(item.detail ?? '', { max: 1500 })}`
      ),
      ''
    )
  }
  if (result.kind === 'changed') {
    sections.push(
      `**Files changed** (${result.filesChanged.length}): ${filesList(result.filesChanged)}`,
      ''
    )
    if (result.summary !== null && result.summary.trim() !== '') {
      sections.push(
        "**The corrector's summary**",
        '',
        `> ${escapeText(result.summary, { max: 3000, breaks: true })}`,
        ''
      )
    }
  } else {
    sections.push(
      "**Why, in the corrector's words**",
      '',
      `> ${escapeText(result.explanation, { max: 3000, breaks: true }) || 'It gave no explanation.'}`,
      ''
    )
  }
  if (order.deferred.length > 0) {
    sections.push(
      '**Deferred** (out of scope for this cycle)',
      '',
      ...order.deferred.map(
        item =>
          `- ${categoryName(item.category)} ${codeSpan(item.id, 80)} ${titleText(item.title)}: ${escapeText(item.reason)}`
      ),
      ''
    )
  }
  sections.push(
    `**Next:** ${changed ? 'a review of the new head' : `another review of ${codeSpan(shortSha(order.headSha))}; past cycle ${input.maxCycles} a person takes over`}. ${link('Correction run', input.runUrl)}`,
    ''
  )
  return sections.join('\n')
}

function filesList(files: readonly string[]): string {
  if (files.length === 0) return 'none'
  const sorted = [...files].sort()
  const shown = sorted.slice(0, FILES_SHOWN).map(file => codeSpan(file, 300))
  const rest = sorted.length - shown.length
  return rest > 0 ? `${shown.join(', ')} and ${rest} more` : shown.join(', ')
}
