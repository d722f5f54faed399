/**
 * Steps the review and correct phases share: the pull request with its mergeability, the trusted
 * ledger, the dispatch artifact it points at, the pull request's head checked out next to its
 * base, the rules files of the base branch and the issues the pull request implements.
 */
import type { Ledger, LedgerRun, Phase } from '../../contracts/index.js'
import { findLedger, LEDGER_MARKER, renderLedgerComment } from '../../ledger/index.js'
import type { PromptIssue, RulesFile } from '../../prompts/index.js'
import type { ForgeComment, ForgePull, Git, GitAuth, MutationOutcome } from '../../ports.js'
import type { PhaseContext } from './context.js'
import { readDispatchArtifact, type DispatchArtifact } from './run-artifacts.js'

/** The git work tree a phase reviews or corrects in, and the remote it fetches from and pushes to. */
export interface PullWorkTree {
  git: Pick<
    Git,
    'exec' | 'fetch' | 'checkoutBranch' | 'revParse' | 'hasRevision' | 'show' | 'diff' | 'treeHash'
  >
  /** The work tree's directory (codex's `cwd`). */
  dir: string
  remote: string
  auth?: GitAuth
}

/** How often and how long to ask GitHub again while it computes `mergeable`. */
const MERGEABLE_POLLS = 8
const MERGEABLE_WAIT_MS = 1_500

/**
 * The pull request, asked again (with the Clock) while GitHub is still computing `mergeable`.
 * @throws when there is no such pull request or it is not open.
 */
export async function openPullRequest(
  context: Pick<PhaseContext, 'forge' | 'clock' | 'ui'>,
  pr: number
): Promise<ForgePull> {
  let pull = await context.forge.getPull(pr)
  for (let poll = 1; pull !== null && pull.state === 'open' && pull.mergeable === null; poll++) {
    if (poll > MERGEABLE_POLLS) {
      context.ui.warning(
        `GitHub has not computed whether PR #${pr} is mergeable after ${MERGEABLE_POLLS} tries; going on with "unknown".`
      )
      break
    }
    await context.clock.sleep(MERGEABLE_WAIT_MS * poll)
    pull = await context.forge.getPull(pr)
  }
  if (pull === null) {
    throw new Error(`Pull request #${pr} does not exist. Pass the number of an open pipeline PR.`)
  }
  if (pull.state !== 'open') {
    throw new Error(
      `Pull request #${pr} is ${pull.merged ? 'merged' : 'closed'}; there is nothing to do. Reopen it to have the pipeline work on it again.`
    )
  }
  return pull
}

/**
 * The PR's ledger, read only from comments by the pipeline's own login; every other ledger-looking
 * comment is ignored with a warning.
 * @throws when the pipeline wrote no ledger on the PR, or the one it wrote does not parse.
 */
export async function loadTrustedLedger(
  context: Pick<PhaseContext, 'forge' | 'pipelineLogin' | 'ui'>,
  pr: number
): Promise<Ledger> {
  return trustedLedgerOf(await context.forge.listComments(pr), context, pr)
}

/** {@link loadTrustedLedger} over comments the caller has already read. */
export function trustedLedgerOf(
  comments: readonly ForgeComment[],
  context: Pick<PhaseContext, 'pipelineLogin' | 'ui'>,
  pr: number
): Ledger {
  const found = findLedger(comments, context.pipelineLogin)
  for (const warning of found.warnings) context.ui.warning(`PR #${pr}: ${warning}`)
  if (found.error !== null) {
    throw new Error(
      `PR #${pr}: the pipeline's ledger comment ${found.commentId} cannot be read: ${found.error.message}`
    )
  }
  if (found.ledger === null) {
    throw new Error(
      `PR #${pr} has no ledger comment by @${context.pipelineLogin}, so it is not a pipeline PR (or the implement step never finished). Open it with the dispatch workflow, or pass the pipeline's login as 'pipeline-login'.`
    )
  }
  if (found.ledger.pr !== pr) {
    throw new Error(
      `PR #${pr}: the ledger comment is about PR #${found.ledger.pr}. Delete it so the pipeline can write a new one.`
    )
  }
  return found.ledger
}

/** Writes the ledger into the PR's status comment (created once, then updated in place). */
export async function saveLedger(
  context: Pick<PhaseContext, 'forge' | 'pipelineLogin' | 'run'>,
  ledger: Ledger
): Promise<MutationOutcome> {
  const body = renderLedgerComment(ledger, { runUrl: context.run.url })
  const { outcome } = await context.forge.upsertComment(
    ledger.pr,
    LEDGER_MARKER,
    body,
    context.pipelineLogin
  )
  return outcome
}

/** The latest run of `phase` in the ledger that uploaded an artifact, or null. */
export function latestRunWithArtifact(
  ledger: Pick<Ledger, 'runs'>,
  phase: Phase
): (LedgerRun & { artifact: string }) | null {
  const runs = ledger.runs.filter(
    (run): run is LedgerRun & { artifact: string } => run.phase === phase && run.artifact !== null
  )
  return runs[runs.length - 1] ?? null
}

/**
 * Downloads and validates the dispatch artifact the ledger names (from the dispatch run).
 * @throws when the ledger names none, or the artifact is not what the pipeline uploads.
 */
export async function loadDispatchArtifact(
  context: Pick<PhaseContext, 'artifacts' | 'ui'>,
  ledger: Ledger
): Promise<DispatchArtifact & { name: string; runId: number }> {
  const run = latestRunWithArtifact(ledger, 'dispatch')
  if (run === null) {
    throw new Error(
      `PR #${ledger.pr}: the ledger records no dispatch run with an artifact, so the implementer's prompt is unknown. Re-run the dispatch workflow for issue ${ledger.issues.map(n => `#${n}`).join(', ')}.`
    )
  }
  context.ui.info(`Downloading ${run.artifact} from run ${run.runId}`)
  const files = await context.artifacts.download(run.artifact, { runId: run.runId })
  return {
    ...readDispatchArtifact(run.artifact, files, ledger.pr),
    name: run.artifact,
    runId: run.runId
  }
}

/**
 * Fetches the PR's base and head branches and checks out the head (a local branch of the head's
 * name, reset to the head SHA). Returns the merge base of head and base.
 */
export async function checkoutPullHead(tree: PullWorkTree, pull: ForgePull): Promise<string> {
  const tracking = (branch: string) => `+refs/heads/${branch}:refs/remotes/${tree.remote}/${branch}`
  await tree.git.fetch(tree.remote, [tracking(pull.baseRef), tracking(pull.headRef)], tree.auth)
  for (const [what, sha] of [
    ['head', pull.headSha],
    ['base', pull.baseSha]
  ] as const) {
    if (!(await tree.git.hasRevision(sha))) {
      throw new Error(
        `PR #${pull.number}: its ${what} ${sha} is not in ${tree.remote} after fetching; it moved while this job started. Re-run the job.`
      )
    }
  }
  await tree.git.checkoutBranch(pull.headRef, pull.headSha, { reset: true })
  const mergeBase = await tree.git.exec(['merge-base', pull.baseSha, pull.headSha])
  if (mergeBase.exitCode !== 0) {
    throw new Error(
      `PR #${pull.number}: its head ${pull.headSha} and base ${pull.baseSha} share no history (${mergeBase.stderr.trim()}). Check out with full history (fetch-depth: 0).`
    )
  }
  return mergeBase.stdout.trim()
}

/** The rules files as they are on the base commit; files it does not have are left out. */
export async function readRulesFiles(
  git: Pick<Git, 'show'>,
  baseSha: string,
  paths: readonly string[]
): Promise<RulesFile[]> {
  const files: RulesFile[] = []
  for (const path of paths) {
    const text = await git.show(baseSha, path)
    if (text !== null) files.push({ path, text })
  }
  return files
}

/** The issues a PR implements, with their titles and bodies. */
export async function loadIssues(
  context: Pick<PhaseContext, 'forge'>,
  numbers: readonly number[]
): Promise<PromptIssue[]> {
  const issues: PromptIssue[] = []
  for (const number of numbers) {
    const issue = await context.forge.getIssue(number)
    issues.push(
      issue === null
        ? { number, title: `issue #${number} (not found)`, body: '' }
        : { number, title: issue.title, body: issue.body }
    )
  }
  return issues
}
