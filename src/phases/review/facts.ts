/**
 * Pure helpers of the review and correct phases: the CI state of a head, the diff stat from
 * `git diff --numstat`, whether a commit status is already published, and codex usage as the
 * ledger records it.
 */
import type { CiState } from '../../prompts/index.js'
import type { CommitState, ForgeCiState } from '../../ports.js'

const PASSING_CONCLUSIONS = new Set(['success', 'neutral', 'skipped'])

/**
 * The combined CI state of a head, leaving out the status `ownContext` (the review's own status is
 * not CI): `failure` when any status or completed check failed, else `pending` while any runs,
 * else `success` when something reported, else `none`.
 */
export function ciStateOf(ci: ForgeCiState, ownContext: string): CiState {
  const statuses = ci.statuses.filter(status => status.context !== ownContext)
  const failed =
    statuses.some(status => status.state === 'failure' || status.state === 'error') ||
    ci.checks.some(
      check =>
        check.status === 'completed' && !PASSING_CONCLUSIONS.has(check.conclusion ?? 'failure')
    )
  if (failed) return 'failure'
  const pending =
    statuses.some(status => status.state === 'pending') ||
    ci.checks.some(check => check.status !== 'completed')
  if (pending) return 'pending'
  return statuses.length + ci.checks.length === 0 ? 'none' : 'success'
}

/** Files, insertions and deletions, as `git diff --stat` sums them. */
export interface DiffStat {
  files: number
  additions: number
  deletions: number
}

/** Sums `git diff --numstat` output; binary files (`-\t-\t<path>`) count as files only. */
export function parseNumstat(output: string): DiffStat {
  const stat: DiffStat = { files: 0, additions: 0, deletions: 0 }
  for (const line of output.split('\n')) {
    const match = /^(\d+|-)\t(\d+|-)\t./.exec(line)
    if (match === null) continue
    stat.files += 1
    stat.additions += match[1] === '-' ? 0 : Number(match[1])
    stat.deletions += match[2] === '-' ? 0 : Number(match[2])
  }
  return stat
}

/** GitHub keeps at most this much of a status description. */
export const STATUS_DESCRIPTION_MAX = 140

/** A status description as GitHub stores it: one line, at most 140 characters. */
export function statusDescription(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim()
  return line.length <= STATUS_DESCRIPTION_MAX
    ? line
    : `${line.slice(0, STATUS_DESCRIPTION_MAX - 1)}…`
}

/**
 * Whether the newest status of `context` on the head already says `state` with `description`:
 * GitHub keeps every status it is sent, so posting the same one again only adds noise.
 */
export function hasStatus(
  ci: ForgeCiState,
  context: string,
  state: CommitState,
  description: string
): boolean {
  const current = ci.statuses.find(status => status.context === context)
  return current?.state === state && (current.description ?? '') === description
}
