/**
 * The correct phase for one pull request: which cycle this is (or an
 * escalation past the cap, without running codex), the correction order from the latest review,
 * the corrector prompt scoped to exactly the chosen items, codex in `workspace-write`, a commit
 * with the codex trailers, a push that never overwrites someone else's work, the correction
 * comment, the ledger and the artifact. The caller starts the next review (`nextReview`).
 */
import {
  artifactName,
  BranchType,
  implementerResultJsonSchema,
  parseImplementerResultJson,
  type CorrectionOrder,
  type ImplementerResult,
  type Ledger
} from '../contracts/index.js'
import type { ReviewRecord } from '../contracts/review-record.js'
import { chooseCorrection, decideCorrectionCycle, type CycleDecision } from '../decide/index.js'
import { recordCycle, recordRun, recordUsage, setStatus } from '../ledger/index.js'
import { renderCorrectorPrompt } from '../prompts/index.js'
import {
  correctionCommentMarker,
  renderCorrectionComment,
  type CorrectionResult
} from '../report/correction-comment.js'
import { codeSpan, escapeText, shortSha, table } from '../report/comment-markdown.js'
import type { ArtifactFile, Codex, CodexRunResult, ForgePull, Git } from '../ports.js'
import type { PhaseContext } from './context.js'
import { escalateToPerson } from './review-escalation.js'
import { usageOf } from './review-facts.js'
import {
  checkoutPullHead,
  latestRunWithArtifact,
  loadDispatchArtifact,
  loadTrustedLedger,
  openPullRequest,
  readRulesFiles,
  saveLedger,
  type PullWorkTree
} from './review-inputs.js'
import { readReviewArtifact, RUN_ARTIFACT_FILES } from './run-artifacts.js'
import { runCodexInGroup } from './codex-run.js'

/** What the correct phase runs with. */
export interface CorrectPorts {
  context: PhaseContext
  tree: PullWorkTree & { git: Pick<Git, 'status' | 'commitAll' | 'push'> }
  codex: Codex
  codexSettings: { model: string | null; timeoutMs: number }
  /** The `max-cycles` input; null leaves `review.max-cycles` of the config. */
  maxCycles: number | null
}

/** The `status` output. */
export type CorrectStatus = 'corrected' | 'escalated' | 'no-changes' | 'failed'

/** What the correction did (the action's outputs), what comes next and the job summary. */
export interface CorrectResult {
  pr: number
  cycle: number
  status: CorrectStatus
  /** The PR's head after this run. */
  headSha: string
  /** Whether the next review should start now (Actions: a `workflow_dispatch` of the review). */
  nextReview: boolean
  /** The PR's base branch (where the review workflow is dispatched when the event names none). */
  baseRef: string
  /** In a sentence, why the run ended as it did. */
  reason: string
  /** Markdown for the job summary. */
  summary: string
}

type Outcome = Omit<CorrectResult, 'summary' | 'pr' | 'baseRef'>

/** What one cycle works on. */
interface CycleWork {
  pull: ForgePull
  order: CorrectionOrder
  review: ReviewRecord
  maxCycles: number
}

/**
 * Runs the correction of pull request `pr` as the ledger and the latest review say: a cycle, an
 * escalation, or nothing (saying why). Never throws for a failed codex run or a rejected push:
 * those come back as `failed` with the reason.
 */
export async function correctPullRequest(ports: CorrectPorts, pr: number): Promise<CorrectResult> {
  const { context } = ports
  const pull = await openPullRequest(context, pr)
  const ledger = await loadTrustedLedger(context, pr)
  const review = await loadLatestReview(context, ledger)
  const maxCycles = ports.maxCycles ?? context.config.review.maxCycles
  const cycle = decideCorrectionCycle({
    ledger,
    maxCycles,
    headSha: pull.headSha,
    orderHeadSha: review.headSha
  })
  const order =
    review.findings === null || review.next !== 'correct'
      ? null
      : chooseCorrection({
          verdict: review.findings,
          pr,
          cycle: cycle.cycle,
          headSha: review.headSha,
          policy: context.config.review
        })
  let outcome: Outcome
  if (cycle.action === 'skip') {
    outcome = skipped(ledger, pull, cycle)
  } else if (order === null) {
    outcome = {
      cycle: ledger.cycles,
      status: 'no-changes',
      headSha: pull.headSha,
      nextReview: false,
      reason: `the latest review of ${shortSha(review.headSha)} (${review.verdict}, next: ${review.next}) asks for no correction`
    }
  } else if (cycle.action === 'escalate') {
    outcome = await escalate(context, ledger, { pull, order, review, maxCycles }, cycle.reason)
  } else {
    outcome = await runCycle(ports, ledger, { pull, order, review, maxCycles }, cycle.repeat)
  }
  context.ui.info(`Correction of PR #${pr}: ${outcome.status}, ${outcome.reason}`)
  const result = { ...outcome, pr, baseRef: pull.baseRef }
  return { ...result, summary: renderSummary(result, order) }
}

async function loadLatestReview(context: PhaseContext, ledger: Ledger): Promise<ReviewRecord> {
  const run = latestRunWithArtifact(ledger, 'review')
  if (run === null) {
    throw new Error(
      `PR #${ledger.pr} has no review recorded in its ledger, so there is nothing to correct. Run the review first (codex-waves-review.yml with pr: ${ledger.pr}).`
    )
  }
  const files = await context.artifacts.download(run.artifact, { runId: run.runId })
  return readReviewArtifact(run.artifact, files, ledger.pr)
}

/** Whether a correction run is recorded after the latest review (this cycle already started). */
function correctedSinceReview(ledger: Ledger): boolean {
  const review = ledger.reviews[ledger.reviews.length - 1]
  const correction = ledger.runs.filter(run => run.phase === 'correct').pop()
  return correction !== undefined && (review === undefined || correction.at >= review.at)
}

function skipped(ledger: Ledger, pull: ForgePull, cycle: CycleDecision): Outcome {
  const escalated = ledger.status === 'escalated'
  return {
    cycle: cycle.cycle,
    status: escalated ? 'escalated' : correctedSinceReview(ledger) ? 'corrected' : 'no-changes',
    headSha: pull.headSha,
    // a head that moved needs a review; an escalated PR waits for a person
    nextReview: !escalated,
    reason: `nothing to do: ${cycle.reason}`
  }
}

async function escalate(
  context: PhaseContext,
  ledger: Ledger,
  work: CycleWork,
  reason: string
): Promise<Outcome> {
  const at = context.clock.now().toISOString()
  const escalated = recordRun(setStatus(ledger, 'escalated', reason, at), {
    phase: 'correct',
    runId: context.run.runId,
    attempt: context.run.attempt,
    artifact: null,
    at
  })
  await escalateToPerson(context, {
    ledger: escalated,
    headSha: work.pull.headSha,
    reason,
    maxCycles: work.maxCycles,
    unresolved: work.order.chosen,
    verdict: work.review.findings
  })
  await saveLedger(context, escalated)
  return {
    cycle: ledger.cycles,
    status: 'escalated',
    headSha: work.pull.headSha,
    nextReview: false,
    reason: `escalated to a person: ${reason}`
  }
}

/** The branch type from the branch name's prefix (`fix/12-...`), else the config's default. */
function branchTypeOf(branch: string, fallback: BranchType): BranchType {
  const parsed = BranchType.safeParse(branch.split('/')[0])
  return parsed.success ? parsed.data : fallback
}

async function runCycle(
  ports: CorrectPorts,
  start: Ledger,
  work: CycleWork,
  repeat: boolean
): Promise<Outcome> {
  const { context, tree } = ports
  const { pull, order } = work
  const at = () => context.clock.now().toISOString()
  const runEntry = {
    phase: 'correct' as const,
    runId: context.run.runId,
    attempt: context.run.attempt
  }
  // Counted before codex runs, so a crash or re-run is seen as this same cycle.
  let ledger = recordRun(recordCycle(start, order.cycle, at()), {
    ...runEntry,
    artifact: null,
    at: at()
  })
  await saveLedger(context, ledger)
  if (repeat) context.ui.info(`Cycle ${order.cycle} runs again; it is counted once.`)

  const dispatch = await loadDispatchArtifact(context, ledger)
  await checkoutPullHead(tree, pull)
  const rebase = await rebaseWhenConflicting(tree, pull)
  const prompt = renderCorrectorPrompt({
    dispatchPrompt: dispatch.prompt,
    review: work.review.findings,
    order,
    branchType: branchTypeOf(pull.headRef, context.config.branches.defaultType),
    rulesFiles: await readRulesFiles(tree.git, pull.baseSha, context.config.rulesFiles)
  })
  const result = rebase.ok === false ? null : await runCodex(ports, prompt, order.cycle)
  if (result !== null) ledger = recordUsage(ledger, 'correct', usageOf(result), at())
  const ended = await finishCycle(ports, work, result, rebase)
  const artifact = await uploadArtifact(context, order, prompt, result, ended.patch)
  ledger = recordRun(ledger, { ...runEntry, artifact, at: at() })
  const status =
    ended.outcome.status === 'failed'
      ? setStatus(ledger, 'failed', ended.outcome.reason, at())
      : setStatus(
          ledger,
          ended.outcome.status === 'corrected' ? 'in-review' : 'changes-requested',
          null,
          at()
        )
  await saveLedger(context, status)
  return ended.outcome
}

/**
 * When GitHub says the branch no longer merges, rebases it onto the base before codex runs, so the
 * push must rewrite the branch (with a lease on the head the review saw). A rebase that conflicts
 * is undone and the cycle fails: resolving conflicts is a person's or the merge phase's call.
 */
async function rebaseWhenConflicting(
  tree: CorrectPorts['tree'],
  pull: ForgePull
): Promise<{ ok: true; rebased: boolean } | { ok: false; reason: string }> {
  if (pull.mergeable !== false) return { ok: true, rebased: false }
  const rebase = await tree.git.exec(['rebase', '--quiet', pull.baseSha])
  if (rebase.exitCode === 0) return { ok: true, rebased: true }
  await tree.git.exec(['rebase', '--abort'])
  return {
    ok: false,
    reason: `PR #${pull.number} conflicts with ${pull.baseRef} and rebasing ${pull.headRef} onto ${shortSha(pull.baseSha)} stops at a conflict (${rebase.stderr.trim().split('\n')[0] ?? ''}); resolve it by hand and run the review again`
  }
}

async function runCodex(
  ports: CorrectPorts,
  prompt: string,
  cycle: number
): Promise<CodexRunResult> {
  const { context, tree, codexSettings } = ports
  return runCodexInGroup(
    context.ui,
    ports.codex,
    `codex corrector, cycle ${cycle} (workspace-write)`,
    {
      cwd: tree.dir,
      prompt,
      sandbox: 'workspace-write',
      outputSchema: implementerResultJsonSchema,
      timeoutMs: codexSettings.timeoutMs,
      ...(codexSettings.model === null ? {} : { model: codexSettings.model })
    },
    () => tree.git.status()
  )
}

/** The corrector's JSON result, or null when its final message is not one. */
function correctorResult(result: CodexRunResult): ImplementerResult | null {
  const parsed = parseImplementerResultJson(result.finalMessage ?? '', "the corrector's result")
  return parsed.ok ? parsed.value : null
}

async function finishCycle(
  ports: CorrectPorts,
  work: CycleWork,
  result: CodexRunResult | null,
  rebase: { ok: true; rebased: boolean } | { ok: false; reason: string }
): Promise<{ outcome: Outcome; patch: string | null }> {
  const { context, tree } = ports
  const { pull, order } = work
  const base = { cycle: order.cycle, headSha: pull.headSha }
  const discard = async () => {
    await tree.git.exec(['reset', '--hard', '--quiet', pull.headSha])
    await tree.git.exec(['clean', '-fdq'])
  }
  if (rebase.ok === false || result === null) {
    await discard()
    const reason = rebase.ok === false ? rebase.reason : 'codex did not run'
    return { outcome: { ...base, status: 'failed', nextReview: false, reason }, patch: null }
  }
  if (result.outcome !== 'succeeded') {
    await discard()
    const reason = `the corrector's codex run ${result.outcome === 'timed-out' ? 'timed out' : 'failed'}: ${result.error ?? 'no reason given'}; nothing was pushed`
    return { outcome: { ...base, status: 'failed', nextReview: false, reason }, patch: null }
  }
  const answer = correctorResult(result)
  const changed = (await tree.git.status()).length > 0
  if (!changed || answer?.status === 'blocked') {
    await discard()
    const explanation =
      answer === null
        ? (result.finalMessage ?? '')
        : [answer.pr_summary, ...answer.open_questions].join('\n')
    await comment(context, work, { kind: 'no-changes', explanation })
    const why =
      answer?.status === 'blocked'
        ? 'the corrector reported itself blocked'
        : 'the corrector changed nothing'
    return {
      outcome: {
        ...base,
        status: 'no-changes',
        nextReview: true,
        reason: `${why}; the cycle counts`
      },
      patch: null
    }
  }
  const sha = await tree.git.commitAll({
    title:
      answer?.commit_title ??
      `fix: address review findings of PR #${order.pr} (cycle ${order.cycle})`,
    body: answer?.commit_body ?? '',
    trailers: [
      ['Codex-Thread', result.threadId ?? 'unknown'],
      ['Codex-Waves-Run', context.run.url]
    ]
  })
  const patchText =
    sha === null
      ? null
      : (await tree.git.exec(['format-patch', '--stdout', `${pull.headSha}..${sha}`])).stdout
  const pushed = await tree.git.push({
    remote: tree.remote,
    source: 'HEAD',
    branch: pull.headRef,
    ...(tree.auth === undefined ? {} : { auth: tree.auth }),
    ...(rebase.rebased ? { forceWithLeaseSha: order.headSha } : {})
  })
  if (pushed.status === 'rejected' || sha === null) {
    const why = pushed.status === 'rejected' ? pushed.reason : 'nothing to commit'
    const reason = `the push of ${shortSha(sha ?? pull.headSha)} to ${pull.headRef} was rejected (${why}): someone pushed to the branch while the correction ran. Their commits are kept (nothing was forced); this cycle's change is in the run's artifact as ${RUN_ARTIFACT_FILES.patch}. Review the new head (codex-waves-review.yml with pr: ${order.pr})`
    return { outcome: { ...base, status: 'failed', nextReview: false, reason }, patch: patchText }
  }
  const filesChanged = await tree.git.exec(['diff', '--name-only', pull.headSha, sha])
  await comment(context, work, {
    kind: 'changed',
    headSha: sha,
    filesChanged: filesChanged.stdout.split('\n').filter(line => line !== ''),
    summary: answer?.pr_summary ?? null
  })
  return {
    outcome: {
      cycle: order.cycle,
      headSha: sha,
      status: 'corrected',
      nextReview: true,
      reason: `pushed ${shortSha(sha)} to ${pull.headRef}${rebase.rebased ? ` (rebased onto ${shortSha(pull.baseSha)}, lease on ${shortSha(order.headSha)})` : ''}`
    },
    patch: patchText
  }
}

async function comment(
  context: PhaseContext,
  work: CycleWork,
  result: CorrectionResult
): Promise<void> {
  const body = renderCorrectionComment({
    order: work.order,
    verdict: work.review.findings,
    result,
    maxCycles: work.maxCycles,
    runUrl: context.run.url
  })
  const { outcome } = await context.forge.upsertComment(
    work.order.pr,
    correctionCommentMarker(work.order.pr, work.order.cycle),
    body,
    context.pipelineLogin
  )
  context.ui.info(`Correction comment: ${outcome}`)
}

async function uploadArtifact(
  context: PhaseContext,
  order: CorrectionOrder,
  prompt: string,
  result: CodexRunResult | null,
  patch: string | null
): Promise<string> {
  const name = artifactName('correct', order.pr, context.run.attempt)
  const files: ArtifactFile[] = [
    { path: RUN_ARTIFACT_FILES.order, content: `${JSON.stringify(order, null, 2)}\n` },
    { path: RUN_ARTIFACT_FILES.prompt, content: prompt }
  ]
  if (result !== null) {
    files.push({ path: RUN_ARTIFACT_FILES.events, content: result.eventLog || '\n' })
    files.push({ path: RUN_ARTIFACT_FILES.result, content: result.finalMessage ?? '' })
  }
  if (patch !== null && patch !== '') files.push({ path: RUN_ARTIFACT_FILES.patch, content: patch })
  await context.artifacts.upload(name, files)
  context.ui.info(`Uploaded ${name} (${files.map(file => file.path).join(', ')})`)
  return name
}

function renderSummary(
  result: Omit<CorrectResult, 'summary'>,
  order: CorrectionOrder | null
): string {
  const rows = [
    ['Cycle', String(result.cycle)],
    ['Status', result.status],
    ['Head', codeSpan(result.headSha)],
    ['Why', escapeText(result.reason, { max: 1000 })],
    ['In scope', order === null ? '—' : order.chosen.map(item => codeSpan(item.id, 80)).join(', ')],
    [
      'Deferred',
      order === null ? '—' : order.deferred.map(item => codeSpan(item.id, 80)).join(', ') || 'none'
    ],
    ['Next review', result.nextReview ? 'started' : 'not started']
  ]
  return [
    `### codex-waves correction of PR #${result.pr}: ${result.status}`,
    '',
    table(['', ''], rows),
    ''
  ].join('\n')
}
