/**
 * What every route handler reaches: the records, the accounts, the server's own URL, the artifact
 * service and source, and small helpers that read request input the way GitHub validates it.
 */
import type { ArtifactService } from './artifact-service.js'
import type { TokenBook } from './auth.js'
import { ApiError } from './http.js'
import type { RouteContext } from './router.js'
import type { ForgeState, IssueRecord, RepoState } from './state.js'
import type { RunArtifactSource } from './types.js'

export interface ForgeCore {
  state: ForgeState
  tokens: TokenBook
  /** `http://127.0.0.1:<port>`: the REST API, the git remotes and mounted handlers all live here. */
  baseUrl: string
  /** The directory holding `<owner>/<repo>.git` bare repositories. */
  reposRoot: string
  /** Hooks git runs for pushes that must not touch workflow files (see `workflow-guard.ts`). */
  hooksDir: string
  /** Where the REST artifact routes get their answers; null: every run has no artifacts. */
  artifacts: RunArtifactSource | null
  /** The mounted artifact service, which every workflow run is registered with; null when off. */
  artifactService: ArtifactService | null
  /** Extra time the background mergeability computation takes, to widen the `null` window. */
  mergeabilityDelayMs: number
}

function invalid(detail: string): ApiError {
  return new ApiError(422, `Invalid request.\n\n${detail}`)
}

/** A required string field of the JSON body. */
export function requiredString(body: Record<string, unknown>, field: string): string {
  const value = body[field]
  if (value === undefined || value === null) throw invalid(`"${field}" wasn't supplied.`)
  if (typeof value !== 'string')
    throw invalid(`For 'properties/${field}', ${JSON.stringify(value)} is not a string.`)
  return value
}

/** An optional string field (null allowed when `nullable`). */
export function optionalString(
  body: Record<string, unknown>,
  field: string
): string | null | undefined {
  const value = body[field]
  if (value === undefined || value === null) return value
  if (typeof value !== 'string')
    throw invalid(`For 'properties/${field}', ${JSON.stringify(value)} is not a string.`)
  return value
}

/** An optional boolean field of the JSON body. */
export function optionalBoolean(body: Record<string, unknown>, field: string): boolean | undefined {
  const value = body[field]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'boolean')
    throw invalid(`For 'properties/${field}', ${JSON.stringify(value)} is not a boolean.`)
  return value
}

/** A list of strings; label lists may also hold `{ name }` objects, as GitHub accepts. */
export function stringList(value: unknown, field: string): string[] {
  if (!Array.isArray(value))
    throw invalid(`For 'properties/${field}', ${JSON.stringify(value)} is not an array.`)
  return value.map(item => {
    if (typeof item === 'string') return item
    if (
      typeof item === 'object' &&
      item !== null &&
      typeof (item as { name?: unknown }).name === 'string'
    ) {
      return (item as { name: string }).name
    }
    throw invalid(`For 'items', ${JSON.stringify(item)} is not a string.`)
  })
}

/** A numeric path parameter. */
export function numberParam(ctx: RouteContext, name: string): number {
  return Number(ctx.params[name])
}

/** An issue or PR by number, or GitHub's 404. */
export function findIssue(repo: RepoState, number: number): IssueRecord {
  const issue = repo.issues.get(number)
  if (!issue) throw new ApiError(404, 'Not Found')
  return issue
}

/** A pull request by number, or 404 (an issue number is not a PR). */
export function findPull(
  repo: RepoState,
  number: number
): IssueRecord & { pull: NonNullable<IssueRecord['pull']> } {
  const issue = repo.issues.get(number)
  if (!issue || issue.pull === null) throw new ApiError(404, 'Not Found')
  return issue as IssueRecord & { pull: NonNullable<IssueRecord['pull']> }
}

/** The login of the caller; routes that mutate always have one. */
export function actorLogin(ctx: RouteContext): string {
  return ctx.caller.user?.login ?? 'ghost'
}
