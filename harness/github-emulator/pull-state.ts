/**
 * Keeping pull requests in step with their git refs, as GitHub does: a push to the head branch
 * moves the PR's head, a deleted head closes it, and `mergeable` is recomputed in the background
 * (a real `git merge-tree`) whenever head or base move, reading `null` until the answer is in.
 */
import { setTimeout as delay } from 'node:timers/promises'
import type { ForgeCore } from './core.js'
import { diffFiles } from './git-diff.js'
import { mergeTrees } from './git-merge.js'
import { countCommits, listBranches, mergeBase } from './git.js'
import { combinedState, latestStatuses } from './render/checks.js'
import type { PullDetails } from './render/pulls.js'
import type { IssueRecord, PullRecord, RepoState } from './state.js'
import { timestamp } from './state.js'

type PullIssue = IssueRecord & { pull: PullRecord }

/** Closes a pull request without merging it. */
export function closeUnmerged(
  core: ForgeCore,
  repo: RepoState,
  issue: PullIssue,
  actor: string | null
): void {
  const now = timestamp()
  issue.state = 'closed'
  issue.closedAt = now
  issue.updatedAt = now
  core.state.recordEvent(repo, 'pull_request', 'closed', actor, {
    number: issue.number,
    merged: false
  })
}

/**
 * Reads every branch of the repository and brings open PRs up to date with them; `actor` is
 * whoever moved the refs (the pusher), null when unknown. Returns the branches read.
 */
export async function syncPulls(
  core: ForgeCore,
  repo: RepoState,
  actor: string | null
): Promise<Map<string, string>> {
  const branches = await listBranches(repo.gitDir)
  for (const issue of repo.pulls() as PullIssue[]) {
    if (issue.state !== 'open') continue
    const head = branches.get(issue.pull.headRef)
    const base = branches.get(issue.pull.baseRef)
    if (head === undefined || base === undefined) {
      closeUnmerged(core, repo, issue, actor)
      continue
    }
    if (head !== issue.pull.headSha) {
      issue.pull.headSha = head
      issue.updatedAt = timestamp()
      core.state.recordEvent(repo, 'pull_request', 'synchronize', actor, {
        number: issue.number,
        sha: head
      })
    }
    issue.pull.baseSha = base
  }
  return branches
}

async function computeMergeability(
  core: ForgeCore,
  repo: RepoState,
  pull: PullRecord,
  key: string
): Promise<void> {
  await delay(core.mergeabilityDelayMs)
  const [head, base] = key.split(':') as [string, string]
  try {
    const attempt = await mergeTrees(repo.gitDir, base, head)
    if (pull.mergeability.key === key) pull.mergeability.mergeable = attempt.clean
  } catch {
    if (pull.mergeability.key === key) pull.mergeability.key = ''
  }
}

/**
 * What `mergeable` reads right now. When head or base moved since the last answer, a background
 * merge attempt starts and this read (like GitHub's first read) gets null.
 */
export function observeMergeable(
  core: ForgeCore,
  repo: RepoState,
  issue: PullIssue
): boolean | null {
  if (issue.state !== 'open') return null
  const pull = issue.pull
  const key = `${pull.headSha}:${pull.baseSha}`
  if (pull.mergeability.key === key) return pull.mergeability.mergeable
  pull.mergeability = { key, mergeable: null }
  void computeMergeability(core, repo, pull, key)
  return null
}

const PASSING_CONCLUSIONS = new Set(['success', 'neutral', 'skipped'])

function checksState(repo: RepoState, sha: string): 'passing' | 'not-passing' {
  const statuses = latestStatuses(repo, sha)
  if (statuses.length > 0 && combinedState(statuses) !== 'success') return 'not-passing'
  for (const run of repo.checkRuns.values()) {
    if (run.headSha !== sha) continue
    if (run.status !== 'completed' || !PASSING_CONCLUSIONS.has(run.conclusion ?? ''))
      return 'not-passing'
  }
  return 'passing'
}

/** The first required status context that is not `success` on `sha`, or null. */
export function unmetRequiredCheck(repo: RepoState, sha: string): string | null {
  const latest = latestStatuses(repo, sha)
  for (const context of repo.settings.requiredStatusChecks) {
    if (latest.find(status => status.context === context)?.state !== 'success') return context
  }
  return null
}

/** GitHub's `mergeable_state` for a PR whose mergeability reads `mergeable`. */
export function mergeableState(
  repo: RepoState,
  issue: PullIssue,
  mergeable: boolean | null
): string {
  if (mergeable === null) return 'unknown'
  if (!mergeable) return 'dirty'
  if (issue.pull.draft) return 'draft'
  if (
    issue.pull.baseRef === repo.settings.defaultBranch &&
    unmetRequiredCheck(repo, issue.pull.headSha)
  ) {
    return 'blocked'
  }
  return checksState(repo, issue.pull.headSha) === 'passing' ? 'clean' : 'unstable'
}

/** The base a PR's commits and files are counted from: where head forked off the base. */
export async function pullMergeBase(repo: RepoState, pull: PullRecord): Promise<string> {
  return (await mergeBase(repo.gitDir, pull.baseSha, pull.headSha)) ?? pull.baseSha
}

/** Everything a single-PR answer needs beyond the record itself. */
export async function pullDetails(
  core: ForgeCore,
  repo: RepoState,
  issue: PullIssue
): Promise<PullDetails> {
  const mergeable = observeMergeable(core, repo, issue)
  const base = await pullMergeBase(repo, issue.pull)
  const [commits, files] = await Promise.all([
    countCommits(repo.gitDir, issue.pull.baseSha, issue.pull.headSha),
    diffFiles(repo.gitDir, base, issue.pull.headSha)
  ])
  return {
    mergeable,
    mergeableState: issue.state === 'open' ? mergeableState(repo, issue, mergeable) : 'unknown',
    commits,
    additions: files.reduce((sum, file) => sum + file.additions, 0),
    deletions: files.reduce((sum, file) => sum + file.deletions, 0),
    changedFiles: files.length
  }
}

/** Issue numbers a PR body closes on merge (`Closes #3`, `fixes #4`, `Resolved: #5`). */
export function closingReferences(body: string | null): number[] {
  const numbers = new Set<number>()
  const pattern = /\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\b:?\s+#(\d+)\b/gi
  for (const match of (body ?? '').matchAll(pattern)) numbers.add(Number(match[1]))
  return [...numbers]
}
