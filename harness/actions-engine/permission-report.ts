/**
 * Least privilege, measured: for each job, the scopes its tokens were granted, the scopes its
 * requests used (from the forge's request log), the requests refused for lack of permission, and
 * the write scopes it held but never used.
 */
import type { RequestLogEntry } from '../github-emulator/types.js'
import { writeScopes, type GrantedPermissions } from './permissions.js'
import type { RunRecord } from './records.js'

/** How one job used its token. */
export interface JobPermissionUse {
  runId: number
  workflow: string
  job: string
  granted: GrantedPermissions
  /** `scope:level` of every request, e.g. `pull-requests:write`. */
  used: string[]
  /** Requests refused with 403 for lack of permission. */
  refused: RequestLogEntry[]
  /** Scopes granted at write that no request needed at write. */
  unusedWrites: string[]
}

/** The permission use of every job of `runs` that ran on a runner. */
export function permissionReport(
  runs: readonly RunRecord[],
  log: readonly RequestLogEntry[]
): JobPermissionUse[] {
  const byToken = new Map<string, RequestLogEntry[]>()
  for (const entry of log) {
    if (entry.tokenId === null) continue
    byToken.set(entry.tokenId, [...(byToken.get(entry.tokenId) ?? []), entry])
  }
  return runs.flatMap(run =>
    run.jobs
      .filter(job => job.runner !== null)
      .map(job => {
        const entries = job.tokenIds.flatMap(id => byToken.get(id) ?? [])
        const used = [
          ...new Set(
            entries.flatMap(entry =>
              entry.scope ? [`${entry.scope.name}:${entry.scope.level}`] : []
            )
          )
        ].sort()
        const refused = entries.filter(entry => entry.status === 403 && entry.fault === null)
        const writtenWith = new Set(
          used.filter(use => use.endsWith(':write')).map(use => use.split(':')[0])
        )
        return {
          runId: run.id,
          workflow: run.workflow,
          job: job.name,
          granted: job.permissions,
          used,
          refused,
          unusedWrites: writeScopes(job.permissions).filter(scope => !writtenWith.has(scope))
        }
      })
  )
}
