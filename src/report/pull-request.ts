/**
 * What the implement step writes for people and for git: the commit message (codex's title and body
 * with the pipeline's trailers), the pull request's title and body, and the issue comment that
 * explains a run which changed nothing. Codex's words are untrusted here (the issue text steered
 * them): every piece is escaped for Markdown or flattened to one line for git.
 */
import type { ImplementerResult } from '../contracts/index.js'
import type { CommitMessage } from '../ports.js'
import { codeSpan, escapeText, hiddenMarker, link } from './comment-markdown.js'

/** Characters of codex's summary kept in a pull request body. */
const SUMMARY_MAX = 6000

/** Characters of one listed item (a test command, an open question). */
const ITEM_MAX = 500

/** Bidi controls and invisible format characters, which git would keep in a message. */
const INVISIBLE = /[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/g

/** The marker that makes a pull request recognisable as the pipeline's, for its group. */
export function pullRequestMarker(group: string): string {
  return hiddenMarker('pull-request', [['group', group]])
}

/** The marker of the comment that explains, on an issue, why its group's run changed nothing. */
export function noChangesMarker(group: string): string {
  return hiddenMarker('no-changes', [['group', group]])
}

/** Text on one line, without invisible or control characters. */
function oneLine(text: string): string {
  return text
    .replace(INVISIBLE, '')
    .replace(/[\s\p{Cc}]+/gu, ' ')
    .trim()
}

/** The pull request's title: codex's commit title on one line. */
export function pullRequestTitle(result: Pick<ImplementerResult, 'commit_title'>): string {
  return oneLine(result.commit_title)
}

/** What the commit message is made of. */
export interface ImplementCommitInput {
  result: Pick<ImplementerResult, 'commit_title' | 'commit_body'>
  /** The codex thread that made the change. */
  threadId: string
  /** The workflow run that ran codex. */
  runUrl: string
  issues: readonly number[]
}

/**
 * The commit message: codex's title (one line) and body, then the trailers `Codex-Thread`,
 * `Codex-Waves-Run` and one `Refs: #N` per issue. Trailer-like lines codex put at the end of its
 * body are kept as text: a blank line separates them from the pipeline's block.
 */
export function implementCommitMessage(input: ImplementCommitInput): CommitMessage {
  const body = input.result.commit_body.replace(INVISIBLE, '').replace(/\r\n?/g, '\n').trim()
  return {
    title: oneLine(input.result.commit_title),
    ...(body === '' ? {} : { body }),
    trailers: [
      ['Codex-Thread', oneLine(input.threadId)],
      ['Codex-Waves-Run', oneLine(input.runUrl)],
      ...input.issues.map(issue => ['Refs', `#${issue}`] as const)
    ]
  }
}

/** What the pull request body shows. */
export interface PullRequestBodyInput {
  group: string
  issues: readonly number[]
  result: Pick<ImplementerResult, 'pr_summary' | 'tests_run' | 'open_questions'>
  runUrl: string
  planId: string
}

function bulletList(items: readonly string[], render: (item: string) => string, none: string) {
  return items.length === 0 ? none : items.map(item => `- ${render(item)}`).join('\n')
}

/**
 * The pull request body: the marker, one `Closes #N` line per issue (so merging closes each), codex's
 * summary, the tests it ran, its open questions, and a link to the run.
 */
export function renderPullRequestBody(input: PullRequestBodyInput): string {
  return [
    pullRequestMarker(input.group),
    input.issues.map(issue => `Closes #${issue}`).join('\n'),
    '',
    '### Summary',
    '',
    escapeText(input.result.pr_summary, { breaks: true, max: SUMMARY_MAX }),
    '',
    '### Tests run',
    '',
    bulletList(input.result.tests_run, test => codeSpan(test, ITEM_MAX), 'None reported.'),
    '',
    '### Open questions',
    '',
    bulletList(
      input.result.open_questions,
      question => escapeText(question, { max: ITEM_MAX }),
      'None.'
    ),
    '',
    '---',
    `Implemented by codex-waves in ${link('this run', input.runUrl)} · group ${codeSpan(input.group)} · plan ${codeSpan(input.planId)}`,
    ''
  ].join('\n')
}

/** What the comment on an issue whose run changed nothing shows. */
export interface NoChangesCommentInput {
  group: string
  /** Codex's explanation: its summary and open questions, or its last message. */
  explanation: string
  runUrl: string
}

/** The comment that says codex changed nothing for the group, and why (in codex's words, escaped). */
export function renderNoChangesComment(input: NoChangesCommentInput): string {
  const explanation = input.explanation.trim()
  return [
    noChangesMarker(input.group),
    `### codex-waves · group ${codeSpan(input.group)} · no changes`,
    '',
    `Codex ran in ${link('this run', input.runUrl)} and left the work tree unchanged, so no branch was pushed and no pull request opened.`,
    '',
    explanation === ''
      ? 'Codex gave no explanation.'
      : `Codex's explanation:\n\n> ${escapeText(explanation, { breaks: true, max: SUMMARY_MAX })}`,
    ''
  ].join('\n')
}
