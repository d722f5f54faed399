/**
 * Dispatch, step plan: from a batch of issues to a wave plan. Check that the person who labelled
 * an issue may start a wave, choose the batch (the input, or the labelled issue of the event),
 * gather the facts at the base, triage, pass the confirmation gate, keep the plan as an artifact,
 * and when halted comment the proposal on the affected issues.
 */
import { sealPlan, type WavePlan } from '../../contracts/index.js'
import {
  batchFromEvent,
  confirmPlan,
  planArtifactName,
  planMatrix,
  planOutput,
  planWave,
  senderCheck,
  senderRefusal,
  type ConfirmDecision,
  type TriggerEvent
} from '../../plan/index.js'
import type { Artifacts, Forge, Git, GitAuth, MutationOutcome, Ui } from '../../ports.js'
import { escapeText } from '../../report/comment-markdown.js'
import {
  proposalCommentKey,
  proposalIssues,
  renderPlanSummary,
  renderProposalComment
} from '../../report/plan-summary.js'
import type { PhaseContext } from '../shared/context.js'
import { gatherPlanFacts, type PlanFactsForge } from './facts.js'

/** The remote `actions/checkout` fetches the base from. */
const CHECKOUT_REMOTE = 'origin'

/** What the step was asked, as plain data read from the inputs and the event. */
export interface PlanRequest {
  /** The `issues` input, parsed; empty takes the triggering event's issue. */
  issues: readonly number[]
  /** The triggering event, or null when there is none to read. */
  event: TriggerEvent | null
  /** The `confirm` input (a plan id), or null. */
  confirm: string | null
  /** The `base` input, or null to take the config's, else the checked-out branch. */
  base: string | null
  /**
   * The environment whose required reviewers gate the implement jobs (the `environment` input):
   * a plan that needs a confirmation then starts its jobs, which wait for their approval,
   * instead of halting. Absent or null: no environment, the plan halts.
   */
  environment?: string | null
  /**
   * Where the pipeline's branches are read from, so that a branch without an open pull request
   * (its push succeeded, opening the PR did not) counts as in flight for its issue. Absent or
   * null: only open pull requests count. Needs `git.fetch`.
   */
  branches?: { remote: string; auth?: GitAuth } | null
}

/** What the plan step works with. */
export type PlanPhaseContext = Pick<PhaseContext, 'repo' | 'run' | 'config' | 'pipelineLogin'> & {
  forge: PlanFactsForge & Pick<Forge, 'upsertComment' | 'getPermission'>
  artifacts: Pick<Artifacts, 'upload'>
  ui: Pick<Ui, 'info' | 'notice' | 'warning' | 'group'>
}

/** The proposal comment on one issue, and what writing it did. */
export interface ProposalCommentResult {
  issue: number
  commentId: number
  outcome: MutationOutcome
}

/** How the step ended. */
export type PlanResult =
  /**
   * The event starts no wave: an issue labelled with another label, or by someone who may not
   * start one (then nothing was read but their permission, and nothing written).
   */
  | { outcome: 'nothing'; summary: string }
  /** `confirm` named another plan: nothing was written. */
  | { outcome: 'refused'; plan: WavePlan; message: string; summary: string }
  | {
      outcome: 'planned'
      plan: WavePlan
      decision: ConfirmDecision
      /** The `plan` output: the plan's JSON, empty when too large (see `warning`). */
      planOutput: string
      /** The `matrix` output: `{"include":[...]}`, empty when nothing starts. */
      matrix: string
      /** Whether nothing starts until a re-dispatch confirms the plan. */
      halted: boolean
      /** Whether the plan waits for a person: halted, or its jobs waiting for `environment`. */
      needsConfirmation: boolean
      /** The environment whose approval the implement jobs wait for, or null. */
      environment: string | null
      artifact: string
      comments: ProposalCommentResult[]
      summary: string
    }

/** Runs the plan step; an error names what to fix and leaves nothing written. */
export async function runPlanPhase(
  context: PlanPhaseContext,
  git: Pick<Git, 'exec' | 'hasRevision'> & Partial<Pick<Git, 'fetch'>>,
  request: PlanRequest
): Promise<PlanResult> {
  const batch = await chooseBatch(context, request)
  if (batch.outcome === 'nothing') return batch
  const revision = await baseRevision(git, request.base ?? context.config.base)
  const repo = `${context.repo.owner}/${context.repo.repo}`
  const facts = await context.ui.group(
    `Reading ${batch.issues.length} issue(s) and the base (${revision})`,
    () =>
      gatherPlanFacts(context.forge, git, {
        repo,
        requested: batch.issues,
        revision,
        config: context.config,
        branches: request.branches ?? null
      })
  )
  const plan = sealPlan(planWave(facts, context.config))
  const decision = confirmPlan(plan, request.confirm, { environment: request.environment })
  const summary = renderPlanSummary(plan, decision)
  if (decision.outcome === 'refused') {
    return { outcome: 'refused', plan, message: decision.message, summary }
  }
  const matrix = planMatrix(plan, decision)
  if (!matrix.ok) throw new Error(matrix.message)
  const artifact = await keepPlan(context, plan)
  const output = planOutput(plan, artifact)
  if (output.warning !== null) context.ui.warning(output.warning)
  const halted = decision.outcome === 'halt'
  const environment = decision.outcome === 'await-approval' ? decision.environment : null
  const needsConfirmation = halted || environment !== null
  const comments = needsConfirmation ? await commentProposal(context, plan, environment) : []
  context.ui.info(decision.message)
  return {
    outcome: 'planned',
    plan,
    decision,
    planOutput: output.text,
    matrix: matrix.output,
    halted,
    needsConfirmation,
    environment,
    artifact,
    comments,
    summary
  }
}

/**
 * Why the event may not start a wave, or null when it may: the labeller of an issue needs write
 * access, since anyone with triage access can label. One request, before any other.
 */
async function authorizeSender(
  context: PlanPhaseContext,
  event: TriggerEvent | null
): Promise<string | null> {
  const check = senderCheck(event)
  if (check.check === 'none') return null
  if (check.check === 'refuse') return check.message
  const permission = await context.forge.getPermission(check.login)
  const repository = `${context.repo.owner}/${context.repo.repo}`
  const refusal = senderRefusal(check.login, permission, repository)
  if (refusal === null) {
    context.ui.info(
      `${check.login} has '${permission}' access to ${repository}: the label may start a wave.`
    )
  }
  return refusal
}

/**
 * The issues of the wave, once the event may start one: the input, or what the event asks for.
 * Nothing to plan comes with its summary.
 */
async function chooseBatch(
  context: PlanPhaseContext,
  request: PlanRequest
): Promise<
  { outcome: 'plan'; issues: readonly number[] } | { outcome: 'nothing'; summary: string }
> {
  const refusal = await authorizeSender(context, request.event)
  if (refusal !== null) {
    context.ui.notice(refusal)
    return nothingToPlan(escapeText(refusal, { max: 1000 }))
  }
  if (request.issues.length > 0) return { outcome: 'plan', issues: request.issues }
  const fromEvent = batchFromEvent(
    request.event ?? { name: 'none', action: null, issue: null, label: null, sender: null },
    context.config.labels.trigger
  )
  if (fromEvent.outcome === 'error') throw new Error(fromEvent.message)
  if (fromEvent.outcome === 'nothing') {
    context.ui.info(fromEvent.reason)
    return nothingToPlan(fromEvent.reason)
  }
  return fromEvent
}

function nothingToPlan(reason: string): { outcome: 'nothing'; summary: string } {
  return { outcome: 'nothing', summary: `## Wave plan\n\n**Nothing to plan.** ${reason}\n` }
}

/**
 * The revision the base is read at: the checked-out HEAD when no base is named, else the
 * remote-tracking branch `actions/checkout` fetched, else a local branch of that name.
 */
async function baseRevision(git: Pick<Git, 'hasRevision'>, base: string | null): Promise<string> {
  if (base === null) return 'HEAD'
  const candidates = [`refs/remotes/${CHECKOUT_REMOTE}/${base}`, `refs/heads/${base}`]
  for (const candidate of candidates) if (await git.hasRevision(candidate)) return candidate
  throw new Error(
    `Base '${base}' is not in the checked-out repository (neither ${candidates.join(' nor ')} exists). Check out the base before the plan step (actions/checkout with ref: ${base}), or pass the branch that is checked out as 'base'.`
  )
}

/** Uploads the whole plan: outputs hold at most 1 MB, and later runs can read it from here. */
async function keepPlan(context: PlanPhaseContext, plan: WavePlan): Promise<string> {
  const name = planArtifactName(plan.id, context.run.attempt)
  await context.artifacts.upload(name, [
    { path: 'plan.json', content: `${JSON.stringify(plan, null, 2)}\n` }
  ])
  context.ui.info(`The plan is kept in the artifact '${name}'.`)
  return name
}

/**
 * One proposal comment per affected issue, found by its key so a re-plan updates it; with an
 * environment, it says the jobs wait for its approval.
 */
async function commentProposal(
  context: PlanPhaseContext,
  plan: WavePlan,
  environment: string | null
): Promise<ProposalCommentResult[]> {
  const results: ProposalCommentResult[] = []
  for (const issue of proposalIssues(plan)) {
    const { id, outcome } = await context.forge.upsertComment(
      issue,
      proposalCommentKey(issue),
      renderProposalComment(plan, issue, { environment }),
      context.pipelineLogin
    )
    context.ui.info(`Proposal comment on #${issue}: ${outcome}.`)
    results.push({ issue, commentId: id, outcome })
  }
  return results
}
