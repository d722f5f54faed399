/**
 * The Forge port over the GitHub REST API, for one repository. Every operation costs one request
 * (lists: one per 100 items; `getCiState`: two), because a workflow's `GITHUB_TOKEN` has 1,000
 * requests an hour per repository.
 */
import type {
  CommitState,
  Forge,
  ForgeChangedFile,
  ForgeCiState,
  ForgeComment,
  ForgeIssue,
  ForgePermission,
  ForgePull,
  MergeResult,
  MutationOutcome,
  UpdateBranchResult
} from '../ports.js'
import type { GitHubClient, GitHubOctokit } from './github.js'

type Rest = GitHubOctokit['rest']
/** What an endpoint method answers, in the types of the Octokit the client is built with. */
type DataOf<Method extends (...args: never[]) => Promise<{ data: unknown }>> = Awaited<
  ReturnType<Method>
>['data']
type IssueData = DataOf<Rest['issues']['get']>
type CommentData = DataOf<Rest['issues']['createComment']>
type PullData = DataOf<Rest['pulls']['get']>
type PullListEntry = DataOf<Rest['pulls']['list']>[number]

/** Where the adapter works: the client and the repository it is bound to. */
export interface GitHubForgeOptions {
  client: Pick<GitHubClient, 'octokit'>
  owner: string
  repo: string
}

/** A request GitHub answered with an error the caller did not expect, or that got no answer. */
export class ForgeError extends Error {
  constructor(
    message: string,
    /** What was being done, e.g. `reading issue #12`. */
    readonly operation: string,
    /** GitHub's HTTP status, or null when no response came back. */
    readonly httpStatus: number | null,
    options?: { cause?: unknown }
  ) {
    super(message, options)
    this.name = 'ForgeError'
  }
}

/** An error status the operation expects and turns into a result instead of an exception. */
class Refusal {
  constructor(
    readonly httpStatus: number,
    readonly message: string
  ) {}
}

/** GitHub refuses commit status descriptions longer than this with a 422. */
const maxStatusDescription = 140
const perPage = 100
const permissions: readonly ForgePermission[] = [
  'admin',
  'maintain',
  'write',
  'triage',
  'read',
  'none'
]

/** The Forge port on one GitHub repository. */
export class GitHubForge implements Forge {
  private readonly octokit: GitHubOctokit
  private readonly owner: string
  private readonly repo: string

  constructor(options: GitHubForgeOptions) {
    this.octokit = options.client.octokit
    this.owner = options.owner
    this.repo = options.repo
  }

  private get where(): { owner: string; repo: string } {
    return { owner: this.owner, repo: this.repo }
  }

  /** The issue or pull request; null when the number names nothing, or the issue was deleted (410). */
  async getIssue(number: number): Promise<ForgeIssue | null> {
    const response = await this.send(
      `reading issue #${number}`,
      () => this.octokit.rest.issues.get({ ...this.where, issue_number: number }),
      [404, 410]
    )
    return response instanceof Refusal ? null : toIssue(response.data)
  }

  /** Numbers of the issue's sub-issues, in GitHub's order. */
  async listSubIssues(number: number): Promise<number[]> {
    const issues = await this.send(`listing the sub-issues of #${number}`, () =>
      this.octokit.paginate(this.octokit.rest.issues.listSubIssues, {
        ...this.where,
        issue_number: number,
        per_page: perPage
      })
    )
    return issues.map(issue => issue.number)
  }

  /** Every comment on the issue or pull request, oldest first. */
  async listComments(issue: number): Promise<ForgeComment[]> {
    const comments = await this.send(`listing the comments of #${issue}`, () =>
      this.octokit.paginate(this.octokit.rest.issues.listComments, {
        ...this.where,
        issue_number: issue,
        per_page: perPage
      })
    )
    return comments.map(toComment)
  }

  /**
   * One list of the comments, then at most one write. Only a comment by `author` (exact login)
   * that carries `marker` is updated: anyone can paste a marker into a comment of their own.
   */
  async upsertComment(
    issue: number,
    marker: string,
    body: string,
    author: string
  ): Promise<{ id: number; outcome: MutationOutcome }> {
    if (!marker || !body.includes(marker)) {
      throw new Error(
        `Forge: the comment for #${issue} does not carry its marker ${JSON.stringify(marker)}, so a re-run could not find it and would post it again. Put the marker in the body.`
      )
    }
    const existing = (await this.listComments(issue)).find(
      comment => comment.user.login === author && comment.body.includes(marker)
    )
    if (existing === undefined) {
      const created = await this.send(`commenting on #${issue}`, () =>
        this.octokit.rest.issues.createComment({ ...this.where, issue_number: issue, body })
      )
      return { id: created.data.id, outcome: 'created' }
    }
    if (existing.body === body) return { id: existing.id, outcome: 'unchanged' }
    await this.send(`updating comment ${existing.id} on #${issue}`, () =>
      this.octokit.rest.issues.updateComment({ ...this.where, comment_id: existing.id, body })
    )
    return { id: existing.id, outcome: 'updated' }
  }

  /** Adds labels in one request; GitHub creates labels the repository does not have yet. */
  async addLabels(issue: number, labels: readonly string[]): Promise<void> {
    if (labels.length === 0) return
    await this.send(`adding the labels ${quoteAll(labels)} to #${issue}`, () =>
      this.octokit.rest.issues.addLabels({
        ...this.where,
        issue_number: issue,
        labels: [...labels]
      })
    )
  }

  /** Removes a label; a label the issue does not carry (404) is already removed. */
  async removeLabel(issue: number, label: string): Promise<void> {
    await this.send(
      `removing the label '${label}' from #${issue}`,
      () =>
        this.octokit.rest.issues.removeLabel({ ...this.where, issue_number: issue, name: label }),
      [404]
    )
  }

  /**
   * The user's role on the repository: `role_name` when it is one of GitHub's base roles, else the
   * legacy `permission` (a custom role maps to the base role it extends); `none` for a non-user.
   */
  async getPermission(login: string): Promise<ForgePermission> {
    const response = await this.send(
      `reading the permission of '${login}'`,
      () =>
        this.octokit.rest.repos.getCollaboratorPermissionLevel({ ...this.where, username: login }),
      [404]
    )
    if (response instanceof Refusal) return 'none'
    return toPermission(response.data.role_name, response.data.permission)
  }

  /** The pull request with its mergeability; null when no pull request has that number. */
  async getPull(number: number): Promise<ForgePull | null> {
    const response = await this.send(
      `reading pull request #${number}`,
      () => this.octokit.rest.pulls.get({ ...this.where, pull_number: number }),
      [404]
    )
    return response instanceof Refusal ? null : toPull(response.data)
  }

  /**
   * Open pull requests from the pulls list: one request per 100 open PRs. `head` is filtered by
   * GitHub; `label` here, because the pulls API has no label filter and the issues API (which has
   * one) lacks the head and base, which would cost one more request per PR. Listed PRs carry
   * `mergeable: null`: GitHub computes it only for a single PR (`getPull`).
   */
  async listOpenPulls(filter: { label?: string; head?: string } = {}): Promise<ForgePull[]> {
    const what = filter.head === undefined ? '' : ` from '${filter.head}'`
    const pulls = await this.send(`listing the open pull requests${what}`, () =>
      this.octokit.paginate(this.octokit.rest.pulls.list, {
        ...this.where,
        state: 'open',
        per_page: perPage,
        ...(filter.head === undefined ? {} : { head: `${this.owner}:${filter.head}` })
      })
    )
    const wanted = filter.label?.toLowerCase()
    return pulls
      .map(toPull)
      .filter(pull => wanted === undefined || pull.labels.some(l => l.toLowerCase() === wanted))
  }

  /** The changed files (GitHub lists at most 3,000). */
  async listPullFiles(number: number): Promise<ForgeChangedFile[]> {
    const files = await this.send(`listing the files of pull request #${number}`, () =>
      this.octokit.paginate(this.octokit.rest.pulls.listFiles, {
        ...this.where,
        pull_number: number,
        per_page: perPage
      })
    )
    return files.map(file => ({
      path: file.filename,
      additions: file.additions,
      deletions: file.deletions,
      status: file.status
    }))
  }

  /** The commits, oldest first (GitHub lists at most 250). */
  async listPullCommits(number: number): Promise<Array<{ sha: string; message: string }>> {
    const commits = await this.send(`listing the commits of pull request #${number}`, () =>
      this.octokit.paginate(this.octokit.rest.pulls.listCommits, {
        ...this.where,
        pull_number: number,
        per_page: perPage
      })
    )
    return commits.map(commit => ({ sha: commit.sha, message: commit.commit.message }))
  }

  async createPull(pull: {
    title: string
    body: string
    head: string
    base: string
  }): Promise<ForgePull> {
    const response = await this.send(
      `creating the pull request from '${pull.head}' into '${pull.base}'`,
      () => this.octokit.rest.pulls.create({ ...this.where, ...pull })
    )
    return toPull(response.data)
  }

  async updatePull(number: number, change: { title?: string; body?: string }): Promise<ForgePull> {
    const response = await this.send(`updating pull request #${number}`, () =>
      this.octokit.rest.pulls.update({ ...this.where, pull_number: number, ...change })
    )
    return toPull(response.data)
  }

  /**
   * Merges only if the head is still `sha`. GitHub's 405 (not mergeable), 409 (the head moved) and
   * 422 are refusals the caller must re-plan on; the client never retries them.
   */
  async mergePull(
    number: number,
    sha: string,
    method: 'merge' | 'squash' | 'rebase'
  ): Promise<MergeResult> {
    const response = await this.send(
      `merging pull request #${number} at ${sha}`,
      () =>
        this.octokit.rest.pulls.merge({
          ...this.where,
          pull_number: number,
          sha,
          merge_method: method
        }),
      [405, 409, 422]
    )
    if (response instanceof Refusal) return { status: 'refused', ...response }
    return { status: 'merged', sha: response.data.sha }
  }

  /**
   * Merges the base into the head if the head is still `expectedHeadSha`; 422 is a refusal. GitHub
   * answers 202 and may move the head in the background: read the new head with `getPull`.
   */
  async updateBranch(number: number, expectedHeadSha: string): Promise<UpdateBranchResult> {
    const response = await this.send(
      `updating the branch of pull request #${number} from ${expectedHeadSha}`,
      () =>
        this.octokit.rest.pulls.updateBranch({
          ...this.where,
          pull_number: number,
          expected_head_sha: expectedHeadSha
        }),
      [422]
    )
    if (response instanceof Refusal) return { status: 'refused', ...response }
    return { status: 'updated' }
  }

  /** Deletes the branch; one already gone (404 or 422) counts as deleted. */
  async deleteBranch(branch: string): Promise<void> {
    await this.send(
      `deleting the branch '${branch}'`,
      () => this.octokit.rest.git.deleteRef({ ...this.where, ref: `heads/${branch}` }),
      [404, 422]
    )
  }

  /** The newest status per context (one request, up to 100 contexts) and the latest check runs. */
  async getCiState(sha: string): Promise<ForgeCiState> {
    const [combined, checks] = await Promise.all([
      this.send(`reading the commit statuses of ${sha}`, () =>
        this.octokit.rest.repos.getCombinedStatusForRef({
          ...this.where,
          ref: sha,
          per_page: perPage
        })
      ),
      this.send(`reading the check runs of ${sha}`, () =>
        this.octokit.paginate(this.octokit.rest.checks.listForRef, {
          ...this.where,
          ref: sha,
          per_page: perPage
        })
      )
    ])
    return {
      statuses: combined.data.statuses.map(status => ({
        context: status.context,
        state: status.state as CommitState,
        description: status.description
      })),
      checks: checks.map(run => ({
        name: run.name,
        status: run.status,
        conclusion: run.conclusion
      }))
    }
  }

  /**
   * From the combined status, which holds the newest status of each context: one request unless
   * the commit has more than 100 contexts and the first page lacks this one.
   */
  async getCommitStatus(sha: string, context: string): Promise<CommitState | null> {
    for (let page = 1; ; page += 1) {
      const { data } = await this.send(`reading the commit statuses of ${sha}`, () =>
        this.octokit.rest.repos.getCombinedStatusForRef({
          ...this.where,
          ref: sha,
          per_page: perPage,
          page
        })
      )
      const found = data.statuses.find(status => status.context === context)
      if (found) return found.state as CommitState
      if (data.statuses.length < perPage || page * perPage >= data.total_count) return null
    }
  }

  /** Sets a commit status; a description over GitHub's 140 characters is shortened. */
  async setCommitStatus(
    sha: string,
    status: { context: string; state: CommitState; description: string; targetUrl?: string }
  ): Promise<void> {
    await this.send(`setting the status '${status.context}' on ${sha}`, () =>
      this.octokit.rest.repos.createCommitStatus({
        ...this.where,
        sha,
        context: status.context,
        state: status.state,
        description: shorten(status.description, maxStatusDescription),
        ...(status.targetUrl === undefined ? {} : { target_url: status.targetUrl })
      })
    )
  }

  /** One request per 100 artifacts. */
  async listRunArtifactNames(runId: number): Promise<string[]> {
    const artifacts = await this.send(`listing the artifacts of workflow run ${runId}`, () =>
      this.octokit.paginate(this.octokit.rest.actions.listWorkflowRunArtifacts, {
        ...this.where,
        run_id: runId,
        per_page: perPage
      })
    )
    return artifacts.map(artifact => artifact.name)
  }

  /** Starts a `workflow_dispatch` run of `workflow` (file name or id) on `ref`. */
  async dispatchWorkflow(
    workflow: string,
    ref: string,
    inputs: Readonly<Record<string, string>>
  ): Promise<void> {
    await this.send(`dispatching the workflow '${workflow}' on '${ref}'`, () =>
      this.octokit.rest.actions.createWorkflowDispatch({
        ...this.where,
        workflow_id: workflow,
        ref,
        inputs: { ...inputs }
      })
    )
  }

  /**
   * Runs one request. A status in `expected` comes back as a Refusal; any other failure becomes a
   * ForgeError naming the operation, the status and GitHub's message.
   */
  private async send<T>(operation: string, request: () => Promise<T>): Promise<T>
  private async send<T>(
    operation: string,
    request: () => Promise<T>,
    expected: readonly number[]
  ): Promise<T | Refusal>
  private async send<T>(
    operation: string,
    request: () => Promise<T>,
    expected: readonly number[] = []
  ): Promise<T | Refusal> {
    try {
      return await request()
    } catch (error) {
      const status = responseStatus(error)
      const message = githubMessage(error)
      if (status !== null && expected.includes(status)) return new Refusal(status, message)
      const hint = status === null ? '' : this.hintFor(status)
      const said = hint && !/[.!?]$/.test(message) ? `${message}.` : message
      throw new ForgeError(
        `Forge: ${operation} failed (${status ?? 'no response'}): ${said}${hint}`,
        operation,
        status,
        { cause: error }
      )
    }
  }

  private hintFor(status: number): string {
    const repository = `${this.owner}/${this.repo}`
    if (status === 401)
      return ' The token was refused: pass a valid one (the github-token input, or GH_TOKEN).'
    if (status === 403)
      return ` The token lacks a permission this needs on ${repository} (grant it in the workflow's permissions: block), or a rate limit is spent.`
    if (status === 404) return ` It does not exist in ${repository}, or the token cannot see it.`
    return ''
  }
}

/** The HTTP status of a failed Octokit request, or null when no response came back. */
function responseStatus(error: unknown): number | null {
  if (typeof error !== 'object' || error === null) return null
  const { status, response } = error as { status?: unknown; response?: unknown }
  return typeof status === 'number' && response ? status : null
}

interface GitHubErrorBody {
  message?: unknown
  errors?: unknown
}

/**
 * What GitHub said: the messages of a validation failure's `errors` when it gives them (they carry
 * the reason, e.g. "A pull request already exists for ..."), else its `message`.
 */
function githubMessage(error: unknown): string {
  const data = (error as { response?: { data?: unknown } } | null)?.response?.data
  if (typeof data === 'object' && data !== null) {
    const body = data as GitHubErrorBody
    const details = Array.isArray(body.errors) ? body.errors.map(describeFieldError) : []
    const reasons = details.filter((detail): detail is string => detail !== null)
    if (reasons.length > 0) return reasons.join('; ')
    if (typeof body.message === 'string' && body.message) return body.message
  }
  if (typeof data === 'string' && data) return data
  return error instanceof Error ? error.message : String(error)
}

function describeFieldError(entry: unknown): string | null {
  if (typeof entry === 'string') return entry
  if (typeof entry !== 'object' || entry === null) return null
  const { message, resource, field, code } = entry as Record<string, unknown>
  if (typeof message === 'string' && message) return message
  const subject = [resource, field].filter(part => typeof part === 'string').join('.')
  return subject && typeof code === 'string' ? `${subject} is ${code}` : null
}

function quoteAll(names: readonly string[]): string {
  return names.map(name => `'${name}'`).join(', ')
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

function labelNames(labels: ReadonlyArray<string | { name?: string }>): string[] {
  return labels
    .map(label => (typeof label === 'string' ? label : (label.name ?? '')))
    .filter(name => name !== '')
}

function toPermission(roleName: string | undefined, permission: string): ForgePermission {
  for (const candidate of [roleName, permission]) {
    const known = permissions.find(role => role === candidate)
    if (known) return known
  }
  return 'none'
}

function toIssue(issue: IssueData): ForgeIssue {
  return {
    number: issue.number,
    title: issue.title,
    body: issue.body ?? '',
    labels: labelNames(issue.labels),
    state: issue.state === 'closed' ? 'closed' : 'open',
    locked: issue.locked,
    isPullRequest: issue.pull_request !== undefined && issue.pull_request !== null,
    author: issue.user?.login ?? ''
  }
}

function toComment(comment: CommentData): ForgeComment {
  return {
    id: comment.id,
    body: comment.body ?? '',
    user: { login: comment.user?.login ?? '', type: comment.user?.type ?? 'User' }
  }
}

/** A single PR (`pull-request`) or a list entry (`pull-request-simple`, without mergeability). */
function toPull(pull: PullData | PullListEntry): ForgePull {
  const merged = 'merged' in pull ? pull.merged : pull.merged_at !== null
  return {
    number: pull.number,
    title: pull.title,
    body: pull.body ?? '',
    state: pull.state === 'closed' ? 'closed' : 'open',
    merged,
    draft: pull.draft ?? false,
    headRef: pull.head.ref,
    headSha: pull.head.sha,
    // GitHub answers a head repository that was deleted with null: it was a fork all the same.
    crossRepository: pull.head.repo?.id !== pull.base.repo.id,
    baseRef: pull.base.ref,
    baseSha: pull.base.sha,
    mergeable: 'mergeable' in pull ? pull.mergeable : null,
    labels: labelNames(pull.labels),
    htmlUrl: pull.html_url
  }
}
