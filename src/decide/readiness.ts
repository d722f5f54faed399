/**
 * Whether a PR can be merged now, and when not, why and what happens next. Every reason is said
 * out loud: a PR is never left waiting in silence.
 */
import type { Ledger } from '../contracts/index.js'
import { latestReviewOf } from '../ledger/index.js'
import { REVIEW_STATUS_CONTEXT } from './review.js'

/** The facts of the PR the decision needs (from the pulls API). */
export interface PullFacts {
  number: number
  state: 'open' | 'closed'
  merged: boolean
  draft: boolean
  headSha: string
  /** GitHub's `mergeable`: null while it is still computing it. */
  mergeable: boolean | null
  /** When the current head was pushed (ISO 8601): the start of the wait for CI. */
  headPushedAt: string
}

/** One commit status on the head, the latest for its context (as the combined status lists them). */
export interface StatusFact {
  context: string
  state: 'success' | 'failure' | 'error' | 'pending'
}

/** One check run on the head. */
export interface CheckFact {
  name: string
  /** `queued`, `in_progress`, `completed`, `waiting`, `requested`, `pending`. */
  status: string
  /** Set once completed: `success`, `neutral`, `skipped`, `failure`, `cancelled`, `timed_out`, ... */
  conclusion: string | null
}

/** Why a PR is not ready. */
export type NotReadyReason =
  | 'merged'
  | 'closed'
  | 'draft'
  | 'no-ledger'
  | 'escalated'
  | 'not-reviewed'
  | 'head-changed'
  | 'not-approved'
  | 'review-status-not-success'
  | 'ci-failed'
  | 'ci-pending'
  | 'ci-not-started'
  | 'mergeable-computing'
  | 'conflict'

/**
 * What the merge phase does with a PR that is not ready: `wait` (look again later), `review` (the
 * head needs a review), `correct` (a correction order), `blocked` (a person must act), `skip` (not
 * the pipeline's business any more).
 */
export type NotReadyNext = 'wait' | 'review' | 'correct' | 'blocked' | 'skip'

/** The readiness of one PR. */
export type Readiness =
  | { ready: true; detail: string }
  | { ready: false; reason: NotReadyReason; next: NotReadyNext; detail: string }

/** The input of {@link readiness}. */
export interface ReadinessInput {
  pr: PullFacts
  /** The PR's trusted ledger, or null when it has none. */
  ledger: Ledger | null
  statuses: readonly StatusFact[]
  checks: readonly CheckFact[]
  now: Date
  /** `merge.ci-start-timeout-minutes`: how long CI may take to start on a head. */
  ciStartTimeoutMinutes: number
}

const PASSING_CONCLUSIONS = new Set(['success', 'neutral', 'skipped'])

/**
 * Decides whether a PR is ready to merge: open, not a draft, approved by the ledger for its current
 * head with the read-only check passed, the `codex-waves/review` status success on that head, every
 * other check and status there complete and successful, and GitHub saying it is mergeable. The
 * first failing condition is the reason. CI that has not started on the head within the timeout is
 * reported as blocked, with why that happens to pushes made with `GITHUB_TOKEN` and how to fix it.
 */
export function readiness(input: ReadinessInput): Readiness {
  const { pr, ledger } = input
  const head = pr.headSha.slice(0, 7)
  const not = (reason: NotReadyReason, next: NotReadyNext, detail: string): Readiness => ({
    ready: false,
    reason,
    next,
    detail
  })

  if (pr.merged) return not('merged', 'skip', `PR #${pr.number} is already merged.`)
  if (pr.state === 'closed') return not('closed', 'skip', `PR #${pr.number} is closed.`)
  if (pr.draft) {
    return not(
      'draft',
      'skip',
      `PR #${pr.number} is a draft; mark it ready for review to merge it.`
    )
  }
  if (ledger === null) {
    return not(
      'no-ledger',
      'blocked',
      `PR #${pr.number} has no ledger comment by the pipeline, so no approval can be trusted; run the review for it.`
    )
  }
  if (ledger.status === 'escalated') {
    return not(
      'escalated',
      'blocked',
      `PR #${pr.number} is escalated to a person${ledger.statusReason === null ? '' : `: ${ledger.statusReason}`}.`
    )
  }

  const approval = approvalProblem(ledger, pr.headSha, pr.number)
  if (approval !== null) return approval

  const reviewStatus = input.statuses.find(status => status.context === REVIEW_STATUS_CONTEXT)
  if (reviewStatus?.state !== 'success') {
    return not(
      'review-status-not-success',
      'review',
      `The ${REVIEW_STATUS_CONTEXT} status on ${head} is ${reviewStatus?.state ?? 'missing'}, not success, although the ledger approves this head; review it again to publish the status.`
    )
  }

  const ci = classifyCi(input.statuses, input.checks)
  if (ci.failed.length > 0) {
    return not(
      'ci-failed',
      'blocked',
      `CI failed on ${head}: ${ci.failed.join(', ')}. Fix the failure (or re-run the failed jobs) before merging.`
    )
  }
  if (ci.pending.length > 0) {
    return not(
      'ci-pending',
      'wait',
      `Waiting for CI on ${head}: ${ci.pending.join(', ')} still running.`
    )
  }
  if (ci.passed === 0) {
    const waited = (input.now.getTime() - Date.parse(pr.headPushedAt)) / 60_000
    if (waited < input.ciStartTimeoutMinutes) {
      return not(
        'ci-pending',
        'wait',
        `Waiting for CI to start on ${head}: nothing has reported for ${Math.floor(waited)} min (the limit is ${input.ciStartTimeoutMinutes} min).`
      )
    }
    return not(
      'ci-not-started',
      'blocked',
      ciNeverStarted(head, waited, input.ciStartTimeoutMinutes)
    )
  }

  if (pr.mergeable === null) {
    return not(
      'mergeable-computing',
      'wait',
      `GitHub is still computing whether PR #${pr.number} merges cleanly; looking again later.`
    )
  }
  if (!pr.mergeable) {
    return not(
      'conflict',
      'correct',
      `PR #${pr.number} conflicts with its base; a correction is ordered to resolve it.`
    )
  }
  return {
    ready: true,
    detail: `PR #${pr.number} is approved for ${head}, CI passed (${ci.passed} check(s) and status(es)) and it merges cleanly.`
  }
}

function approvalProblem(ledger: Ledger, headSha: string, number: number): Readiness | null {
  const head = headSha.slice(0, 7)
  const review = latestReviewOf(ledger, headSha)
  if (review === null) {
    const approvedBefore = [...ledger.reviews].reverse().find(other => other.verdict === 'approved')
    if (approvedBefore !== undefined) {
      return {
        ready: false,
        reason: 'head-changed',
        next: 'review',
        detail: `The head of PR #${number} changed to ${head} after ${approvedBefore.headSha.slice(0, 7)} was approved; it goes back to review.`
      }
    }
    return {
      ready: false,
      reason: 'not-reviewed',
      next: 'wait',
      detail: `PR #${number} has no review of its head ${head} yet.`
    }
  }
  if (review.verdict !== 'approved' || review.readOnly !== 'passed') {
    const what =
      review.readOnly === 'violated'
        ? 'its reviewer broke the read-only check'
        : review.verdict === null
          ? 'its review produced no verdict'
          : 'its review requested changes'
    return {
      ready: false,
      reason: 'not-approved',
      next: 'blocked',
      detail: `PR #${number} is not approved for ${head}: ${what}.`
    }
  }
  return null
}

function classifyCi(
  statuses: readonly StatusFact[],
  checks: readonly CheckFact[]
): { failed: string[]; pending: string[]; passed: number } {
  const failed: string[] = []
  const pending: string[] = []
  let passed = 0
  const seen = new Set<string>()
  for (const status of statuses) {
    if (status.context === REVIEW_STATUS_CONTEXT || seen.has(status.context)) continue
    seen.add(status.context)
    if (status.state === 'success') passed++
    else if (status.state === 'pending') pending.push(status.context)
    else failed.push(`${status.context} (${status.state})`)
  }
  for (const check of checks) {
    if (check.status !== 'completed' || check.conclusion === null) pending.push(check.name)
    else if (PASSING_CONCLUSIONS.has(check.conclusion)) passed++
    else failed.push(`${check.name} (${check.conclusion})`)
  }
  return { failed: failed.sort(), pending: pending.sort(), passed }
}

function ciNeverStarted(head: string, waited: number, limit: number): string {
  return [
    `CI never started on ${head}: no check or status reported in ${Math.floor(waited)} min (the limit is ${limit} min).`,
    'Pushes and pull requests made with GITHUB_TOKEN start no workflow runs (only workflow_dispatch and repository_dispatch are exempt), so CI does not run on heads the pipeline pushed with it.',
    'Give the pipeline a GitHub App token: create a GitHub App with contents, pull requests and workflows write access, install it on this repository, store its client id and private key as secrets, mint a token in each pipeline workflow with actions/create-github-app-token, and pass that token as the github-token input.',
    'Then push to the branch (or close and reopen the PR) so CI starts on the head.'
  ].join(' ')
}
