/**
 * What the engine needs of the GitHub emulator, in one narrow interface: its events and their
 * webhook payloads, the repository's files at a commit, workflow runs, and job and installation
 * tokens with exactly the permissions asked.
 */
import type { WorkflowRunRecord } from '../github-emulator/state.js'
import type {
  ExtraRequestHandler,
  ForgeEvent,
  RequestLogEntry,
  SandboxUser
} from '../github-emulator/types.js'
import type { NewWorkflowRun } from '../github-emulator/workflow-runs.js'

/** A job's environment from the forge: its token and the artifact runtime. */
export interface ForgeJobEnvironment {
  GITHUB_TOKEN: string
  ACTIONS_RUNTIME_TOKEN: string
  ACTIONS_RESULTS_URL: string
  [name: string]: string
}

/** An installation token minted by the forge. */
export interface ForgeInstallationToken {
  token: string
  login: string
  slug: string
}

/** The emulator, as the engine uses it. */
export interface EngineForge {
  readonly owner: string
  readonly apiUrl: string
  readonly tokens: { admin: string }
  cloneUrl(repo: string): string
  onEvent(listener: (event: ForgeEvent) => void): () => void
  webhookPayload(repo: string, event: ForgeEvent): Record<string, unknown>
  defaultBranch(repo: string): string
  resolveCommit(repo: string, revision: string): Promise<string | null>
  readFile(repo: string, commit: string, path: string): Promise<string | null>
  listDirectory(repo: string, commit: string, dir: string): Promise<string[]>
  createWorkflowRun(repo: string, run: NewWorkflowRun): number
  workflowRun(repo: string, runId: number): Readonly<WorkflowRunRecord> | undefined
  updateWorkflowRun(
    repo: string,
    runId: number,
    change: { status: WorkflowRunRecord['status']; conclusion?: string | null }
  ): void
  jobEnvironment(
    repo: string,
    runId: number,
    options: { permissions: Record<string, string> }
  ): ForgeJobEnvironment
  createInstallationToken(
    repo: string,
    options: { permissions: Record<string, string>; appSlug?: string }
  ): ForgeInstallationToken
  revokeToken(token: string): void
  startCheckRun(repo: string, check: { name: string; headSha: string; detailsUrl: string }): number
  completeCheckRun(repo: string, id: number, conclusion: 'success' | 'failure' | 'cancelled'): void
  /** The id the request log records for requests made with `token`. */
  tokenId(token: string): string | null
  requests(): RequestLogEntry[]
  userFor(kind: 'admin' | 'write' | 'read'): SandboxUser
  mount(handler: ExtraRequestHandler): void
}
