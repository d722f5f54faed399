/**
 * Which review findings a correction takes on and which it leaves, by the repository's review
 * policy. Shared by the review decision (what the comment and status say) and the correction order
 * (what the corrector is asked to do), so the two can never disagree.
 */
import type {
  CorrectionItem,
  DeferredItem,
  ReviewCategory,
  ReviewFinding,
  ReviewVerdict,
  WaveConfig
} from '../contracts/index.js'

/** The part of the config that decides what gets corrected (`review.should-fix`, `review.nits`). */
export type ReviewPolicy = Pick<WaveConfig['review'], 'shouldFix' | 'nits'>

/** The defaults of `.github/codex-waves.yml`: should-fix findings corrected, nits deferred. */
export const DEFAULT_REVIEW_POLICY: Readonly<ReviewPolicy> = Object.freeze({
  shouldFix: 'correct',
  nits: 'defer'
})

/** The verdict's lists in the order they are shown and chosen: most severe first. */
export const CATEGORY_ORDER: readonly ReviewCategory[] = [
  'blocking',
  'scope_violations',
  'should_fix',
  'nits'
]

/** A finding with the list it came from. */
export interface CategorizedFinding {
  category: ReviewCategory
  finding: ReviewFinding
}

/** Every finding of a verdict with its category, most severe first, in the reviewer's order. */
export function allFindings(verdict: ReviewVerdict): CategorizedFinding[] {
  return CATEGORY_ORDER.flatMap(category =>
    verdict[category].map(finding => ({ category, finding }))
  )
}

/** Findings split into what a correction must address and what it leaves, each with its reason. */
export interface FindingTriage {
  chosen: CorrectionItem[]
  deferred: DeferredItem[]
}

/**
 * Splits a verdict's findings: blocking items and scope violations are always chosen; should-fix
 * items and nits by `policy`; every item not chosen is deferred with the setting that deferred it.
 */
export function triageFindings(
  verdict: ReviewVerdict,
  policy: ReviewPolicy = DEFAULT_REVIEW_POLICY
): FindingTriage {
  const chosen: CorrectionItem[] = []
  const deferred: DeferredItem[] = []
  for (const { category, finding } of allFindings(verdict)) {
    const item = { id: finding.id, category, title: finding.title, detail: null }
    const reason = deferralReason(category, policy)
    if (reason === null) chosen.push(item)
    else deferred.push({ ...item, reason })
  }
  return { chosen, deferred }
}

function deferralReason(category: ReviewCategory, policy: ReviewPolicy): string | null {
  if (category === 'should_fix' && policy.shouldFix === 'defer') {
    return 'should-fix items are deferred by the review policy (review.should-fix: defer)'
  }
  if (category === 'nits' && policy.nits === 'defer') {
    return 'nits are deferred by the review policy (review.nits: defer)'
  }
  return null
}
