/**
 * The narrow interfaces the phases work through. Adapters in `src/adapters` implement them over
 * real things (git, codex, Octokit, `@actions/*`); unit tests implement the few methods a phase uses.
 * A phase should ask for `Pick<Port, ...>` of what it needs, never the whole port.
 */

/** What a child process returned. */
export interface ExecResult {
  exitCode: number
  stdout: string
  stderr: string
}

/** Credentials for a git remote over HTTP; the token is sent as a header and never stored. */
export interface GitAuth {
  token: string
}

/** A commit message in parts, so trailers are always rendered the same way. */
export interface CommitMessage {
  title: string
  body?: string
  /** Rendered as `Key: value` lines in the trailer block, in this order. */
  trailers?: ReadonlyArray<readonly [key: string, value: string]>
}

/** One path in `git status --porcelain`. */
export interface StatusEntry {
  /** The two-letter porcelain code, e.g. ` M`, `??`, `A `. */
  code: string
  path: string
}

export interface PushOptions {
  remote: string
  /** Local ref or SHA to push. */
  source: string
  /** Branch name on the remote. */
  branch: string
  auth?: GitAuth
  /** Push with `--force-with-lease=<branch>:<sha>`: succeeds only if the remote branch is still there. */
  forceWithLeaseSha?: string
}

export type PushOutcome =
  { status: 'pushed' } | { status: 'up-to-date' } | { status: 'rejected'; reason: string }

/** A git work tree the pipeline drives. Every method runs in that work tree. */
export interface Git {
  /** Runs git with the given arguments; never throws on a non-zero exit. */
  exec(args: readonly string[], options?: { input?: string }): Promise<ExecResult>
  /** The SHA a revision names. Throws when it names nothing. */
  revParse(revision: string): Promise<string>
  /** Whether a revision names a commit. */
  hasRevision(revision: string): Promise<boolean>
  /** Checks out `branch`, creating it at `startPoint` (or resetting it there when `reset` is set). */
  checkoutBranch(branch: string, startPoint: string, options?: { reset?: boolean }): Promise<void>
  status(): Promise<StatusEntry[]>
  /**
   * A hash of the whole work tree: tracked and untracked files (ignored ones excluded), computed
   * through a throwaway index so the real index is never touched.
   */
  treeHash(): Promise<string>
  /** Stages everything and commits; returns the new SHA, or null when there was nothing to commit. */
  commitAll(message: CommitMessage): Promise<string | null>
  push(options: PushOptions): Promise<PushOutcome>
  fetch(remote: string, refspecs: readonly string[], auth?: GitAuth): Promise<void>
  /** `git patch-id --stable` of the diff between two revisions, or null for an empty diff. */
  patchId(base: string, head: string): Promise<string | null>
  /** The unified diff between two revisions. */
  diff(base: string, head: string): Promise<string>
  /** Paths changed between two revisions. */
  changedFiles(base: string, head: string): Promise<string[]>
  /** A file's content at a revision, or null when it does not exist there. */
  show(revision: string, path: string): Promise<string | null>
}

export type CodexSandbox = 'read-only' | 'workspace-write'

/** One `codex exec` run. */
export interface CodexRunRequest {
  /** The work tree codex runs in. */
  cwd: string
  /** Sent on stdin, never as an argument. */
  prompt: string
  sandbox: CodexSandbox
  /** A strict JSON Schema the final message must satisfy (`--output-schema`). */
  outputSchema?: object
  model?: string
  /** The run is killed (whole process group) after this long. */
  timeoutMs: number
  /** `--ephemeral`: keep no session files. */
  ephemeral?: boolean
  /** Extra `-c key=value` overrides, values already in TOML syntax. */
  config?: Readonly<Record<string, string>>
}

export type CodexOutcome = 'succeeded' | 'failed' | 'timed-out'

export interface CodexUsage {
  inputTokens: number
  cachedInputTokens: number
  outputTokens: number
}

export interface CodexCommand {
  command: string
  exitCode: number | null
}

export interface CodexRunResult {
  outcome: CodexOutcome
  /** The last agent message (the `-o` file), or null when the run produced none. */
  finalMessage: string | null
  /** Why the run failed or timed out, in words a maintainer can act on; null on success. */
  error: string | null
  threadId: string | null
  usage: CodexUsage
  commands: CodexCommand[]
  filesChanged: string[]
  durationMs: number
  /** The raw JSONL event stream, kept for the run's artifact. */
  eventLog: string
}

export interface Codex {
  run(request: CodexRunRequest): Promise<CodexRunResult>
}

/** A file to upload as part of an artifact: a relative path inside it and its content. */
export interface ArtifactFile {
  path: string
  content: string | Uint8Array
}

export interface ArtifactRef {
  name: string
  id: number
  runId?: number
}

/** Artifacts carry bulk data (prompts, event logs, review JSON) between jobs and runs. */
export interface Artifacts {
  upload(name: string, files: readonly ArtifactFile[]): Promise<ArtifactRef>
  /**
   * Downloads an artifact (from `runId` when given, else the current run) into a fresh directory
   * outside the workspace; returns its files. Paths that escape the artifact are refused.
   */
  download(name: string, options?: { runId?: number }): Promise<ArtifactFile[]>
}

/** Where a phase reports: logs, annotations, outputs and the job summary. */
export interface Ui {
  info(message: string): void
  /** Something a person should see that is no fault of the pipeline (a notice annotation). */
  notice(message: string): void
  warning(message: string, where?: AnnotationPlace): void
  error(message: string, where?: AnnotationPlace): void
  debug(message: string): void
  /** Runs `body` inside a collapsible log group. */
  group<T>(title: string, body: () => Promise<T>): Promise<T>
  setOutput(name: string, value: string): void
  /** Appends Markdown to the job summary. */
  appendSummary(markdown: string): Promise<void>
}

export interface AnnotationPlace {
  title?: string
  file?: string
  line?: number
}

export interface Clock {
  now(): Date
  sleep(ms: number): Promise<void>
}

/** What an idempotent mutation did. */
export type MutationOutcome = 'created' | 'updated' | 'unchanged'

export interface ForgeUser {
  login: string
  /** `User` or `Bot`. */
  type: string
}

/** An issue (or, with `isPullRequest`, a pull request seen through the issues API). */
export interface ForgeIssue {
  number: number
  title: string
  body: string
  labels: string[]
  state: 'open' | 'closed'
  locked: boolean
  isPullRequest: boolean
  author: string
}

export interface ForgeComment {
  id: number
  body: string
  user: ForgeUser
}

export interface ForgePull {
  number: number
  title: string
  body: string
  state: 'open' | 'closed'
  merged: boolean
  draft: boolean
  headRef: string
  headSha: string
  /** Whether the head branch lives in another repository (a fork, or one since deleted). */
  crossRepository: boolean
  baseRef: string
  baseSha: string
  /** null while GitHub is still computing it. */
  mergeable: boolean | null
  labels: string[]
  htmlUrl: string
}

export interface ForgeChangedFile {
  path: string
  additions: number
  deletions: number
  status: string
}

export type CommitState = 'error' | 'failure' | 'pending' | 'success'

/** CI on one commit: every status context and check run. */
export interface ForgeCiState {
  statuses: ReadonlyArray<{ context: string; state: CommitState; description: string | null }>
  checks: ReadonlyArray<{ name: string; status: string; conclusion: string | null }>
}

export type ForgePermission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none'

export type MergeResult =
  | { status: 'merged'; sha: string }
  /** 405, 409 or 422 from GitHub: the PR must be re-planned, never retried blindly. */
  | { status: 'refused'; httpStatus: number; message: string }

export type UpdateBranchResult =
  { status: 'updated' } | { status: 'refused'; httpStatus: number; message: string }

/** The GitHub operations the phases use, on one repository. */
export interface Forge {
  /** The issue, or null when no issue or pull request has that number. */
  getIssue(number: number): Promise<ForgeIssue | null>
  listSubIssues(number: number): Promise<number[]>
  listComments(issue: number): Promise<ForgeComment[]>
  /**
   * Creates the comment that carries `marker` (an HTML comment unique to its purpose), or updates
   * the one authored by `author` that already carries it; `unchanged` when the body is the same.
   */
  upsertComment(
    issue: number,
    marker: string,
    body: string,
    author: string
  ): Promise<{ id: number; outcome: MutationOutcome }>
  addLabels(issue: number, labels: readonly string[]): Promise<void>
  removeLabel(issue: number, label: string): Promise<void>
  getPermission(login: string): Promise<ForgePermission>
  getPull(number: number): Promise<ForgePull | null>
  /** Open pull requests, optionally only those with `label` or from `head` (a branch name). */
  listOpenPulls(filter?: { label?: string; head?: string }): Promise<ForgePull[]>
  listPullFiles(number: number): Promise<ForgeChangedFile[]>
  /** Commit SHAs of the pull request, oldest first. */
  listPullCommits(number: number): Promise<Array<{ sha: string; message: string }>>
  createPull(pull: { title: string; body: string; head: string; base: string }): Promise<ForgePull>
  updatePull(number: number, change: { title?: string; body?: string }): Promise<ForgePull>
  mergePull(
    number: number,
    sha: string,
    method: 'merge' | 'squash' | 'rebase'
  ): Promise<MergeResult>
  updateBranch(number: number, expectedHeadSha: string): Promise<UpdateBranchResult>
  deleteBranch(branch: string): Promise<void>
  getCiState(sha: string): Promise<ForgeCiState>
  /**
   * The state of the newest status named `context` on a commit, or null when it has none. Reads
   * statuses only (no check runs), so the token needs no `checks` scope.
   */
  getCommitStatus(sha: string, context: string): Promise<CommitState | null>
  setCommitStatus(
    sha: string,
    status: { context: string; state: CommitState; description: string; targetUrl?: string }
  ): Promise<void>
  /** The names of a workflow run's artifacts. */
  listRunArtifactNames(runId: number): Promise<string[]>
  dispatchWorkflow(
    workflow: string,
    ref: string,
    inputs: Readonly<Record<string, string>>
  ): Promise<void>
}
