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
  type Ledger,
  type ReviewVerdict
} from '../../contracts/index.js'
import type { ReviewRecord } from '../../contracts/review-record.js'
import { chooseCorrection, decideCorrectionCycle, type CycleDecision } from '../../decide/index.js'
import { recordCycle, recordRun, recordUsage, setStatus } from '../../ledger/index.js'
import { renderCorrectorPrompt } from '../../prompts/index.js'
import {
  correctionCommentMarker,
  renderCorrectionComment,
  type CorrectionResult
} from '../../report/correction-comment.js'
import { codeSpan, escapeText, shortSha, table } from '../../report/comment-markdown.js'
import { findMergeCorrectionOrder } from '../../report/merge-correction-comment.js'
import type {
  ArtifactFile,
  Codex,
  CodexRunResult,
  ForgeComment,
  ForgePull,
  Git
} from '../../ports.js'
import type { PhaseContext } from '../shared/context.js'
import { escalateToPerson } from '../shared/escalation.js'

import {
  checkoutPullHead,
  latestRunWithArtifact,
  loadDispatchArtifact,
  openPullRequest,
  readRulesFiles,
  saveLedger,
  trustedLedgerOf,
  type PullWorkTree
} from '../shared/pull-request.js'
import { readReviewArtifact, RUN_ARTIFACT_FILES } from '../shared/run-artifacts.js'
import { runCodexInGroup, usageOf } from '../shared/codex-run.js'
import { filesWithConflictMarkers } from '../shared/conflict-markers.js'

/** What the correct phase runs with. */
export interface CorrectPorts {
  context: PhaseContext
  tree: PullWorkTree & { git: Pick<Git, 'status' | 'commitAll' | 'push' | 'revParse'> }
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
  /** The review behind the order; null for an order from the merge phase. */
  findings: ReviewVerdict | null
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
  // Read once: the ledger and a pending merge correction order are both among them.
  const comments = await context.forge.listComments(pr)
  const ledger = trustedLedgerOf(comments, context, pr)
  const review = await loadLatestReview(context, ledger)
  const maxCycles = ports.maxCycles ?? context.config.review.maxCycles
  const mergeOrder = pendingMergeOrder(comments, context.pipelineLogin, ledger, pull)
  const cycle = decideCorrectionCycle({
    ledger,
    maxCycles,
    headSha: pull.headSha,
    orderHeadSha: mergeOrder?.headSha ?? review.headSha
  })
  const order =
    mergeOrder !== null
      ? { ...mergeOrder, cycle: cycle.cycle }
      : review.findings === null || review.next !== 'correct'
        ? null
        : chooseCorrection({
            verdict: review.findings,
            pr,
            cycle: cycle.cycle,
            headSha: review.headSha,
            policy: context.config.review
          })
  const findings = mergeOrder === null ? review.findings : null
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
    outcome = await escalate(context, ledger, { pull, order, findings, maxCycles }, cycle.reason)
  } else {
    outcome = await runCycle(ports, ledger, { pull, order, findings, maxCycles }, cycle.repeat)
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

/**
 * The merge phase's correction order (a conflict, a taken number) for the PR's current head, when
 * the ledger says changes are requested; null otherwise. Once the correction pushes, the head moves
 * on and the order no longer applies.
 * @throws when the pipeline's merge correction comment holds an order that does not parse.
 */
function pendingMergeOrder(
  comments: readonly ForgeComment[],
  pipelineLogin: string,
  ledger: Ledger,
  pull: ForgePull
): CorrectionOrder | null {
  if (ledger.status !== 'changes-requested') return null
  const found = findMergeCorrectionOrder(comments, pipelineLogin)
  if (found === null) return null
  if (!found.ok) {
    throw new Error(
      `PR #${pull.number}: the merge correction comment cannot be read: ${found.error.message}. Delete it and run the merge again.`
    )
  }
  return found.value.headSha === pull.headSha ? found.value : null
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
    verdict: work.findings
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
  const move = await moveOntoBaseWhenConflicting(tree, pull, order)
  const prompt = renderCorrectorPrompt({
    dispatchPrompt: dispatch.prompt,
    review: work.findings,
    order,
    branchType: branchTypeOf(pull.headRef, context.config.branches.defaultType),
    rulesFiles: await readRulesFiles(tree.git, pull.baseSha, context.config.rulesFiles),
    ...(move.conflicts.length === 0
      ? {}
      : { conflicts: { baseSha: pull.baseSha, files: move.conflicts } })
  })
  if (move.moved) context.ui.info(moveNote(pull, move.conflicts))
  const result = await runCodex(ports, prompt, order.cycle)
  ledger = recordUsage(ledger, 'correct', usageOf(result), at())
  const ended = await finishCycle(ports, work, result, move)
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

/** How the branch stands before codex runs. */
interface BranchMove {
  /** True when the branch now starts from the base (its push must rewrite the branch, with a lease). */
  moved: boolean
  /** The files the move left conflict markers in, for codex to resolve. */
  conflicts: string[]
}

/**
 * When the branch conflicts with its base (GitHub says it no longer merges, or the merge phase
 * ordered the conflict resolved), moves it onto the base before codex runs: a clean rebase when
 * there is one; otherwise the PR's whole change applied onto the base as uncommitted edits with
 * conflict markers where both changed the same lines, for codex to resolve (codex cannot run git).
 * Either way the push rewrites the branch, with a lease on the head the order was made for.
 */
async function moveOntoBaseWhenConflicting(
  tree: CorrectPorts['tree'],
  pull: ForgePull,
  order: CorrectionOrder
): Promise<BranchMove> {
  const ordered = order.chosen.some(item => item.category === 'merge_conflict')
  if (pull.mergeable !== false && !ordered) return { moved: false, conflicts: [] }
  const { git } = tree
  const rebase = await git.exec(['rebase', '--quiet', pull.baseSha])
  if (rebase.exitCode === 0) return { moved: true, conflicts: [] }
  await git.exec(['rebase', '--abort'])
  await mustSucceed(git, ['reset', '--hard', '--quiet', pull.baseSha])
  const squash = await git.exec(['merge', '--squash', pull.headSha])
  const unmerged = await mustSucceed(git, ['diff', '--name-only', '--diff-filter=U'])
  const conflicts = unmerged.split('\n').filter(line => line !== '')
  if (squash.exitCode !== 0 && conflicts.length === 0) {
    throw new Error(
      `PR #${pull.number}: applying ${pull.headRef} onto ${shortSha(pull.baseSha)} failed without a conflict to resolve: ${squash.stderr.trim()}`
    )
  }
  // Unstaged, so codex sees plain edits, and new files of the PR stay in the tree untracked.
  await mustSucceed(git, ['reset', '--quiet'])
  return { moved: true, conflicts }
}

async function mustSucceed(git: Pick<Git, 'exec'>, args: readonly string[]): Promise<string> {
  const result = await git.exec(args)
  if (result.exitCode !== 0) {
    throw new Error(`git ${args.join(' ')} failed: ${result.stderr.trim()}`)
  }
  return result.stdout
}

function moveNote(pull: ForgePull, conflicts: readonly string[]): string {
  const onto = `${pull.headRef} moved onto ${pull.baseRef} at ${shortSha(pull.baseSha)}`
  return conflicts.length === 0
    ? `${onto} (a clean rebase).`
    : `${onto}; conflict markers for codex to resolve in ${conflicts.join(', ')}.`
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
  result: CodexRunResult,
  move: BranchMove
): Promise<{ outcome: Outcome; patch: string | null }> {
  const { context, tree } = ports
  const { pull, order } = work
  const base = { cycle: order.cycle, headSha: pull.headSha }
  const discard = async () => {
    await tree.git.exec(['reset', '--hard', '--quiet', pull.headSha])
    await tree.git.exec(['clean', '-fdq'])
  }
  const failed = async (reason: string) => {
    await discard()
    return {
      outcome: { ...base, status: 'failed' as const, nextReview: false, reason },
      patch: null
    }
  }
  if (result.outcome !== 'succeeded') {
    return failed(
      `the corrector's codex run ${result.outcome === 'timed-out' ? 'timed out' : 'failed'}: ${result.error ?? 'no reason given'}; nothing was pushed`
    )
  }
  const answer = correctorResult(result)
  const changes = await tree.git.status()
  // A clean rebase is a change of its own, even when codex then edits nothing.
  const changed = changes.length > 0 || (move.moved && move.conflicts.length === 0)
  if (!changed || answer?.status === 'blocked') {
    const explanation =
      answer === null
        ? (result.finalMessage ?? '')
        : [answer.pr_summary, ...answer.open_questions].join('\n')
    await discard()
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
  const markers = await filesWithConflictMarkers(
    tree.git,
    changes.filter(entry => !entry.code.includes('D')).map(entry => entry.path)
  )
  if (markers.length > 0) {
    return failed(
      `conflict markers are left in ${markers.join(', ')} after the corrector ran; nothing was pushed`
    )
  }
  const committed = await tree.git.commitAll({
    title:
      answer?.commit_title ??
      `fix: address review findings of PR #${order.pr} (cycle ${order.cycle})`,
    body: answer?.commit_body ?? '',
    trailers: [
      ['Codex-Thread', result.threadId ?? 'unknown'],
      ['Codex-Waves-Run', context.run.url]
    ]
  })
  const sha = committed ?? (move.moved ? await tree.git.revParse('HEAD') : null)
  // A moved branch no longer descends from the reviewed head: its change is what it adds to the base.
  const since = move.moved ? pull.baseSha : pull.headSha
  const patchText =
    sha === null
      ? null
      : (await tree.git.exec(['format-patch', '--stdout', `${since}..${sha}`])).stdout
  const pushed = await tree.git.push({
    remote: tree.remote,
    source: 'HEAD',
    branch: pull.headRef,
    ...(tree.auth === undefined ? {} : { auth: tree.auth }),
    ...(move.moved ? { forceWithLeaseSha: order.headSha } : {})
  })
  if (pushed.status === 'rejected' || sha === null) {
    const why = pushed.status === 'rejected' ? pushed.reason : 'nothing to commit'
    const reason = `the push of ${shortSha(sha ?? pull.headSha)} to ${pull.headRef} was rejected (${why}): someone pushed to the branch while the correction ran. Their commits are kept (nothing was forced); this cycle's change is in the run's artifact as ${RUN_ARTIFACT_FILES.patch}. Review the new head (codex-waves-review.yml with pr: ${order.pr})`
    return { outcome: { ...base, status: 'failed', nextReview: false, reason }, patch: patchText }
  }
  const filesChanged = await tree.git.exec(['diff', '--name-only', since, sha])
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
      reason: `pushed ${shortSha(sha)} to ${pull.headRef}${move.moved ? ` (moved onto ${shortSha(pull.baseSha)}, lease on ${shortSha(order.headSha)})` : ''}`
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
    verdict: work.findings,
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
