/**
 * The review phase for one pull request: status checks, the reviewer prompt
 * from the dispatch artifact and the base branch's rules, a read-only codex reviewer whose work
 * tree is snapshotted before and after, a schema-checked verdict (one retry), the decision, and
 * everything published once: the review comment, the commit status, the ledger, the artifact.
 */
import {
  artifactName,
  parseReviewVerdictJson,
  reviewVerdictJsonSchema,
  type CodexUsageRecord,
  type Ledger,
  type ReviewVerdict
} from '../../contracts/index.js'
import type { ReviewRecord } from '../../contracts/review-record.js'
import {
  decideAfterReviewFailure,
  decideReview,
  REVIEW_STATUS_CONTEXT,
  type ReviewDecision
} from '../../decide/index.js'
import { recordReview, recordRun, recordUsage, setStatus } from '../../ledger/index.js'
import {
  renderReviewerPrompt,
  truncateToBudget,
  type PromptIssue,
  type ReviewStatusFacts,
  type RulesFile
} from '../../prompts/index.js'
import { renderReviewComment, reviewCommentMarker } from '../../report/review-comment.js'
import {
  codeSpan,
  escapeText,
  formatCount,
  link,
  shortSha,
  table
} from '../../report/comment-markdown.js'
import type {
  ArtifactFile,
  Codex,
  CodexRunResult,
  CommitState,
  ForgeCiState,
  ForgePull
} from '../../ports.js'
import type { PhaseContext } from '../shared/context.js'
import { escalateToPerson } from '../shared/escalation.js'
import { ciStateOf, hasStatus, parseNumstat, statusDescription } from './facts.js'
import {
  checkoutPullHead,
  loadDispatchArtifact,
  loadIssues,
  loadTrustedLedger,
  openPullRequest,
  readRulesFiles,
  saveLedger,
  type PullWorkTree
} from '../shared/pull-request.js'
import { RUN_ARTIFACT_FILES } from '../shared/run-artifacts.js'
import { runCodexInGroup, usageOf } from '../shared/codex-run.js'

/** What the review phase runs with. */
export interface ReviewPorts {
  context: PhaseContext
  /** The work tree the reviewer reads (checked out at the PR's head by the phase). */
  tree: PullWorkTree
  codex: Codex
  codexSettings: { model: string | null; timeoutMs: number }
}

/** What the review decided (the action's outputs) and the job summary. */
export interface ReviewResult {
  pr: number
  headSha: string
  verdict: 'approved' | 'changes_requested' | 'escalated'
  next: 'merge' | 'correct' | 'escalate'
  blockingCount: number
  description: string
  /** Markdown for the job summary. */
  summary: string
}

/** Everything the reviewer is shown, gathered before it runs. */
interface ReviewMaterial {
  pull: ForgePull
  dispatchPrompt: string
  issues: PromptIssue[]
  status: ReviewStatusFacts
  rulesFiles: RulesFile[]
  diff: string
  mergeBase: string
}

/** One reviewer run and what was wrong with it, if anything. */
interface Attempt {
  prompt: string
  result: CodexRunResult
  problem: string | null
}

type ReviewerOutcome =
  | { kind: 'decided'; decision: ReviewDecision }
  | { kind: 'escalated'; reason: string }
  | { kind: 'failed'; reason: string }

/** The work tree's state: a change in either is a write by the reviewer. */
interface Snapshot {
  head: string
  tree: string
}

/**
 * Reviews pull request `pr` and publishes the outcome. Throws (after recording what it spent)
 * when the reviewer's codex run fails outright; every other outcome is a decision or an escalation.
 */
export async function reviewPullRequest(ports: ReviewPorts, pr: number): Promise<ReviewResult> {
  const { context } = ports
  const pull = await openPullRequest(context, pr)
  const ci = await context.forge.getCiState(pull.headSha)
  const ledger = await loadTrustedLedger(context, pr)
  const dispatch = await loadDispatchArtifact(context, ledger)
  const material = await gatherMaterial(ports, pull, ci, ledger, dispatch.prompt)
  const run = await runReviewer(ports, material, ledger)
  const artifact = await uploadReviewArtifact(context, material, run)
  const published = await publish(ports, material, run, ci)
  const finished = recordRun(published.ledger, {
    phase: 'review',
    runId: context.run.runId,
    attempt: context.run.attempt,
    artifact,
    at: context.clock.now().toISOString()
  })
  context.ui.info(`Ledger: ${await saveLedger(context, finished)}`)
  if (run.outcome.kind === 'failed') throw new Error(run.outcome.reason)
  return { ...published.result, summary: renderSummary(context, material, run, published.result) }
}

async function gatherMaterial(
  ports: ReviewPorts,
  pull: ForgePull,
  ci: ForgeCiState,
  ledger: Ledger,
  dispatchPrompt: string
): Promise<ReviewMaterial> {
  const { git } = ports.tree
  const mergeBase = await checkoutPullHead(ports.tree, pull)
  const commits = await git.exec(['rev-list', '--count', `${mergeBase}..${pull.headSha}`])
  const numstat = await git.exec(['diff', '--numstat', '--no-renames', mergeBase, pull.headSha])
  const rulesFiles = await readRulesFiles(git, pull.baseSha, ports.context.config.rulesFiles)
  ports.context.ui.info(
    `Rules from the base ${shortSha(pull.baseSha)}: ${rulesFiles.map(file => file.path).join(', ') || 'none'}`
  )
  return {
    pull,
    dispatchPrompt,
    issues: await loadIssues(ports.context, ledger.issues),
    status: {
      headSha: pull.headSha,
      base: pull.baseRef,
      ci: ciStateOf(ci, REVIEW_STATUS_CONTEXT),
      mergeable: pull.mergeable,
      commitsSinceBase: Number(commits.stdout.trim()) || 0,
      diffStat: parseNumstat(numstat.stdout)
    },
    rulesFiles,
    diff: await git.diff(mergeBase, pull.headSha),
    mergeBase
  }
}

async function snapshot(tree: PullWorkTree): Promise<Snapshot> {
  return { head: await tree.git.revParse('HEAD'), tree: await tree.git.treeHash() }
}

/** Puts the work tree back at the head after a reviewer wrote to it. */
async function restore(tree: PullWorkTree, headSha: string): Promise<void> {
  await tree.git.exec(['reset', '--hard', '--quiet', headSha])
  await tree.git.exec(['clean', '-fdq'])
}

/**
 * Runs the reviewer until it gives a usable verdict or must be escalated: a write to the tree
 * discards the verdict (two in a row escalate), a verdict that does not parse gets one retry with
 * the validation error. Every run's usage and every review goes into the ledger.
 */
async function runReviewer(
  ports: ReviewPorts,
  material: ReviewMaterial,
  start: Ledger
): Promise<{ ledger: Ledger; attempts: Attempt[]; outcome: ReviewerOutcome }> {
  const { context, tree } = ports
  const headSha = material.pull.headSha
  const attempts: Attempt[] = []
  let ledger = start
  let malformed = 0
  let retryError: string | undefined
  for (;;) {
    const prompt = renderReviewerPrompt({
      pr: material.pull.number,
      dispatchPrompt: material.dispatchPrompt,
      issues: material.issues,
      status: material.status,
      rulesFiles: material.rulesFiles,
      diff: material.diff,
      diffBudget: context.config.review.diffBudget,
      ...(retryError === undefined ? {} : { retryError })
    })
    const before = await snapshot(tree)
    const result = await runCodex(ports, prompt, attempts.length + 1)
    const after = await snapshot(tree)
    const at = () => context.clock.now().toISOString()
    ledger = recordUsage(ledger, 'review', usageOf(result), at())
    const review = { headSha, carriedFrom: null, blocking: 0 }

    let problem: string
    if (before.head !== after.head || before.tree !== after.tree) {
      await restore(tree, headSha)
      ledger = recordReview(ledger, { ...review, verdict: null, readOnly: 'violated', at: at() })
      retryError = undefined
      problem = `the reviewer changed the work tree (HEAD ${shortSha(before.head)} → ${shortSha(after.head)}, tree ${shortSha(before.tree)} → ${shortSha(after.tree)})`
    } else if (result.outcome !== 'succeeded') {
      attempts.push({ prompt, result, problem: result.error })
      const reason = `The reviewer's codex run ${result.outcome === 'timed-out' ? 'timed out' : 'failed'} on PR #${material.pull.number}: ${result.error ?? 'no reason given'}. Nothing was decided; re-run the review.`
      return { ledger, attempts, outcome: { kind: 'failed', reason } }
    } else {
      const parsed = parseReviewVerdictJson(result.finalMessage ?? '', "the reviewer's verdict")
      if (parsed.ok) {
        attempts.push({ prompt, result, problem: null })
        const decision = decideReview({
          verdict: parsed.value,
          issueBody: material.issues.map(issue => issue.body).join('\n\n'),
          policy: context.config.review
        })
        ledger = recordReview(ledger, {
          ...review,
          verdict: decision.verdict === 'approved' ? 'approved' : 'changes_requested',
          readOnly: 'passed',
          blocking: decision.blockingCount,
          at: at()
        })
        return { ledger, attempts, outcome: { kind: 'decided', decision } }
      }
      malformed += 1
      ledger = recordReview(ledger, { ...review, verdict: null, readOnly: 'passed', at: at() })
      problem = parsed.error.message
      retryError = parsed.error.message
    }
    attempts.push({ prompt, result, problem })
    const next = decideAfterReviewFailure({
      malformedAttempts: malformed,
      consecutiveViolations: ledger.boundaryViolations.consecutive
    })
    context.ui.warning(
      `Reviewer attempt ${attempts.length} discarded: ${problem}. Next: ${next.reason}.`
    )
    if (next.action === 'escalate') {
      return { ledger, attempts, outcome: { kind: 'escalated', reason: next.reason } }
    }
  }
}

async function runCodex(
  ports: ReviewPorts,
  prompt: string,
  attempt: number
): Promise<CodexRunResult> {
  const { context, tree, codexSettings } = ports
  return runCodexInGroup(
    context.ui,
    ports.codex,
    `codex reviewer, attempt ${attempt} (read-only)`,
    {
      cwd: tree.dir,
      prompt,
      sandbox: 'read-only',
      ephemeral: true,
      outputSchema: reviewVerdictJsonSchema,
      config: { project_doc_max_bytes: '0' },
      timeoutMs: codexSettings.timeoutMs,
      ...(codexSettings.model === null ? {} : { model: codexSettings.model })
    }
  )
}

function reviewRecord(
  material: ReviewMaterial,
  run: { attempts: Attempt[]; outcome: ReviewerOutcome },
  result: Omit<ReviewResult, 'summary'>,
  findings: ReviewVerdict | null
): ReviewRecord {
  return {
    v: 1,
    pr: material.pull.number,
    headSha: material.pull.headSha,
    baseSha: material.pull.baseSha,
    verdict: result.verdict,
    next: result.next,
    findings,
    blockingCount: result.blockingCount,
    description: result.description,
    attempts: run.attempts.length
  }
}

/** What the run decided, as outputs. */
function resultOf(
  material: ReviewMaterial,
  outcome: ReviewerOutcome
): Omit<ReviewResult, 'summary'> & { findings: ReviewVerdict | null } {
  const base = { pr: material.pull.number, headSha: material.pull.headSha }
  if (outcome.kind === 'decided') {
    const { decision } = outcome
    return {
      ...base,
      verdict: decision.verdict,
      next: decision.next,
      blockingCount: decision.blockingCount,
      description: decision.description,
      findings: decision.findings
    }
  }
  return {
    ...base,
    verdict: 'escalated',
    next: 'escalate',
    blockingCount: 0,
    description: statusDescription(`escalated: ${outcome.reason}`),
    findings: null
  }
}

async function uploadReviewArtifact(
  context: PhaseContext,
  material: ReviewMaterial,
  run: { attempts: Attempt[]; outcome: ReviewerOutcome }
): Promise<string> {
  const name = artifactName('review', material.pull.number, context.run.attempt)
  const { findings, ...result } = resultOf(material, run.outcome)
  const files: ArtifactFile[] = [
    {
      path: RUN_ARTIFACT_FILES.review,
      content: `${JSON.stringify(reviewRecord(material, run, result, findings), null, 2)}\n`
    }
  ]
  run.attempts.forEach((attempt, index) => {
    const last = index === run.attempts.length - 1
    const folder = last ? '' : `${RUN_ARTIFACT_FILES.attempts}${index + 1}/`
    files.push(
      { path: `${folder}${RUN_ARTIFACT_FILES.prompt}`, content: attempt.prompt },
      { path: `${folder}${RUN_ARTIFACT_FILES.events}`, content: attempt.result.eventLog || '\n' }
    )
  })
  await context.artifacts.upload(name, files)
  context.ui.info(`Uploaded ${name} (${files.map(file => file.path).join(', ')})`)
  return name
}

/** Publishes the commit status unless the same state and description are already there. */
async function publishStatus(
  context: PhaseContext,
  ci: ForgeCiState,
  sha: string,
  state: CommitState,
  description: string
): Promise<void> {
  const text = statusDescription(description)
  if (hasStatus(ci, REVIEW_STATUS_CONTEXT, state, text)) {
    context.ui.info(`Status ${REVIEW_STATUS_CONTEXT}: unchanged (${state})`)
    return
  }
  await context.forge.setCommitStatus(sha, {
    context: REVIEW_STATUS_CONTEXT,
    state,
    description: text,
    targetUrl: context.run.url
  })
  context.ui.info(`Status ${REVIEW_STATUS_CONTEXT}: ${state} on ${shortSha(sha)}`)
}

async function publish(
  ports: ReviewPorts,
  material: ReviewMaterial,
  run: { ledger: Ledger; outcome: ReviewerOutcome },
  ci: ForgeCiState
): Promise<{ ledger: Ledger; result: Omit<ReviewResult, 'summary'> }> {
  const { context } = ports
  const { pr, headSha, verdict, next, blockingCount, description } = resultOf(material, run.outcome)
  const result = { pr, headSha, verdict, next, blockingCount, description }
  const at = () => context.clock.now().toISOString()
  const { outcome } = run
  if (outcome.kind === 'failed') return { ledger: run.ledger, result }
  if (outcome.kind === 'decided') {
    const body = renderReviewComment({
      pr: result.pr,
      headSha: result.headSha,
      decision: outcome.decision,
      nextCycle: outcome.decision.next === 'correct' ? run.ledger.cycles + 1 : null,
      runUrl: context.run.url
    })
    const comment = await context.forge.upsertComment(
      result.pr,
      reviewCommentMarker(result.pr, result.headSha),
      body,
      context.pipelineLogin
    )
    context.ui.info(`Review comment: ${comment.outcome}`)
    await publishStatus(context, ci, result.headSha, outcome.decision.status, result.description)
  } else {
    await publishStatus(context, ci, result.headSha, 'failure', result.description)
  }
  if (result.next === 'escalate') {
    const reason = outcome.kind === 'escalated' ? outcome.reason : outcome.decision.description
    const escalated = setStatus(run.ledger, 'escalated', reason, at())
    await escalateToPerson(context, {
      ledger: escalated,
      headSha: result.headSha,
      reason: `the review of ${shortSha(result.headSha)} cannot decide: ${reason}`,
      maxCycles: context.config.review.maxCycles,
      unresolved: outcome.kind === 'decided' ? outcome.decision.chosen : [],
      verdict: outcome.kind === 'decided' ? outcome.decision.findings : null
    })
    return { ledger: escalated, result }
  }
  const status = result.next === 'merge' ? 'approved' : 'changes-requested'
  return { ledger: setStatus(run.ledger, status, null, at()), result }
}

function renderSummary(
  context: PhaseContext,
  material: ReviewMaterial,
  run: { attempts: Attempt[] },
  result: Omit<ReviewResult, 'summary'>
): string {
  const { status, pull } = material
  const { files, additions, deletions } = status.diffStat
  const usage = run.attempts.reduce<CodexUsageRecord>(
    (sum, attempt) => {
      const one = usageOf(attempt.result)
      return {
        inputTokens: sum.inputTokens + one.inputTokens,
        cachedInputTokens: sum.cachedInputTokens + one.cachedInputTokens,
        outputTokens: sum.outputTokens + one.outputTokens,
        durationMs: sum.durationMs + one.durationMs
      }
    },
    { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, durationMs: 0 }
  )
  const cut = truncateToBudget(material.diff, context.config.review.diffBudget)
  const rows = [
    ['Pull request', link(`#${pull.number} ${pull.title}`, pull.htmlUrl)],
    ['Head', codeSpan(pull.headSha)],
    ['Base', `${codeSpan(pull.baseRef)} at ${codeSpan(shortSha(pull.baseSha))}`],
    ['CI on the head', status.ci],
    ['Mergeable', status.mergeable === null ? 'unknown' : status.mergeable ? 'yes' : 'no'],
    ['Commits since the base', String(status.commitsSinceBase)],
    ['Blast radius', `${files} files, +${additions} −${deletions}`],
    ['Diff shown to the reviewer', escapeText(cut.note, { max: 1000 })],
    [
      'Rules (from the base)',
      material.rulesFiles.map(file => codeSpan(file.path)).join(', ') || 'none'
    ],
    [
      'Reviewer runs',
      run.attempts
        .map(
          (attempt, i) =>
            `${i + 1}: ${escapeText(attempt.problem ?? 'usable verdict', { max: 200 })}`
        )
        .join('<br>')
    ],
    [
      'Codex usage',
      `${formatCount(usage.inputTokens)} in (${formatCount(usage.cachedInputTokens)} cached), ${formatCount(usage.outputTokens)} out, ${Math.round(usage.durationMs / 1000)} s`
    ],
    ['Decision', escapeText(result.description)],
    ['Next', result.next]
  ]
  return [
    `### codex-waves review of PR #${pull.number}: ${result.verdict.replace('_', ' ')}`,
    '',
    table(['', ''], rows),
    ''
  ].join('\n')
}
