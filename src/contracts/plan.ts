/**
 * `WavePlan`: what the plan step decided for a batch of issues — groups (issues sharing a branch),
 * the order between groups, the skips and the findings behind them. Its id is a hash of the rest
 * (see `plan-id.ts`), so a confirmation names exactly one plan.
 */
import { z } from 'zod'
import { BranchType, GroupId, IssueNumber, SafeRelativePath, nonBlank } from './common.js'
import { parseWith, type ParseResult } from './parse.js'

const planIdError = 'expected a plan id (12 lowercase hexadecimal characters)'

/** A plan id: the first 12 hex characters of the SHA-256 of the plan's content. */
export const PlanId = z
  .string({ error: planIdError })
  .regex(/^[0-9a-f]{12}$/, { error: planIdError })

/** An issue of the batch as the plan saw it. */
export const PlanIssue = z.strictObject({
  number: IssueNumber,
  title: z.string({ error: 'expected the issue title' }),
  labels: z.array(z.string({ error: 'expected a label name' }), {
    error: 'expected a list of labels'
  }),
  state: z.enum(['open', 'closed'], { error: 'expected "open" or "closed"' })
})
/** @see PlanIssue */
export type PlanIssue = z.output<typeof PlanIssue>

/** A question the implementer would otherwise have to guess at, and what the plan settled. */
export const OpenQuestion = z.strictObject({
  question: nonBlank(),
  /** The plan's answer; null leaves it to the implementer, who must say what it chose. */
  resolution: nonBlank().nullable()
})
/** @see OpenQuestion */
export type OpenQuestion = z.output<typeof OpenQuestion>

/**
 * Issues done together on one branch and one pull request. A group is also the `implement` matrix
 * entry, so its JSON crosses the job boundary on its own.
 */
export const WaveGroup = z.strictObject({
  id: GroupId,
  issues: z.array(IssueNumber, { error: 'expected a list of issue numbers' }).min(1, {
    error: 'expected at least one issue number'
  }),
  branchType: BranchType,
  /** The PR title's subject and the branch slug's source. */
  title: nonBlank(),
  openQuestions: z.array(OpenQuestion, { error: 'expected a list of open questions' })
})
/** @see WaveGroup */
export type WaveGroup = z.output<typeof WaveGroup>

/** `before` has to merge before `after` is implemented (or, for merging, before it merges). */
export const SequenceEdge = z.strictObject({
  before: GroupId,
  after: GroupId,
  reason: nonBlank()
})
/** @see SequenceEdge */
export type SequenceEdge = z.output<typeof SequenceEdge>

/** Why an issue of the batch gets no branch in this wave. */
export const SkipReason = z.enum(
  ['missing', 'closed', 'locked', 'pull-request', 'in-flight', 'umbrella', 'bad-number'],
  {
    error:
      'expected one of "missing", "closed", "locked", "pull-request", "in-flight", "umbrella", "bad-number"'
  }
)
/** @see SkipReason */
export type SkipReason = z.output<typeof SkipReason>

/** An issue left out of the wave, with the reason and the facts behind it. */
export const Skip = z.strictObject({
  /** The issue; null only for `bad-number`, whose token names no issue (it is in `detail`). */
  issue: IssueNumber.nullable(),
  reason: SkipReason,
  detail: nonBlank()
})
/** @see Skip */
export type Skip = z.output<typeof Skip>

/** The kinds of conflict the triage looks for between issues. */
export const FindingKind = z.enum(
  ['same-region', 'semantic-overlap', 'shared-numbering', 'umbrella', 'trivial-siblings'],
  {
    error:
      'expected one of "same-region", "semantic-overlap", "shared-numbering", "umbrella", "trivial-siblings"'
  }
)
/** @see FindingKind */
export type FindingKind = z.output<typeof FindingKind>

/** A conflict the triage found, what shows it, and what the plan proposes to do about it. */
export const Finding = z.strictObject({
  /** Stable within the plan (`f1`, `f2`, ...), so comments and summaries can refer to it. */
  id: nonBlank(),
  kind: FindingKind,
  issues: z.array(IssueNumber, { error: 'expected a list of issue numbers' }).min(1, {
    error: 'expected at least one issue number'
  }),
  /** Repository paths or globs involved (files named, defining files, numbered paths). */
  paths: z.array(SafeRelativePath, { error: 'expected a list of paths' }),
  /** The facts, one per line: where each issue names the path or symbol, the task list, ... */
  evidence: z.array(nonBlank(), { error: 'expected a list of evidence lines' }).min(1, {
    error: 'expected at least one line of evidence'
  }),
  /** What the plan does about it (combine, sequence, skip, number up front), in a sentence. */
  proposal: nonBlank(),
  /** True when a person should confirm the proposal before the wave starts. */
  needsDecision: z.boolean({ error: 'expected true or false' })
})
/** @see Finding */
export type Finding = z.output<typeof Finding>

const planFields = {
  v: z.literal(1, { error: 'expected 1 (the only plan version)' }),
  issues: z.array(PlanIssue, { error: 'expected a list of issues' }),
  groups: z.array(WaveGroup, { error: 'expected a list of groups' }),
  sequence: z.array(SequenceEdge, { error: 'expected a list of sequence edges' }),
  skips: z.array(Skip, { error: 'expected a list of skips' }),
  findings: z.array(Finding, { error: 'expected a list of findings' }),
  needsConfirmation: z.boolean({ error: 'expected true or false' })
}

type PlanShape = { [K in keyof typeof planFields]: z.output<(typeof planFields)[K]> }

/** Cross-references a plan must keep: groups and edges point at things that exist, once each. */
function checkReferences(plan: PlanShape, ctx: z.RefinementCtx): void {
  const known = new Set(plan.issues.map(issue => issue.number))
  const groupOf = new Map<number, string>()
  const groupIds = new Set<string>()
  plan.groups.forEach((group, g) => {
    if (groupIds.has(group.id)) {
      ctx.addIssue({
        code: 'custom',
        path: ['groups', g, 'id'],
        message: `duplicate group id "${group.id}"`
      })
    }
    groupIds.add(group.id)
    group.issues.forEach((number, i) => {
      const path = ['groups', g, 'issues', i]
      if (!known.has(number)) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: `issue ${number} is not in the plan's issues`
        })
      }
      const other = groupOf.get(number)
      if (other !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: `issue ${number} is already in group "${other}"`
        })
      }
      groupOf.set(number, group.id)
    })
  })
  plan.sequence.forEach((edge, e) => {
    for (const end of ['before', 'after'] as const) {
      if (!groupIds.has(edge[end])) {
        ctx.addIssue({
          code: 'custom',
          path: ['sequence', e, end],
          message: `unknown group "${edge[end]}"`
        })
      }
    }
    if (edge.before === edge.after) {
      ctx.addIssue({
        code: 'custom',
        path: ['sequence', e],
        message: `group "${edge.before}" cannot be sequenced after itself`
      })
    }
  })
  plan.skips.forEach((skip, s) => {
    if ((skip.issue === null) !== (skip.reason === 'bad-number')) {
      ctx.addIssue({
        code: 'custom',
        path: ['skips', s, 'issue'],
        message: 'expected null exactly when the reason is "bad-number"'
      })
    }
    if (skip.issue !== null && groupOf.has(skip.issue)) {
      ctx.addIssue({
        code: 'custom',
        path: ['skips', s, 'issue'],
        message: `issue ${skip.issue} is both skipped and in group "${groupOf.get(skip.issue)}"`
      })
    }
  })
}

/** A plan before its id is computed: what the id is the hash of. */
export const WavePlanContent = z.strictObject(planFields).superRefine(checkReferences)
/** @see WavePlanContent */
export type WavePlanContent = z.output<typeof WavePlanContent>

/** A plan with its id, as it crosses from the plan job to the implement jobs and into comments. */
export const WavePlan = z.strictObject({ id: PlanId, ...planFields }).superRefine(checkReferences)
/** @see WavePlan */
export type WavePlan = z.output<typeof WavePlan>

/** Validates a plan (e.g. the `plan` output or an artifact). The id is not recomputed here. */
export function parseWavePlan(value: unknown, what = 'wave plan'): ParseResult<WavePlan> {
  return parseWith(WavePlan, value, what)
}

/** Validates one group, e.g. the `group` input of `dispatch` with `step: implement`. */
export function parseWaveGroup(value: unknown, what = 'wave group'): ParseResult<WaveGroup> {
  return parseWith(WaveGroup, value, what)
}
