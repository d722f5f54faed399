/**
 * Dispatch, step implement: one group of the plan from its issues to a pull request.
 * Branch off the base (or reuse the group's branch), render the implementer prompt, run codex in
 * workspace-write, judge the result from git, then commit, push, open or update the pull request,
 * write the ledger and upload the dispatch artifact. Nothing is pushed unless codex finished, said
 * `done`, and left a change without conflict markers.
 */
import {
  NO_USAGE,
  artifactName,
  computePlanId,
  implementerResultJsonSchema,
  parseImplementerResultJson,
  type CodexUsageRecord,
  type DispatchOutcome,
  type DispatchRecord,
  type ImplementerResult,
  type Ledger,
  type WaveGroup,
  type WavePlan
} from '../../contracts/index.js'
import {
  LEDGER_MARKER,
  createLedger,
  findLedger,
  recordRun,
  recordUsage,
  renderLedgerComment,
  setStatus
} from '../../ledger/index.js'
import { branchName } from '../../plan/branch-name.js'
import { otherWaveIssues } from '../../plan/wave-scope.js'
import type {
  Artifacts,
  Codex,
  CodexRunResult,
  ForgeIssue,
  ForgePull,
  Forge,
  Git,
  GitAuth
} from '../../ports.js'
import { renderImplementerPrompt, type RulesFile } from '../../prompts/index.js'
import {
  implementCommitMessage,
  noChangesMarker,
  pullRequestTitle,
  renderNoChangesComment,
  renderPullRequestBody
} from '../../report/pull-request.js'
import type { PhaseContext, RunRef } from '../shared/context.js'
import { runCodexInGroup } from '../shared/codex-run.js'
import { filesWithConflictMarkers } from '../shared/conflict-markers.js'

/** The forge operations this step uses. */
export type ImplementForge = Pick<
  Forge,
  | 'getIssue'
  | 'listOpenPulls'
  | 'createPull'
  | 'updatePull'
  | 'addLabels'
  | 'listComments'
  | 'upsertComment'
>

/** The git operations this step uses, on the job's checked-out work tree. */
export type ImplementGit = Pick<
  Git,
  | 'exec'
  | 'revParse'
  | 'hasRevision'
  | 'checkoutBranch'
  | 'status'
  | 'commitAll'
  | 'push'
  | 'fetch'
  | 'show'
>

/** The ports of the step. */
export interface ImplementPorts {
  context: Pick<PhaseContext, 'run' | 'config' | 'pipelineLogin' | 'ui' | 'clock'> & {
    forge: ImplementForge
    artifacts: Pick<Artifacts, 'upload'>
  }
  git: ImplementGit
  codex: Pick<Codex, 'run'>
  /** The work tree codex runs in: the directory `git` works in. */
  workDir: string
  /** The remote the workspace was checked out from; fetches and pushes go there. */
  remote: string
  /** Sent to the remote as a header, never stored. */
  auth: GitAuth
}

/** What to implement and how. */
export interface ImplementRequest {
  group: WaveGroup
  /** The wave's plan, when the job was given it: its id and its other issues. */
  plan: WavePlan | null
  /** The base branch from the `base` input; null falls back to the config, then the checkout. */
  base: string | null
  /** From the `timeout-minutes` input; null takes the config's implement timeout. */
  timeoutMinutes: number | null
  /** From the `model` input; null takes the config's, then codex's default. */
  model: string | null
}

/** What the step did. */
export interface ImplementResult {
  status: DispatchOutcome
  branch: string
  pr: { number: number; url: string } | null
  headSha: string | null
  usage: CodexUsageRecord | null
  /** What went wrong (failed) or why nothing ran (skipped), in words a maintainer can act on. */
  message: string | null
  /** The dispatch artifact uploaded, or null when codex never ran. */
  artifact: string | null
}

/** The files of the dispatch artifact; the review phase reads the prompt from it. */
export const DISPATCH_ARTIFACT_FILES = {
  prompt: 'prompt.md',
  events: 'codex-events.jsonl',
  record: 'record.json'
} as const

/** How a codex run ended once git has been asked what it changed. */
type Verdict =
  | { kind: 'failed'; reason: string }
  | { kind: 'no-changes'; explanation: string }
  | { kind: 'change'; result: ImplementerResult; threadId: string }

/** Runs the implement step for one group. Throws only for errors before codex or of the forge. */
export async function implementGroup(
  request: ImplementRequest,
  ports: ImplementPorts
): Promise<ImplementResult> {
  const { group } = request
  const { ui } = ports.context
  const branch = branchName(group)
  const issues = await loadIssues(ports.context.forge, group)
  const unavailable = issues.flatMap(({ number, issue }) => unavailableReason(number, issue))
  if (unavailable.length > 0) {
    const message =
      `Group "${group.id}" was skipped: ${unavailable.join('; ')}. ` +
      'Plan the wave again to drop or replace these issues.'
    ui.warning(message)
    return emptyResult('skipped', branch, message)
  }
  const open = issues.map(({ issue }) => issue as ForgeIssue)

  const base = await resolveBase(request, ports)
  const checkout = await checkOutGroupBranch(branch, base, ports)
  const rulesFiles = await readRulesFiles(checkout.baseSha, ports)
  const prompt = renderImplementerPrompt({
    issues: open.map(({ number, title, body }) => ({ number, title, body })),
    otherIssues: request.plan === null ? [] : otherWaveIssues(request.plan, group),
    openQuestions: group.openQuestions,
    branchType: group.branchType,
    rulesFiles
  })
  const run = await runCodex(prompt, request, ports, group)
  const usage: CodexUsageRecord = { ...run.usage, durationMs: run.durationMs }
  const verdict = await judge(run, ports.git, group)
  const artifact = artifactName('dispatch', group.id, ports.context.run.attempt)
  const planId = request.plan?.id ?? soloPlanId(group, open)
  const common = { prompt, run, usage, artifact, branch, baseSha: checkout.baseSha, planId }

  if (verdict.kind === 'failed') {
    const message =
      `Group "${group.id}" (${refList(group.issues)}) failed: ${verdict.reason} Nothing was pushed. ` +
      `The prompt and the codex event log are in the artifact '${artifact}' of this run.`
    await uploadRecord(ports, group, common, {
      outcome: 'failed',
      pr: checkout.pull,
      headSha: null,
      error: message
    })
    return {
      status: 'failed',
      branch,
      pr: pullRef(checkout.pull),
      headSha: null,
      usage,
      message,
      artifact
    }
  }
  if (verdict.kind === 'no-changes') {
    await commentNoChanges(ports, group, verdict.explanation)
    await uploadRecord(ports, group, common, {
      outcome: 'no-changes',
      pr: checkout.pull,
      headSha: checkout.branchSha,
      error: null
    })
    ui.info(`Codex changed nothing for group "${group.id}"; nothing was pushed.`)
    return {
      status: 'no-changes',
      branch,
      pr: pullRef(checkout.pull),
      headSha: checkout.branchSha,
      usage,
      message: null,
      artifact
    }
  }

  const headSha = await commitAndPush(verdict, branch, ports, group)
  const { pull, outcome } = await openOrUpdatePull(
    verdict.result,
    branch,
    base,
    planId,
    checkout.pull,
    ports,
    group
  )
  // The artifact first: the ledger points the review at it, so it must exist once the ledger does.
  const record = await uploadRecord(ports, group, common, {
    outcome,
    pr: pull,
    headSha,
    error: null
  })
  const pushed = { ...record, pr: pull.number }
  await writeDispatchLedger(ports.context, pushed, ports.context.run, outcome === 'opened')
  return { status: outcome, branch, pr: pullRef(pull), headSha, usage, message: null, artifact }
}

function emptyResult(status: DispatchOutcome, branch: string, message: string): ImplementResult {
  return { status, branch, pr: null, headSha: null, usage: null, message, artifact: null }
}

function pullRef(pull: ForgePull | null): ImplementResult['pr'] {
  return pull === null ? null : { number: pull.number, url: pull.htmlUrl }
}

function refList(numbers: readonly number[]): string {
  return numbers.map(number => `#${number}`).join(', ')
}

async function loadIssues(
  forge: ImplementForge,
  group: WaveGroup
): Promise<Array<{ number: number; issue: ForgeIssue | null }>> {
  const issues = []
  for (const number of group.issues) issues.push({ number, issue: await forge.getIssue(number) })
  return issues
}

function unavailableReason(number: number, issue: ForgeIssue | null): string[] {
  if (issue === null) return [`#${number} does not exist`]
  if (issue.isPullRequest) return [`#${number} is a pull request, not an issue`]
  if (issue.state === 'closed') return [`#${number} is closed`]
  return []
}

/**
 * The base branch: the input, else the config, else the remote's default branch as the clone
 * recorded it (`refs/remotes/<remote>/HEAD`), else the branch the job checked out.
 */
async function resolveBase(request: ImplementRequest, ports: ImplementPorts): Promise<string> {
  const chosen = request.base ?? ports.context.config.base
  if (chosen !== null) return chosen
  const { git, remote } = ports
  const remoteHead = await git.exec(['symbolic-ref', '--quiet', `refs/remotes/${remote}/HEAD`])
  const prefix = `refs/remotes/${remote}/`
  const remoteDefault = remoteHead.stdout.trim()
  if (remoteHead.exitCode === 0 && remoteDefault.startsWith(prefix)) {
    return remoteDefault.slice(prefix.length)
  }
  const head = await git.exec(['symbolic-ref', '--quiet', '--short', 'HEAD'])
  const name = head.stdout.trim()
  if (head.exitCode !== 0 || name === '') {
    throw new Error(
      "The base branch is unknown: the 'base' input and the config's 'base' are empty and the workspace is on a detached HEAD. " +
        "Set the 'base' input (e.g. 'main'), or check out the default branch."
    )
  }
  return name
}

interface Checkout {
  baseSha: string
  /** The group's branch on the remote before this run, or null when it did not exist. */
  branchSha: string | null
  /** The group's open pull request before this run, or null. */
  pull: ForgePull | null
}

/**
 * Fetches the base and the group's branch, and checks out the group's branch: the remote one when
 * it exists (this run adds to it), else a new one at the base.
 */
async function checkOutGroupBranch(
  branch: string,
  base: string,
  ports: ImplementPorts
): Promise<Checkout> {
  const { git, remote, auth } = ports
  const tracking = (name: string) => `refs/remotes/${remote}/${name}`
  // The trailing `*` makes the branch optional: a pattern that matches nothing fetches nothing.
  await git.fetch(
    remote,
    [`+refs/heads/${base}:${tracking(base)}`, `+refs/heads/${branch}*:${tracking(branch)}*`],
    auth
  )
  const baseSha = await git.revParse(tracking(base))
  const branchSha = (await git.hasRevision(tracking(branch)))
    ? await git.revParse(tracking(branch))
    : null
  const pulls = await ports.context.forge.listOpenPulls({ head: branch })
  const pull = pulls.find(candidate => candidate.headRef === branch) ?? null
  await git.checkoutBranch(branch, branchSha ?? baseSha, { reset: true })
  ports.context.ui.info(
    branchSha === null
      ? `Branch '${branch}' created at '${base}' (${baseSha.slice(0, 7)}).`
      : `Branch '${branch}' exists (${branchSha.slice(0, 7)})${pull === null ? '' : ` with PR #${pull.number}`}: this run adds to it.`
  )
  return { baseSha, branchSha, pull }
}

async function readRulesFiles(baseSha: string, ports: ImplementPorts): Promise<RulesFile[]> {
  const files: RulesFile[] = []
  for (const path of ports.context.config.rulesFiles) {
    const text = await ports.git.show(baseSha, path)
    if (text !== null) files.push({ path, text })
  }
  return files
}

/** Runs codex for the group with the phase's timeout and model. */
async function runCodex(
  prompt: string,
  request: ImplementRequest,
  ports: ImplementPorts,
  group: WaveGroup
): Promise<CodexRunResult> {
  const { config, ui } = ports.context
  const minutes = request.timeoutMinutes ?? config.codex.timeoutMinutes.implement
  const model = request.model ?? config.codex.model
  return runCodexInGroup(
    ui,
    ports.codex,
    `codex: implement group ${group.id} (${refList(group.issues)})`,
    {
      cwd: ports.workDir,
      prompt,
      sandbox: 'workspace-write',
      outputSchema: implementerResultJsonSchema,
      timeoutMs: Math.round(minutes * 60_000),
      ...(model === null ? {} : { model })
    },
    () => ports.git.status()
  )
}

/** Decides from the run and from git (not from codex's events) what the run amounts to. */
async function judge(run: CodexRunResult, git: ImplementGit, group: WaveGroup): Promise<Verdict> {
  if (run.outcome !== 'succeeded') {
    const what = run.outcome === 'timed-out' ? 'the codex run timed out' : 'the codex run failed'
    const why = (run.error ?? 'no reason given').trim().replace(/\.+$/, '')
    return { kind: 'failed', reason: `${what}: ${why}.` }
  }
  const parsed = parseImplementerResultJson(run.finalMessage ?? '', "codex's final message")
  if (!parsed.ok) {
    return { kind: 'failed', reason: `codex ended without a valid result. ${parsed.error.message}` }
  }
  const result = parsed.value
  if (result.status === 'blocked') {
    const why = result.open_questions.join(' ') || 'it gave no reason'
    return { kind: 'failed', reason: `codex reported that it is blocked: ${why}` }
  }
  const changed = await git.status()
  if (changed.length === 0) {
    return {
      kind: 'no-changes',
      explanation: [result.pr_summary, ...result.open_questions].join('\n\n')
    }
  }
  const conflicted = await filesWithConflictMarkers(
    git,
    changed.filter(entry => !entry.code.includes('D')).map(entry => entry.path)
  )
  if (conflicted.length > 0) {
    return {
      kind: 'failed',
      reason: `the work tree has conflict markers ('<<<<<<<' or '>>>>>>>' lines) in ${conflicted.join(', ')}.`
    }
  }
  if (run.threadId === null) {
    return { kind: 'failed', reason: `codex reported no thread id for group "${group.id}".` }
  }
  return { kind: 'change', result, threadId: run.threadId }
}

/** Commits the change with the pipeline's trailers and pushes it; returns the new head. */
async function commitAndPush(
  verdict: Extract<Verdict, { kind: 'change' }>,
  branch: string,
  ports: ImplementPorts,
  group: WaveGroup
): Promise<string> {
  const message = implementCommitMessage({
    result: verdict.result,
    threadId: verdict.threadId,
    runUrl: ports.context.run.url,
    issues: group.issues
  })
  const head = await ports.git.commitAll(message)
  if (head === null)
    throw new Error(
      `Group "${group.id}": git found nothing to commit after codex changed the tree.`
    )
  const pushed = await ports.git.push({
    remote: ports.remote,
    source: head,
    branch,
    auth: ports.auth
  })
  if (pushed.status === 'rejected') {
    throw new Error(
      `Pushing '${branch}' to '${ports.remote}' was rejected (${pushed.reason}): the branch moved while codex ran. Run the job again to build on the new head.`
    )
  }
  ports.context.ui.info(`Pushed ${head.slice(0, 7)} to '${branch}'.`)
  return head
}

async function openOrUpdatePull(
  result: ImplementerResult,
  branch: string,
  base: string,
  planId: string,
  existing: ForgePull | null,
  ports: ImplementPorts,
  group: WaveGroup
): Promise<{ pull: ForgePull; outcome: 'opened' | 'updated' }> {
  const { forge, config, run, ui } = ports.context
  const title = pullRequestTitle(result)
  const body = renderPullRequestBody({
    group: group.id,
    issues: group.issues,
    result,
    runUrl: run.url,
    planId
  })
  const pull =
    existing === null
      ? await forge.createPull({ title, body, head: branch, base })
      : existing.title === title && existing.body === body
        ? existing
        : await forge.updatePull(existing.number, { title, body })
  const label = config.labels.pullRequest
  if (!pull.labels.some(name => name.toLowerCase() === label.toLowerCase())) {
    await forge.addLabels(pull.number, [label])
  }
  const outcome = existing === null ? 'opened' : 'updated'
  ui.info(`Pull request #${pull.number} ${outcome}: ${pull.htmlUrl}`)
  return { pull, outcome }
}

/** The context the ledger writer needs. */
type LedgerContext = Pick<PhaseContext, 'pipelineLogin' | 'ui' | 'clock'> & {
  forge: Pick<Forge, 'listComments' | 'upsertComment'>
}

/**
 * Creates or updates the ledger comment of the pull request `record` opened or updated, recording
 * `run` (the implement run that pushed) with its artifact and codex usage. `isNew`: the PR has no
 * ledger to extend (it was just opened, or its run stopped before writing one), so none is read.
 */
async function writeDispatchLedger(
  context: LedgerContext,
  record: DispatchRecord & { pr: number },
  run: RunRef,
  isNew: boolean
): Promise<Ledger> {
  const { forge, pipelineLogin, ui, clock } = context
  const at = clock.now().toISOString()
  let ledger: Ledger | null = null
  if (!isNew) {
    const found = findLedger(await forge.listComments(record.pr), pipelineLogin)
    for (const warning of found.warnings) ui.warning(`PR #${record.pr}: ${warning}`)
    if (found.error !== null) {
      ui.warning(`PR #${record.pr}: ${found.error.message}\nThe ledger is written anew.`)
    }
    ledger = found.ledger
  }
  const start =
    ledger ??
    createLedger({
      pr: record.pr,
      issues: record.issues,
      planId: record.planId,
      group: record.group,
      branch: record.branch,
      at
    })
  const updated = setStatus(
    recordUsage(
      recordRun(start, {
        phase: 'dispatch',
        runId: run.runId,
        attempt: run.attempt,
        artifact: record.promptArtifact,
        at
      }),
      'dispatch',
      record.usage ?? NO_USAGE,
      at
    ),
    'implementing',
    null,
    at
  )
  const body = renderLedgerComment(updated, { runUrl: run.url })
  const written = await forge.upsertComment(record.pr, LEDGER_MARKER, body, pipelineLogin)
  ui.info(`Ledger comment on PR #${record.pr}: ${written.outcome}.`)
  return updated
}

/**
 * Finishes an implement run that stopped after opening or updating its pull request but before
 * writing the ledger (a killed runner or command, a failed comment request): writes the ledger
 * that run would have written, from the dispatch record it uploaded, so the PR can be reviewed.
 * @throws when the record is not of a run that pushed to a pull request.
 */
export async function finishInterruptedDispatch(
  context: LedgerContext,
  record: DispatchRecord,
  run: RunRef
): Promise<Ledger> {
  const { pr } = record
  if (pr === null || (record.outcome !== 'opened' && record.outcome !== 'updated')) {
    throw new Error(
      `The dispatch record '${record.promptArtifact}' of run ${run.runId} is of a run that pushed nothing (outcome "${record.outcome}"), so there is no ledger to finish.`
    )
  }
  context.ui.info(
    `PR #${pr} has no ledger: run ${run.runId} stopped before writing it. Writing it from that run's dispatch record.`
  )
  return writeDispatchLedger(context, { ...record, pr }, run, true)
}

async function commentNoChanges(
  ports: ImplementPorts,
  group: WaveGroup,
  explanation: string
): Promise<void> {
  const { forge, pipelineLogin, run, ui } = ports.context
  const marker = noChangesMarker(group.id)
  const body = renderNoChangesComment({ group: group.id, explanation, runUrl: run.url })
  for (const issue of group.issues) {
    const written = await forge.upsertComment(issue, marker, body, pipelineLogin)
    ui.info(`No-changes comment on #${issue}: ${written.outcome}.`)
  }
}

interface RunFacts {
  prompt: string
  run: CodexRunResult
  usage: CodexUsageRecord
  artifact: string
  branch: string
  baseSha: string
  planId: string
}

/** Uploads the dispatch artifact: the prompt, codex's event log and the record of this run. */
async function uploadRecord(
  ports: ImplementPorts,
  group: WaveGroup,
  facts: RunFacts,
  end: Pick<DispatchRecord, 'outcome' | 'headSha' | 'error'> & { pr: ForgePull | null }
): Promise<DispatchRecord> {
  const record: DispatchRecord = {
    v: 1,
    planId: facts.planId,
    group: group.id,
    issues: [...group.issues],
    branch: facts.branch,
    baseSha: facts.baseSha,
    headSha: end.headSha,
    pr: end.pr?.number ?? null,
    promptArtifact: facts.artifact,
    usage: facts.usage,
    outcome: end.outcome,
    error: end.error
  }
  await ports.context.artifacts.upload(facts.artifact, [
    { path: DISPATCH_ARTIFACT_FILES.prompt, content: facts.prompt },
    { path: DISPATCH_ARTIFACT_FILES.events, content: facts.run.eventLog },
    { path: DISPATCH_ARTIFACT_FILES.record, content: `${JSON.stringify(record, null, 2)}\n` }
  ])
  ports.context.ui.info(`Uploaded the dispatch artifact '${facts.artifact}'.`)
  return record
}

/**
 * The id of the plan this job implements when it was not given the wave's plan: the plan made of
 * this group alone, so the ledger names a plan that its content hashes to.
 */
function soloPlanId(group: WaveGroup, issues: readonly ForgeIssue[]): string {
  return computePlanId({
    v: 1,
    issues: issues.map(({ number, title, labels, state }) => ({ number, title, labels, state })),
    groups: [group],
    sequence: [],
    skips: [],
    findings: [],
    needsConfirmation: false
  })
}
