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
import type { InstallationToken, InstallationTokenOptions } from '../github-emulator/apps.js'
import type {
  JobOptions,
  NewWorkflowRun,
  ScopedJobEnvironment
} from '../github-emulator/workflow-runs.js'

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
  jobEnvironment(repo: string, runId: number, job: JobOptions): ScopedJobEnvironment
  createInstallationToken(repo: string, options: InstallationTokenOptions): InstallationToken
  revokeToken(token: string): void
  startCheckRun(repo: string, check: { name: string; headSha: string; detailsUrl: string }): number
  completeCheckRun(repo: string, id: number, conclusion: 'success' | 'failure' | 'cancelled'): void
  requests(): RequestLogEntry[]
  userFor(kind: 'admin' | 'write' | 'read'): SandboxUser
  mount(handler: ExtraRequestHandler): void
}
