/**
 * The facts of a plan, gathered through the ports: the issues and the pipeline's open pull
 * requests from the forge, the pipeline's branches without a pull request from the remote with
 * git (one fetch), the paths, definitions and numbered files from git at the base.
 * Forge requests go one after the other (GitHub asks integrations not to send them concurrently):
 * the pipeline's open PRs and their files first, then each requested issue, plus its sub-issues
 * when it can be planned, then each issue a task list or sub-issue list references.
 */
import type { WaveConfig } from '../../contracts/index.js'
import {
  PIPELINE_BRANCH_REFS,
  branchesWithoutPull,
  inFlightPull,
  pipelineBranchRefspecs,
  numberedPathState,
  planLookups,
  globDirectory,
  type InFlightBranch,
  type InFlightPull,
  type IssueFacts,
  type PlanConfig,
  type PlanFacts
} from '../../plan/index.js'
import type { Forge, ForgeIssue, Git, GitAuth } from '../../ports.js'

/** The forge operations the fact gathering reads with. */
export type PlanFactsForge = Pick<
  Forge,
  'getIssue' | 'listSubIssues' | 'listOpenPulls' | 'listPullFiles'
>

/** What to gather the facts of. */
export interface PlanFactsRequest {
  /** `owner/name`. */
  repo: string
  /** The issue numbers of the wave. */
  requested: readonly number[]
  /** The git revision of the base (e.g. `refs/remotes/origin/main` or `HEAD`). */
  revision: string
  config: PlanConfig & Pick<WaveConfig, 'labels'>
  /**
   * The remote to fetch the pipeline's branches from (with the token as a header), so branches
   * without an open PR count as in flight; absent or null: they are not looked for.
   */
  branches?: { remote: string; auth?: GitAuth } | null
}

/** Gathers everything {@link planWave} needs for a batch. */
export async function gatherPlanFacts(
  forge: PlanFactsForge,
  git: Pick<Git, 'exec'> & Partial<Pick<Git, 'fetch'>>,
  request: PlanFactsRequest
): Promise<PlanFacts> {
  const inFlight = await fetchInFlight(forge, request)
  const source = request.branches ?? null
  const branches =
    source === null ? null : await fetchInFlightBranches(git, source, request.revision, inFlight)
  const inFlightIssues = new Set([
    ...inFlight.flatMap(pull => pull.closes),
    ...(branches ?? []).map(branch => branch.issue)
  ])
  const issues = await fetchRequestedIssues(forge, request.requested, inFlightIssues)
  const lookups = planLookups(issues, request.repo, request.config)
  issues.push(...(await fetchReferencedIssues(forge, lookups.issues)))
  const symbolDefinitions: Record<string, string[]> = {}
  for (const { symbol, pattern } of lookups.symbols) {
    symbolDefinitions[symbol] = await filesMatching(git, request.revision, pattern)
  }
  const numberedFiles = await filesUnder(git, request.revision, lookups.numberedPatterns)
  return {
    repo: request.repo,
    requested: [...request.requested],
    issues,
    inFlight,
    ...(branches === null ? {} : { inFlightBranches: branches }),
    pathsAtBase: await pathsExisting(git, request.revision, lookups.paths),
    symbolDefinitions,
    numberedPaths: lookups.numberedPatterns.map(pattern =>
      numberedPathState(pattern, numberedFiles)
    )
  }
}

function toIssueFacts(issue: ForgeIssue, subIssues: number[]): IssueFacts {
  return {
    number: issue.number,
    title: issue.title,
    body: issue.body,
    labels: issue.labels,
    state: issue.state,
    locked: issue.locked,
    isPullRequest: issue.isPullRequest,
    subIssues
  }
}

/** Only an issue that can be planned may be an umbrella; the others are skipped anyway. */
function canBePlanned(issue: ForgeIssue, inFlight: ReadonlySet<number>): boolean {
  return (
    issue.state === 'open' && !issue.locked && !issue.isPullRequest && !inFlight.has(issue.number)
  )
}

async function fetchRequestedIssues(
  forge: PlanFactsForge,
  numbers: readonly number[],
  inFlight: ReadonlySet<number>
): Promise<IssueFacts[]> {
  const issues: IssueFacts[] = []
  for (const number of numbers) {
    const issue = await forge.getIssue(number)
    if (issue === null) continue
    const subIssues = canBePlanned(issue, inFlight) ? await forge.listSubIssues(number) : []
    issues.push(toIssueFacts(issue, subIssues))
  }
  return issues
}

/** Issues named by task lists and sub-issues: only whether each can start matters. */
async function fetchReferencedIssues(
  forge: PlanFactsForge,
  numbers: readonly number[]
): Promise<IssueFacts[]> {
  const issues: IssueFacts[] = []
  for (const number of numbers) {
    const issue = await forge.getIssue(number)
    if (issue !== null) issues.push(toIssueFacts(issue, []))
  }
  return issues
}

async function fetchInFlight(
  forge: PlanFactsForge,
  request: PlanFactsRequest
): Promise<InFlightPull[]> {
  const pulls = await forge.listOpenPulls({ label: request.config.labels.pullRequest })
  const inFlight: InFlightPull[] = []
  for (const pull of pulls) {
    const files = await forge.listPullFiles(pull.number)
    inFlight.push(
      inFlightPull(
        pull,
        files.map(file => file.path),
        request.repo
      )
    )
  }
  return inFlight
}

/**
 * The pipeline's branches without an open PR, with the paths each changes since its merge base
 * with the base. One fetch of `fix/*`, `feat/*` and `refactor/*` into a namespace of their own,
 * emptied first so a branch deleted on the remote since an earlier fetch does not linger.
 */
async function fetchInFlightBranches(
  git: Pick<Git, 'exec'> & Partial<Pick<Git, 'fetch'>>,
  source: { remote: string; auth?: GitAuth },
  revision: string,
  pulls: readonly InFlightPull[]
): Promise<InFlightBranch[]> {
  if (git.fetch === undefined) {
    throw new Error(
      `The pipeline's branches cannot be read from '${source.remote}': the git given to the plan has no fetch. Pass a git work tree, or leave 'branches' out of the request.`
    )
  }
  const stale = await gitOutput(git, [
    'for-each-ref',
    '--format=delete %(refname)',
    PIPELINE_BRANCH_REFS
  ])
  if (stale !== '') await gitOutput(git, ['update-ref', '--stdin'], { input: stale })
  await git.fetch(source.remote, pipelineBranchRefspecs(), source.auth)
  const refs = await gitOutput(git, ['for-each-ref', '--format=%(refname)', PIPELINE_BRANCH_REFS])
  const branches: InFlightBranch[] = []
  for (const { branch, issue } of branchesWithoutPull(refs.split('\n'), pulls)) {
    const changedPaths = await changedSinceBase(git, revision, `${PIPELINE_BRANCH_REFS}${branch}`)
    branches.push({ branch, issue, changedPaths })
  }
  return branches
}

/**
 * The paths a branch changes since its merge base with the base. A shallow checkout may hold no
 * merge base; the two trees are then compared, which also lists the base's own later changes:
 * more overlap reported, never less.
 */
async function changedSinceBase(
  git: Pick<Git, 'exec'>,
  revision: string,
  ref: string
): Promise<string[]> {
  const sinceMergeBase = await git.exec(['diff', '--name-only', '-z', `${revision}...${ref}`, '--'])
  const output =
    sinceMergeBase.exitCode === 0
      ? sinceMergeBase.stdout
      : await gitOutput(git, ['diff', '--name-only', '-z', revision, ref, '--'])
  return [...new Set(output.split('\0').filter(path => path !== ''))].sort()
}

async function gitOutput(
  git: Pick<Git, 'exec'>,
  args: readonly string[],
  options: { input?: string; noMatchExit?: number } = {}
): Promise<string> {
  const result = await git.exec(args, options.input === undefined ? {} : { input: options.input })
  if (result.exitCode === 0) return result.stdout
  if (result.exitCode === options.noMatchExit) return ''
  throw new Error(
    `git ${args.slice(0, 3).join(' ')} failed at the base (exit ${result.exitCode}): ${result.stderr.trim()}. Check that the base is checked out in the workspace.`
  )
}

/** Which paths exist (as a file or a directory) at the revision, in one `cat-file` process. */
async function pathsExisting(
  git: Pick<Git, 'exec'>,
  revision: string,
  paths: readonly string[]
): Promise<Record<string, boolean>> {
  if (paths.length === 0) return {}
  const input = paths.map(path => `${revision}:${path}\n`).join('')
  const lines = (await gitOutput(git, ['cat-file', '--batch-check'], { input })).split('\n')
  return Object.fromEntries(
    paths.map((path, index) => [path, !/ (?:missing|ambiguous)$/.test(lines[index] ?? ' missing')])
  )
}

/** The files at the revision with a line matching the extended regular expression. */
async function filesMatching(
  git: Pick<Git, 'exec'>,
  revision: string,
  pattern: string
): Promise<string[]> {
  const output = await gitOutput(git, ['grep', '-l', '-I', '-E', '-e', pattern, revision, '--'], {
    noMatchExit: 1
  })
  const prefix = `${revision}:`
  return output
    .split('\n')
    .filter(line => line !== '')
    .map(line => (line.startsWith(prefix) ? line.slice(prefix.length) : line))
}

/** The files at the revision under the directories of the numbered-path globs. */
async function filesUnder(
  git: Pick<Git, 'exec'>,
  revision: string,
  patterns: readonly string[]
): Promise<string[]> {
  if (patterns.length === 0) return []
  const directories = [...new Set(patterns.map(globDirectory))]
  const pathspecs = directories.includes('') ? [] : directories
  const output = await gitOutput(git, [
    'ls-tree',
    '-r',
    '--name-only',
    '-z',
    revision,
    '--',
    ...pathspecs
  ])
  return output.split('\0').filter(path => path !== '')
}
