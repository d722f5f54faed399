/**
 * The wave report: every issue of the wave against the success criteria, the commits that did not
 * come from codex, and codex usage per issue and for the wave — as an object (the merge phase's
 * output, JSON-able) and as Markdown (the job summary).
 */
import { NO_USAGE, addUsage, type CodexUsageRecord, type Ledger } from '../contracts/index.js'
import { isApprovedFor, latestReviewOf } from '../ledger/index.js'
import {
  codeSpan,
  escapeText,
  formatCount,
  formatDuration,
  link,
  shortSha,
  table
} from './comment-markdown.js'

/** The commit trailers that tie a commit to a codex run; one of them marks a codex commit. */
export const CODEX_TRAILERS = ['Codex-Thread', 'Codex-Waves-Run'] as const

/** An issue of the wave. */
export interface WaveIssue {
  number: number
  title: string
  /** Why the plan left it out of the wave, or null when it is part of it. */
  skip: { reason: string; detail: string } | null
}

/** A commit on a pipeline branch. */
export interface WaveCommit {
  sha: string
  message: string
  /** Merge commits (2+ parents, e.g. from `update-branch`) add no code of their own and are exempt. */
  parents: number
}

/** A PR of the wave with the facts the criteria check. */
export interface WavePull {
  number: number
  title: string
  url: string | null
  issues: readonly number[]
  state: 'open' | 'closed' | 'merged'
  branch: string
  headSha: string
  /** The trusted ledger, or null when none was found. */
  ledger: Ledger | null
  /** True when the PR has the pipeline's summary (ledger/status) comment. */
  summaryComment: boolean
  /** For a merged PR: whether its branch is gone. */
  branchDeleted: boolean
  commits: readonly WaveCommit[]
}

/** The input of {@link buildWaveReport}. */
export interface WaveReportInput {
  issues: readonly WaveIssue[]
  pulls: readonly WavePull[]
}

/** The criteria, by id. */
export type CriterionId =
  'has-pr' | 'approved' | 'summary-comment' | 'branch-deleted' | 'codex-trailers'

/** One success criterion over the whole wave. */
export interface CriterionResult {
  id: CriterionId
  description: string
  passed: boolean
  /** How many subjects it applies to, and how many pass. */
  checked: number
  passing: number
  /** One line per subject that fails. */
  failures: string[]
}

/** One issue's line in the report. */
export interface IssueReport {
  number: number
  title: string
  skipped: string | null
  /** The PR that carries the issue (merged first, then open, then closed), or null. */
  pr: number | null
  prUrl: string | null
  prState: WavePull['state'] | null
  /** The criteria that apply to this issue and its PR, and whether each holds. */
  criteria: Partial<Record<CriterionId, boolean>>
  /** Codex usage of its PR (shared with the other issues of a combined PR). */
  usage: CodexUsageRecord
  /** The other issues the PR (and so the usage) is shared with. */
  sharedWith: number[]
}

/** A commit on a pipeline branch without a codex trailer: code touched outside codex. */
export interface FlaggedCommit {
  pr: number
  url: string | null
  sha: string
  title: string
}

/** The wave report as data. */
export interface WaveReport {
  allPassed: boolean
  criteria: CriterionResult[]
  issues: IssueReport[]
  flaggedCommits: FlaggedCommit[]
  usage: {
    wave: CodexUsageRecord
    byPull: Array<{ pr: number; url: string | null; usage: CodexUsageRecord }>
  }
}

const DESCRIPTIONS: Record<CriterionId, string> = {
  'has-pr': 'Each non-skipped issue has an open or merged PR',
  approved: 'Each open PR has an approved review of its head with the read-only check passed',
  'summary-comment': 'Each PR has a summary comment',
  'branch-deleted': 'Each merged branch is deleted',
  'codex-trailers': 'Every commit on a pipeline branch carries a codex trailer'
}

/**
 * Checks the wave against its success criteria: each non-skipped issue has an open or merged PR;
 * each open PR has an approved review of its current head with the read-only check passed; each PR
 * has a summary comment; each merged branch is deleted; every non-merge commit on a pipeline branch
 * carries a codex trailer (one without is flagged as a code touch outside codex). Usage is totalled
 * per PR (shown on each of its issues) and once per PR for the wave.
 */
export function buildWaveReport(input: WaveReportInput): WaveReport {
  const pulls = [...input.pulls].sort((a, b) => a.number - b.number)
  const issues = [...input.issues].sort((a, b) => a.number - b.number)
  const usageOf = (pull: WavePull) => ledgerUsage(pull.ledger)

  const flaggedCommits = pulls.flatMap(pull =>
    pull.commits
      .filter(commit => commit.parents < 2 && !hasCodexTrailer(commit.message))
      .map(commit => ({
        pr: pull.number,
        url: pull.url,
        sha: commit.sha,
        title: firstLine(commit.message)
      }))
  )
  const openPulls = pulls.filter(pull => pull.state === 'open')
  const merged = pulls.filter(pull => pull.state === 'merged')
  const approved = (pull: WavePull) =>
    pull.ledger !== null && isApprovedFor(pull.ledger, pull.headSha)
  const withPr = (issue: WaveIssue) => carrierOf(issue.number, pulls)

  const issueReports = issues.map((issue): IssueReport => {
    const pull = withPr(issue)
    const criteria: IssueReport['criteria'] = {}
    if (issue.skip === null) criteria['has-pr'] = pull !== null && pull.state !== 'closed'
    if (pull !== null) {
      if (pull.state === 'open') criteria.approved = approved(pull)
      criteria['summary-comment'] = pull.summaryComment
      if (pull.state === 'merged') criteria['branch-deleted'] = pull.branchDeleted
      criteria['codex-trailers'] = !flaggedCommits.some(commit => commit.pr === pull.number)
    }
    return {
      number: issue.number,
      title: issue.title,
      skipped: issue.skip === null ? null : `${issue.skip.reason}: ${issue.skip.detail}`,
      pr: pull?.number ?? null,
      prUrl: pull?.url ?? null,
      prState: pull?.state ?? null,
      criteria,
      usage: pull === null ? { ...NO_USAGE } : usageOf(pull),
      sharedWith: pull === null ? [] : pull.issues.filter(number => number !== issue.number)
    }
  })

  const active = issues.filter(issue => issue.skip === null)
  const criteria: CriterionResult[] = [
    criterion(
      'has-pr',
      active,
      issue => {
        const pull = withPr(issue)
        return pull !== null && pull.state !== 'closed'
      },
      issue => {
        const pull = withPr(issue)
        return pull === null
          ? `#${issue.number} has no PR`
          : `#${issue.number}: its PR #${pull.number} was closed without merging`
      }
    ),
    criterion(
      'approved',
      openPulls,
      approved,
      pull => `PR #${pull.number}: ${approvalProblem(pull)}`
    ),
    criterion(
      'summary-comment',
      pulls,
      pull => pull.summaryComment,
      pull => `PR #${pull.number} has no summary comment by the pipeline`
    ),
    criterion(
      'branch-deleted',
      merged,
      pull => pull.branchDeleted,
      pull => `PR #${pull.number}: branch ${pull.branch} still exists`
    ),
    criterion(
      'codex-trailers',
      pulls,
      pull => !flaggedCommits.some(commit => commit.pr === pull.number),
      pull =>
        `PR #${pull.number}: ${flaggedCommits
          .filter(commit => commit.pr === pull.number)
          .map(commit => shortSha(commit.sha))
          .join(', ')} without a codex trailer (code touched outside codex)`
    )
  ]

  const byPull = pulls.map(pull => ({ pr: pull.number, url: pull.url, usage: usageOf(pull) }))
  return {
    allPassed: criteria.every(result => result.passed),
    criteria,
    issues: issueReports,
    flaggedCommits,
    usage: {
      wave: byPull.reduce<CodexUsageRecord>((sum, entry) => addUsage(sum, entry.usage), {
        ...NO_USAGE
      }),
      byPull
    }
  }
}

function criterion<T>(
  id: CriterionId,
  subjects: readonly T[],
  passes: (subject: T) => boolean,
  failure: (subject: T) => string
): CriterionResult {
  const failing = subjects.filter(subject => !passes(subject))
  return {
    id,
    description: DESCRIPTIONS[id],
    passed: failing.length === 0,
    checked: subjects.length,
    passing: subjects.length - failing.length,
    failures: failing.map(failure)
  }
}

function approvalProblem(pull: WavePull): string {
  if (pull.ledger === null) return 'no trusted ledger, so no approval'
  const last = latestReviewOf(pull.ledger, pull.headSha)
  if (last === null) return `head ${shortSha(pull.headSha)} has no review`
  if (last.readOnly === 'violated')
    return `the review of ${shortSha(pull.headSha)} broke the read-only check`
  return `the review of ${shortSha(pull.headSha)} did not approve it`
}

/** The PR that carries an issue: a merged one first, then an open one, then a closed one. */
function carrierOf(issue: number, pulls: readonly WavePull[]): WavePull | null {
  const rank = { merged: 0, open: 1, closed: 2 } as const
  const candidates = pulls
    .filter(pull => pull.issues.includes(issue))
    .sort((a, b) => rank[a.state] - rank[b.state] || a.number - b.number)
  return candidates[0] ?? null
}

function ledgerUsage(ledger: Ledger | null): CodexUsageRecord {
  if (ledger === null) return { ...NO_USAGE }
  return addUsage(addUsage(ledger.usage.dispatch, ledger.usage.review), ledger.usage.correct)
}

/**
 * True when the commit message's trailer block (its last paragraph) has a codex trailer with a
 * value. Trailer keys compare case-insensitively, as git's do.
 */
export function hasCodexTrailer(message: string): boolean {
  const paragraphs = message
    .replace(/\r\n?/g, '\n')
    .trim()
    .split(/\n\s*\n/)
  if (paragraphs.length < 2) return false
  const trailers = (paragraphs[paragraphs.length - 1] as string).split('\n')
  const keys = CODEX_TRAILERS.map(key => key.toLowerCase())
  return trailers.some(line => {
    const match = /^([A-Za-z0-9-]+):\s*\S/.exec(line)
    return match !== null && keys.includes((match[1] as string).toLowerCase())
  })
}

function firstLine(message: string): string {
  return message.split(/\r?\n/)[0] ?? ''
}

const MARK = { true: '✅', false: '❌' } as const

/** The wave report as Markdown for the job summary; deterministic for the same report. */
export function renderWaveReport(report: WaveReport): string {
  const failed = report.criteria.filter(result => !result.passed).length
  const prRef = (number: number | null, url: string | null) =>
    number === null ? '—' : link(`#${number}`, url)
  const sections = [
    `## Wave report: ${report.allPassed ? 'every criterion met' : `${failed} of ${report.criteria.length} criteria not met`}`,
    '',
    table(
      ['Criterion', 'Result', 'Passing'],
      report.criteria.map(result => [
        escapeText(result.description),
        MARK[`${result.passed}`],
        `${result.passing} of ${result.checked}`
      ])
    ),
    ''
  ]
  const failures = report.criteria.flatMap(result => result.failures)
  if (failures.length > 0) {
    sections.push('**Not met**', '', ...failures.map(line => `- ${escapeText(line)}`), '')
  }
  const check = (value: boolean | undefined) => (value === undefined ? '—' : MARK[`${value}`])
  sections.push(
    '### Issues',
    '',
    table(
      [
        'Issue',
        'Title',
        'PR',
        'State',
        'Has PR',
        'Approved',
        'Summary comment',
        'Branch deleted',
        'Codex trailers',
        'Tokens in / out',
        'Codex time'
      ],
      report.issues.map(issue => [
        `#${issue.number}`,
        escapeText(issue.title, { max: 120 }),
        prRef(issue.pr, issue.prUrl),
        issue.skipped === null
          ? (issue.prState ?? 'no PR')
          : `skipped (${escapeText(issue.skipped, { max: 200 })})`,
        check(issue.criteria['has-pr']),
        check(issue.criteria.approved),
        check(issue.criteria['summary-comment']),
        check(issue.criteria['branch-deleted']),
        check(issue.criteria['codex-trailers']),
        `${formatCount(issue.usage.inputTokens)} / ${formatCount(issue.usage.outputTokens)}${issue.sharedWith.length > 0 ? ` (shared with ${issue.sharedWith.map(n => `#${n}`).join(', ')})` : ''}`,
        formatDuration(issue.usage.durationMs)
      ])
    ),
    ''
  )
  if (report.flaggedCommits.length > 0) {
    sections.push(
      '### Commits without a codex trailer (code touched outside codex)',
      '',
      table(
        ['PR', 'Commit', 'Title'],
        report.flaggedCommits.map(commit => [
          prRef(commit.pr, commit.url),
          codeSpan(shortSha(commit.sha)),
          escapeText(commit.title, { max: 200 })
        ])
      ),
      ''
    )
  }
  const wave = report.usage.wave
  sections.push(
    '### Codex usage',
    '',
    table(
      ['PR', 'Input tokens', 'Cached input', 'Output tokens', 'Codex time'],
      [
        ...report.usage.byPull.map(entry => usageRow(prRef(entry.pr, entry.url), entry.usage)),
        usageRow('**wave**', wave)
      ],
      ['left', 'right', 'right', 'right', 'right']
    ),
    ''
  )
  return sections.join('\n')
}

function usageRow(label: string, usage: CodexUsageRecord): string[] {
  return [
    label,
    formatCount(usage.inputTokens),
    formatCount(usage.cachedInputTokens),
    formatCount(usage.outputTokens),
    formatDuration(usage.durationMs)
  ]
}
