/**
 * Plain-text renderings for the terminal: the wave's outcome per group and issue, the success
 * criteria, and the status table. (The Markdown report goes to the state directory.)
 */
import { NO_USAGE, addUsage, type Ledger, type WavePlan } from '../contracts/index.js'
import type { WaveReport } from '../report/wave-report.js'
import { formatElapsed } from './progress.js'
import type { WaveItemOutcome } from './wave.js'

/** Left-aligned columns separated by two spaces. */
export function textTable(rows: ReadonlyArray<readonly string[]>): string {
  const widths: number[] = []
  for (const row of rows)
    row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)))
  return rows
    .map(row =>
      row
        .map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0)))
        .join('  ')
    )
    .join('\n')
}

const refs = (issues: readonly number[]) => issues.map(issue => `#${issue}`).join(' ')

/** The plan in a few lines: groups, order and skips. */
export function renderPlanText(plan: WavePlan): string {
  const lines = [`Plan ${plan.id}: ${plan.groups.length} group(s), ${plan.skips.length} skip(s).`]
  for (const group of plan.groups)
    lines.push(`  ${group.id}  ${refs(group.issues)}  ${group.branchType}: ${group.title}`)
  for (const edge of plan.sequence)
    lines.push(`  ${edge.before} before ${edge.after}: ${edge.reason}`)
  for (const skip of plan.skips)
    lines.push(
      `  skip ${skip.issue === null ? '' : `#${skip.issue} `}(${skip.reason}): ${skip.detail}`
    )
  for (const finding of plan.findings)
    lines.push(`  finding ${finding.kind} ${refs(finding.issues)}: ${finding.proposal}`)
  return lines.join('\n')
}

/** One line per group or PR of the wave, then one per skipped issue. */
export function renderOutcomes(items: readonly WaveItemOutcome[], plan: WavePlan): string {
  const rows: string[][] = [['group', 'issues', 'outcome', 'pr', 'reason']]
  for (const item of items) {
    rows.push([
      item.group ?? '',
      refs(item.issues),
      item.outcome,
      item.pr === null ? '—' : `#${item.pr}`,
      (item.reason ?? '').replace(/\s+/g, ' ').slice(0, 160)
    ])
  }
  for (const skip of plan.skips) {
    if (skip.reason === 'in-flight') continue
    rows.push([
      '',
      skip.issue === null ? '' : `#${skip.issue}`,
      `skipped (${skip.reason})`,
      '—',
      skip.detail
    ])
  }
  return textTable(rows)
}

/** The criteria with a mark each, and the wave's codex usage. */
export function renderCriteria(report: WaveReport): string {
  const lines = report.criteria.map(
    criterion =>
      `  ${criterion.passed ? '✓' : '✗'} ${criterion.description} (${criterion.passing}/${criterion.checked})${criterion.failures.length > 0 ? `\n      ${criterion.failures.join('\n      ')}` : ''}`
  )
  const usage = report.usage.wave
  lines.push(
    `  codex: ${(usage.inputTokens + usage.outputTokens).toLocaleString('en-US')} tokens, ${formatElapsed(usage.durationMs)} of codex time`
  )
  return [`Success criteria: ${report.allPassed ? 'all met' : 'not all met'}`, ...lines].join('\n')
}

/** The status table: one row per pipeline PR, from its ledger. */
export function renderStatusTable(
  rows: ReadonlyArray<{ pr: number; title: string; ledger: Ledger | null; headSha: string }>
): string {
  const table: string[][] = [
    ['pr', 'issues', 'status', 'head', 'reviews', 'cycles', 'tokens', 'updated']
  ]
  for (const row of rows) {
    const { ledger } = row
    if (ledger === null) {
      table.push([`#${row.pr}`, '', 'no ledger', row.headSha.slice(0, 7), '', '', '', ''])
      continue
    }
    const usage = [ledger.usage.dispatch, ledger.usage.review, ledger.usage.correct].reduce(
      addUsage,
      NO_USAGE
    )
    const last = ledger.reviews.at(-1)
    table.push([
      `#${row.pr}`,
      refs(ledger.issues),
      ledger.status +
        (ledger.statusReason === null ? '' : ` (${ledger.statusReason.slice(0, 60)})`),
      row.headSha.slice(0, 7),
      `${ledger.reviews.length}${last === undefined ? '' : ` (last: ${last.verdict ?? 'none'})`}`,
      String(ledger.cycles),
      (usage.inputTokens + usage.outputTokens).toLocaleString('en-US'),
      ledger.updatedAt
    ])
  }
  return textTable(table)
}
