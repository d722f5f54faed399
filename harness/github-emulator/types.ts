/**
 * The public shapes of the sandbox forge: who may call it, what it records, how faults are
 * injected, and the mount point for extra request handlers and the source of run artifacts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ScopeUse } from './scopes.js'

/** The kinds of token the forge hands out; `actions` stands for a workflow's `GITHUB_TOKEN`. */
export type TokenKind = 'admin' | 'write' | 'read' | 'actions'

/**
 * How the caller of one request identified itself: `actions` covers the actions token and every
 * job token, `installation` a GitHub App installation token.
 */
export type CallerKind = TokenKind | 'installation' | 'anonymous' | 'invalid'

/** Repository roles, in increasing order of power. */
export type Permission = 'read' | 'write' | 'admin'

/** One account of the forge; each token belongs to one. */
export interface SandboxUser {
  id: number
  login: string
  type: 'User' | 'Bot' | 'Organization'
  permission: Permission
  /**
   * Token kind, `installation` for a GitHub App's bot, or null for accounts without a token
   * (e.g. the owning organization).
   */
  tokenKind: TokenKind | 'installation' | null
  email: string
}

/** The four tokens of a forge, by kind. */
export type SandboxTokens = Record<TokenKind, string>

/** One handled request, as tests read it back. */
export interface RequestLogEntry {
  method: string
  /** The route template, e.g. `/repos/{owner}/{repo}/pulls/{pull_number}`; the path when none matched. */
  route: string
  path: string
  status: number
  tokenKind: CallerKind
  login: string | null
  /** Opaque id of the job or installation token that made the request; null for others. */
  tokenId: string | null
  /**
   * The scope the matched route (or git) needed, the one the token used when the route accepts
   * several; null when the request was refused, needed none (reading a public repository) or
   * matched no route.
   */
  scope: ScopeUse | null
  /** ISO time the request arrived. */
  at: string
  durationMs: number
  /** The fault answered instead of the route, when one was injected. */
  fault: FaultKind | null
}

export type FaultKind = 'error' | 'secondary-rate-limit' | 'latency'

/** One fault rule. Rules are tried in the order they were added; the first that fires wins. */
export interface FaultRule {
  /**
   * Which requests it applies to: `METHOD /template` (e.g. `POST /repos/{owner}/{repo}/issues`),
   * a bare template (any method), or `*` (every REST route). Default `*`.
   */
  route?: string
  kind: FaultKind
  /** `error`: the status to answer (default 500); `secondary-rate-limit`: 403 (default) or 429. */
  status?: number
  /** `secondary-rate-limit`: the `retry-after` header in seconds (default 1). */
  retryAfterSeconds?: number
  /** `latency`: how long to hold the request before handling it normally (default 500). */
  latencyMs?: number
  /** How many matching requests it fires on before retiring; unlimited when absent. */
  times?: number
  /** Chance in [0, 1] that it fires on a matching request, drawn from the forge's seeded RNG. */
  probability?: number
}

/** A thing that happened in a repository, as a webhook event would report it. */
export interface ForgeEvent {
  id: number
  /** `owner/repo`. */
  repository: string
  /** The webhook event name: `issues`, `pull_request`, `issue_comment`, `push`, `workflow_dispatch`, ... */
  type: string
  action: string | null
  actor: string | null
  /**
   * True when the actions token or a job token caused it: on GitHub such events start no
   * workflow (but dispatch). An App installation token's events do.
   */
  causedByActionsToken: boolean
  /** A few identifying facts (number, ref, sha, label, workflow, ...). */
  payload: Record<string, unknown>
  at: string
}

/** What the forge tells a mounted handler about itself. */
export interface ForgeInfo {
  /** Base URL of the REST API (and of every mounted handler). */
  apiUrl: string
  /** Resolves a token to its account, or null when the forge does not know it. */
  userForToken(token: string): SandboxUser | null
}

/**
 * A request handler mounted in front of the REST routes. It answers and returns true when the
 * request is its own, or returns false without touching the response.
 */
export type ExtraRequestHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  forge: ForgeInfo
) => Promise<boolean>

/** A finalized artifact, as the REST routes show it. */
export interface StoredArtifact {
  id: number
  name: string
  sizeInBytes: number
  /** The workflow run that uploaded it. */
  runId: number
  createdAt: string
  updatedAt: string
  expiresAt: string | null
  /** `sha256:<hex>` of the zip, when known. */
  digest: string | null
}

/**
 * Where the REST routes `GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts`,
 * `GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}` and its `/zip` download get their
 * answers: by default the forge's own artifact service, or one given to `startEmulator` or `mount`.
 */
export interface RunArtifactSource {
  listRunArtifacts(query: { owner: string; repo: string; runId: number }): Promise<StoredArtifact[]>
  getArtifact(query: {
    owner: string
    repo: string
    artifactId: number
  }): Promise<StoredArtifact | null>
  /** An absolute URL the zip can be fetched from without a token (the 302 `Location`). */
  downloadUrl(query: {
    owner: string
    repo: string
    artifactId: number
    apiUrl: string
  }): Promise<string>
}

/** Settings of one repository that change how GitHub behaves for it. */
export interface RepoSettings {
  private: boolean
  defaultBranch: string
  deleteBranchOnMerge: boolean
  /** Status contexts branch protection requires on the default branch (`mergeable_state: blocked`). */
  requiredStatusChecks: string[]
}
