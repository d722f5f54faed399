/**
 * The confirmation gate and what the implement jobs get: whether the wave may start with this
 * plan, and the `strategy.matrix` of its groups.
 */
import { PlanId, type WaveGroup, type WavePlan } from '../contracts/index.js'
import { SequenceBuilder } from './sequence.js'
import { MAX_MATRIX_JOBS } from './issue-list.js'

/**
 * Whether the wave starts: `proceed`; `await-approval` (the implement jobs start, and wait for a
 * required reviewer of an environment to approve them); `halt` (nothing starts until a
 * re-dispatch confirms the plan); or `refused`.
 */
export type ConfirmDecision =
  | {
      outcome: 'proceed'
      /** True when a person confirmed this very plan. */
      confirmed: boolean
      message: string
    }
  | {
      outcome: 'await-approval'
      /** The environment whose required reviewers approve the implement jobs. */
      environment: string
      message: string
    }
  | { outcome: 'halt'; message: string }
  | { outcome: 'refused'; message: string }

/** How the confirmation gate is set up besides the `confirm` input. */
export interface ConfirmOptions {
  /**
   * The environment whose required reviewers gate the implement jobs, when one is configured:
   * a plan that needs a confirmation then waits for their approval instead of halting.
   */
  environment?: string | null
}

/**
 * Decides the confirmation gate for `plan` given the `confirm` input (empty or absent: none).
 * Without an id the wave proceeds unless the plan needs a confirmation, which the environment's
 * reviewers give when one is configured, else a re-dispatch with the id; the plan's own id
 * proceeds; any other id is refused with both ids, since the issues changed since it was given.
 */
export function confirmPlan(
  plan: WavePlan,
  confirmId: string | null | undefined,
  options: ConfirmOptions = {}
): ConfirmDecision {
  const given = confirmId?.trim() ?? ''
  const redispatch = `Review the new proposal and re-dispatch with confirm: ${plan.id}.`
  if (given === '') {
    if (!plan.needsConfirmation) {
      return { outcome: 'proceed', confirmed: false, message: 'The plan needs no confirmation.' }
    }
    const environment = options.environment?.trim() ?? ''
    if (environment !== '') {
      return {
        outcome: 'await-approval',
        environment,
        message: `The plan needs a confirmation: the implement jobs wait for a required reviewer of the environment '${environment}' to approve them, or for a re-dispatch with confirm: ${plan.id}.`
      }
    }
    return {
      outcome: 'halt',
      message: `The plan needs a confirmation. Review the proposal and re-dispatch with confirm: ${plan.id}.`
    }
  }
  if (given === plan.id) {
    return { outcome: 'proceed', confirmed: true, message: `Plan '${plan.id}' was confirmed.` }
  }
  if (!PlanId.safeParse(given).success) {
    return {
      outcome: 'refused',
      message: `Input 'confirm': '${given.slice(0, 40)}' is not a plan id (12 lowercase hexadecimal characters). ${redispatch}`
    }
  }
  return {
    outcome: 'refused',
    message: `Input 'confirm': plan '${given}' no longer matches the current plan '${plan.id}' (the issues changed since it was proposed). ${redispatch}`
  }
}

/** The `strategy.matrix` of the implement jobs: one entry per group, as `{ include: [...] }`. */
export interface PlanMatrix {
  include: WaveGroup[]
}

/** The matrix, and the `matrix` output (empty text when there is nothing to run). */
export type MatrixResult =
  { ok: true; matrix: PlanMatrix; output: string } | { ok: false; message: string }

/**
 * The implement matrix: every group when the decision is to proceed or to wait for an
 * environment's approval, none otherwise (the output is then empty, so the implement job's `if:`
 * skips it). Groups come in an order that respects
 * the sequence, so the ones others wait for start first. More groups than a matrix holds is an
 * error that says to split the wave.
 */
export function planMatrix(plan: WavePlan, decision: ConfirmDecision): MatrixResult {
  const starts = decision.outcome === 'proceed' || decision.outcome === 'await-approval'
  if (!starts || plan.groups.length === 0) {
    return { ok: true, matrix: { include: [] }, output: '' }
  }
  if (plan.groups.length > MAX_MATRIX_JOBS) {
    return {
      ok: false,
      message:
        `The plan has ${plan.groups.length} groups, more than the ${MAX_MATRIX_JOBS} jobs a matrix holds. ` +
        `Split the wave: dispatch at most ${MAX_MATRIX_JOBS} issues at a time.`
    }
  }
  const position = new Map(plan.groups.map((group, index) => [group.id, index]))
  const rank = (id: string) => position.get(id) ?? 0
  const sequence = new SequenceBuilder()
  for (const edge of plan.sequence) sequence.add(edge.before, edge.after, edge.reason)
  const byId = new Map(plan.groups.map(group => [group.id, group]))
  const include = sequence
    .order(
      plan.groups.map(group => group.id),
      rank
    )
    .map(id => byId.get(id) as WaveGroup)
  return { ok: true, matrix: { include }, output: JSON.stringify({ include }) }
}
