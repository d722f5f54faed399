/**
 * What a review verdict means for the PR: the commit status, the next phase, what is corrected and
 * what is deferred; and what to do when the reviewer's output could not be used.
 */
import type {
  CorrectionItem,
  DeferredItem,
  ReviewFinding,
  ReviewVerdict
} from '../contracts/index.js'
import { DEFAULT_REVIEW_POLICY, triageFindings, type ReviewPolicy } from './policy.js'

/** The commit status context the review publishes on the head SHA (branch protection requires it). */
export const REVIEW_STATUS_CONTEXT = 'codex-waves/review'

/** A scope violation moved to should-fix because the issue itself names what it touched. */
export interface Downgrade {
  id: string
  title: string
  /** What the issue body names, e.g. `file "src/store.ts"` or ``identifier `saveUser` ``. */
  matched: string
  /** The note shown with the finding. */
  note: string
}

/** The review phase's decision for one verdict. */
export interface ReviewDecision {
  /** The `verdict` output: the reviewer's, corrected by the rules below. */
  verdict: 'approved' | 'changes_requested' | 'escalated'
  /** The `next` output. */
  next: 'merge' | 'correct' | 'escalate'
  /** The state of the `codex-waves/review` commit status on the head. */
  status: 'success' | 'failure'
  /** The verdict after downgrades: what the comment shows and the correction order is built from. */
  findings: ReviewVerdict
  downgraded: Downgrade[]
  /** What a correction takes on (empty unless `next` is `correct`). */
  chosen: CorrectionItem[]
  /** What is left, with the reason (shown in the PR comment). */
  deferred: DeferredItem[]
  /** Findings that block the merge: blocking items plus scope violations (the `blocking-count`). */
  blockingCount: number
  /** One line for people, also the commit status description (at most 140 characters). */
  description: string
}

/** The input of {@link decideReview}. */
export interface ReviewDecisionInput {
  /** The reviewer's verdict, already valid against the contract. */
  verdict: ReviewVerdict
  /** The body of the issue(s) the PR implements (joined when several). */
  issueBody: string
  policy?: ReviewPolicy
}

/**
 * Decides a review. First, scope violations whose file or identifiers the issue body names become
 * should-fix items with a note (the issue asked for that change). Then: any blocking item or scope
 * violation → `changes_requested`, status failure, `next=correct`; else any should-fix item or nit
 * the policy corrects → the same; else, with every remaining finding deferred into the PR comment,
 * `approved`, status success, `next=merge`. A reviewer that requests changes without naming a single
 * finding contradicts itself: that is escalated to a person rather than guessed at.
 */
export function decideReview(input: ReviewDecisionInput): ReviewDecision {
  const policy = input.policy ?? DEFAULT_REVIEW_POLICY
  const { verdict: findings, downgraded } = downgradeNamedScopeViolations(
    input.verdict,
    input.issueBody
  )
  const { chosen, deferred } = triageFindings(findings, policy)
  const blockingCount = findings.blocking.length + findings.scope_violations.length
  const base = { findings, downgraded, blockingCount }
  const total = chosen.length + deferred.length

  if (chosen.length > 0) {
    return {
      ...base,
      verdict: 'changes_requested',
      next: 'correct',
      status: 'failure',
      chosen,
      deferred,
      description: describe('changes requested', findings, chosen.length, deferred.length)
    }
  }
  if (input.verdict.verdict === 'changes_requested' && total === 0) {
    return {
      ...base,
      verdict: 'escalated',
      next: 'escalate',
      status: 'failure',
      chosen: [],
      deferred,
      description: 'escalated: the reviewer requested changes but named no finding'
    }
  }
  return {
    ...base,
    verdict: 'approved',
    next: 'merge',
    status: 'success',
    chosen: [],
    deferred,
    description: describe('approved', findings, 0, deferred.length)
  }
}

function describe(
  outcome: string,
  findings: ReviewVerdict,
  chosen: number,
  deferred: number
): string {
  const counts = [
    plural(findings.blocking.length, 'blocking', 'blocking'),
    plural(findings.scope_violations.length, 'scope violation', 'scope violations'),
    plural(findings.should_fix.length, 'should-fix', 'should-fix'),
    plural(findings.nits.length, 'nit', 'nits')
  ].filter(part => part !== '')
  const parts = [counts.length === 0 ? 'no findings' : counts.join(', ')]
  if (chosen > 0) parts.push(`${chosen} to correct`)
  if (deferred > 0) parts.push(`${deferred} deferred`)
  return `${outcome}: ${parts.join('; ')}`.slice(0, 140)
}

function plural(count: number, one: string, many: string): string {
  if (count === 0) return ''
  return `${count} ${count === 1 ? one : many}`
}

/**
 * Moves every scope violation whose file, or an identifier it quotes in backticks, is named in the
 * issue body to should-fix, with a note saying what the issue names. The verdict is not mutated.
 */
export function downgradeNamedScopeViolations(
  verdict: ReviewVerdict,
  issueBody: string
): { verdict: ReviewVerdict; downgraded: Downgrade[] } {
  const kept: ReviewFinding[] = []
  const moved: ReviewFinding[] = []
  const downgraded: Downgrade[] = []
  for (const finding of verdict.scope_violations) {
    const matched = namedInIssue(finding, issueBody)
    if (matched === null) {
      kept.push(finding)
      continue
    }
    const note = `Downgraded from scope violation to should-fix: the issue names ${matched}.`
    moved.push(finding)
    downgraded.push({ id: finding.id, title: finding.title, matched, note })
  }
  return {
    verdict: { ...verdict, scope_violations: kept, should_fix: [...verdict.should_fix, ...moved] },
    downgraded
  }
}

/** What of the finding the issue body names (its file, its base name, a quoted identifier), or null. */
function namedInIssue(finding: ReviewFinding, issueBody: string): string | null {
  if (finding.file !== null && finding.file.trim() !== '') {
    const path = finding.file.trim().replace(/^\.\//, '')
    if (mentions(issueBody, path)) return `file "${path}"`
    const baseName = path.split('/').pop() ?? ''
    if (baseName !== path && /^[^.]{2,}\.\w+$/.test(baseName) && mentions(issueBody, baseName)) {
      return `file "${baseName}"`
    }
  }
  for (const identifier of quotedIdentifiers(`${finding.title}\n${finding.detail}`)) {
    if (mentions(issueBody, identifier)) return `identifier \`${identifier}\``
  }
  return null
}

/** Backtick-quoted names in a finding that look like code identifiers or paths (3+ characters). */
function quotedIdentifiers(text: string): string[] {
  const names = [...text.matchAll(/`([^`\n]+)`/g)].map(match => (match[1] ?? '').trim())
  return [...new Set(names.filter(name => /^[A-Za-z_$][\w$.:/#-]{2,}$/.test(name)))]
}

/** True when `text` contains `term` as a whole token (not inside a longer name or path). */
function mentions(text: string, term: string): boolean {
  const escaped = term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`(?<![\\w$/.-])${escaped}(?![\\w$/-]|\\.\\w)`).test(text)
}

/** What the review phase does after a reviewer run whose verdict could not be used. */
export type ReviewFailureDecision =
  | { action: 'proceed'; reason: string }
  | { action: 'retry'; reason: string }
  | { action: 'escalate'; reason: string }

/** The input of {@link decideAfterReviewFailure}. */
export interface ReviewFailureInput {
  /** Reviewer outputs in this review that did not parse against the verdict schema. */
  malformedAttempts: number
  /** Reviews in a row (the ledger's count, this one included) that changed the work tree. */
  consecutiveViolations: number
}

/**
 * Retry or escalate after an unusable reviewer run: a verdict that did not parse gets one retry
 * (with the validation error in the prompt), a second escalates; a reviewer that changed the tree
 * has its verdict discarded and is run again once, and two such runs in a row escalate. With
 * neither problem the review proceeds.
 */
export function decideAfterReviewFailure(input: ReviewFailureInput): ReviewFailureDecision {
  if (input.consecutiveViolations >= 2) {
    return {
      action: 'escalate',
      reason: `the reviewer changed the work tree in ${input.consecutiveViolations} reviews in a row (it must only read); its verdicts were discarded`
    }
  }
  if (input.malformedAttempts >= 2) {
    return {
      action: 'escalate',
      reason: `the reviewer's output did not match the verdict schema ${input.malformedAttempts} times, the retry included`
    }
  }
  if (input.consecutiveViolations === 1) {
    return {
      action: 'retry',
      reason:
        'the reviewer changed the work tree (it must only read): verdict discarded, tree restored, review run again'
    }
  }
  if (input.malformedAttempts === 1) {
    return {
      action: 'retry',
      reason:
        "the reviewer's output did not match the verdict schema: run again with the validation error in the prompt"
    }
  }
  return { action: 'proceed', reason: 'the verdict is usable' }
}
