/**
 * The job summary of an implement job: one table row for its group, with the outcome, the branch,
 * the pull request, codex's tokens and its run time.
 */
import type { CodexUsageRecord, DispatchOutcome } from '../contracts/index.js'
import {
  codeSpan,
  escapeText,
  formatCount,
  formatDuration,
  link,
  refs,
  table
} from './comment-markdown.js'

/** One group's implement run, as the summary shows it. */
export interface ImplementSummaryRow {
  group: string
  issues: readonly number[]
  status: DispatchOutcome
  branch: string
  pr: { number: number; url: string } | null
  /** Null when codex did not run. */
  usage: CodexUsageRecord | null
  /** Why the run failed or was skipped; null otherwise. */
  message: string | null
}

/** The summary's table with one row for the group, and the reason below it when there is one. */
export function renderImplementSummary(row: ImplementSummaryRow): string {
  const usage = row.usage
  const cells = [
    codeSpan(row.group),
    refs(row.issues),
    `**${row.status}**`,
    codeSpan(row.branch),
    row.pr === null ? '—' : link(`#${row.pr.number}`, row.pr.url),
    usage === null ? '—' : formatCount(usage.inputTokens),
    usage === null ? '—' : formatCount(usage.cachedInputTokens),
    usage === null ? '—' : formatCount(usage.outputTokens),
    usage === null ? '—' : formatDuration(usage.durationMs)
  ]
  const lines = [
    '### codex-waves · implement',
    '',
    table(
      [
        'Group',
        'Issues',
        'Status',
        'Branch',
        'PR',
        'Input tokens',
        'Cached input',
        'Output tokens',
        'Codex time'
      ],
      [cells],
      ['left', 'left', 'left', 'left', 'left', 'right', 'right', 'right', 'right']
    ),
    ''
  ]
  if (row.message !== null) lines.push(escapeText(row.message, { breaks: true, max: 2000 }), '')
  return lines.join('\n')
}
