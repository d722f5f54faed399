/**
 * The comment with which the merge phase hands a PR to the correction phase after a conflict or a
 * taken number: what to fix for people, and the correction order's JSON in a hidden block for the
 * correct job, trusted only when the pipeline wrote it. One comment per PR and head, so a re-run
 * updates it instead of posting another.
 */
import {
  ContractError,
  parseCorrectionOrder,
  stableStringify,
  type CorrectionOrder,
  type ParseResult
} from '../contracts/index.js'
import { categoryName } from './review-comment.js'
import {
  codeSpan,
  escapeText,
  hiddenMarker,
  link,
  shortSha,
  table,
  type ForgeComment
} from './comment-markdown.js'

/** Where the order's JSON starts inside the comment. */
const ORDER_BLOCK_START = '<!-- codex-waves:correction-order v1'
const ORDER_BLOCK = /<!-- codex-waves:correction-order v1[ \t]*\r?\n([\s\S]*?)\r?\n?-->/

/** The marker of the merge phase's correction comment for one PR and head. */
export function mergeCorrectionMarker(pr: number, headSha: string): string {
  return hiddenMarker('merge-correction', [
    ['pr', pr],
    ['head', headSha]
  ])
}

/** The input of {@link renderMergeCorrectionComment}. */
export interface MergeCorrectionCommentInput {
  order: CorrectionOrder
  /** Why the PR could not merge, in a sentence (from the merge decision). */
  reason: string
  /** The PR whose merge caused it, when one did. */
  mergedPr: number | null
  runUrl: string | null
}

/**
 * The comment: its marker, a headline, the reason, one row per item to fix, what happens next, and
 * the order's JSON in a hidden block (every `--` written `-\u002d`, so no value can end it early).
 */
export function renderMergeCorrectionComment(input: MergeCorrectionCommentInput): string {
  const { order } = input
  const json = stableStringify(order).replace(/--/g, '-\\u002d')
  const after = input.mergedPr === null ? '' : ` after #${input.mergedPr} merged`
  return [
    mergeCorrectionMarker(order.pr, order.headSha),
    `${ORDER_BLOCK_START}`,
    json,
    '-->',
    `### codex-waves · PR #${order.pr} needs a correction before it can merge`,
    '',
    `The merge phase could not merge ${codeSpan(shortSha(order.headSha))}${after}: ${escapeText(input.reason, { max: 500 })}.`,
    '',
    table(
      ['Item', 'Kind', 'What to do'],
      order.chosen.map(item => [
        codeSpan(item.id),
        categoryName(item.category),
        escapeText(`${item.title}${item.detail === null ? '' : `. ${item.detail}`}`, { max: 800 })
      ])
    ),
    '',
    `Next: correction cycle ${order.cycle} takes these items on; its result is reviewed before the PR can merge. Written by ${link('this merge run', input.runUrl)}.`,
    ''
  ].join('\n')
}

/**
 * The latest merge correction order among a PR's comments: only comments by `trustedAuthor` that
 * carry the merge correction marker count; the newest (highest id) wins. Null when there is none;
 * an error when the pipeline's comment holds an order that does not parse.
 */
export function findMergeCorrectionOrder(
  comments: readonly ForgeComment[],
  trustedAuthor: string
): ParseResult<CorrectionOrder> | null {
  const candidates = comments
    .filter(comment => comment.user?.login === trustedAuthor)
    .filter(comment =>
      (comment.body ?? '').trimStart().startsWith('<!-- codex-waves:merge-correction ')
    )
    .sort((a, b) => b.id - a.id)
  const newest = candidates[0]
  if (newest === undefined) return null
  const what = `merge correction comment ${newest.id}`
  const match = ORDER_BLOCK.exec(newest.body ?? '')
  if (match === null) {
    return {
      ok: false,
      error: new ContractError(what, [
        { path: '(top level)', text: '(top level): the hidden correction order block is missing' }
      ])
    }
  }
  let value: unknown
  try {
    value = JSON.parse(match[1] ?? '')
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    return {
      ok: false,
      error: new ContractError(what, [
        { path: '(top level)', text: `(top level): expected JSON (${reason})` }
      ])
    }
  }
  return parseCorrectionOrder(value, what)
}
