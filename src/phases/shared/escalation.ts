/**
 * Handing a PR to a person, shared by the review and correct phases: the `needs-human` label and
 * the escalation comment that says what is unresolved and what to do.
 */
import type { CorrectionItem, DeferredItem, Ledger, ReviewVerdict } from '../../contracts/index.js'
import {
  escalationCommentMarker,
  renderEscalationComment
} from '../../report/escalation-comment.js'
import type { MutationOutcome } from '../../ports.js'
import type { PhaseContext } from './context.js'
import { REVIEW_WORKFLOW } from './workflow-names.js'

/** What the escalation is about. */
export interface Escalation {
  ledger: Ledger
  headSha: string
  reason: string
  maxCycles: number
  unresolved: ReadonlyArray<CorrectionItem | DeferredItem>
  verdict: ReviewVerdict | null
}

/** Labels the PR and posts (or updates) its escalation comment; returns what the comment did. */
export async function escalateToPerson(
  context: Pick<PhaseContext, 'forge' | 'config' | 'pipelineLogin' | 'run' | 'ui'>,
  escalation: Escalation
): Promise<MutationOutcome> {
  const { ledger } = escalation
  const label = context.config.labels.needsHuman
  await context.forge.addLabels(ledger.pr, [label])
  const body = renderEscalationComment({
    pr: ledger.pr,
    issues: ledger.issues,
    branch: ledger.branch,
    headSha: escalation.headSha,
    reason: escalation.reason,
    cyclesSpent: ledger.cycles,
    maxCycles: escalation.maxCycles,
    unresolved: escalation.unresolved,
    verdict: escalation.verdict,
    label,
    reviewWorkflow: REVIEW_WORKFLOW,
    runUrl: context.run.url
  })
  const { outcome } = await context.forge.upsertComment(
    ledger.pr,
    escalationCommentMarker(ledger.pr),
    body,
    context.pipelineLogin
  )
  context.ui.warning(`PR #${ledger.pr} needs a person: ${escalation.reason}`, {
    title: 'codex-waves escalated'
  })
  return outcome
}
