/**
 * The permissions a job's `GITHUB_TOKEN` carries, by GitHub's rules: the job's `permissions:` when
 * it has one, else the workflow's, else the repository's default; `{}` is none; `read-all` and
 * `write-all` grant every scope; a mapping grants exactly what it lists. `metadata: read` always.
 */
import { InvalidWorkflow, type WorkflowPlace } from './errors.js'
import type { Value } from './expressions.js'

/** A scope level as a workflow grants it. */
export type Level = 'read' | 'write' | 'none'

/** Scope → level; scopes not present are `none`. */
export type GrantedPermissions = Record<string, Level>

/** The scopes a workflow's `permissions:` may name (GitHub's list). */
export const WORKFLOW_SCOPES = [
  'actions',
  'attestations',
  'checks',
  'contents',
  'deployments',
  'discussions',
  'id-token',
  'issues',
  'models',
  'packages',
  'pages',
  'pull-requests',
  'repository-projects',
  'security-events',
  'statuses'
] as const

/** The repository setting "Workflow permissions": read for contents and packages, or read and write. */
export type DefaultTokenPermissions = 'restricted' | 'permissive'

const RESTRICTED: GrantedPermissions = { contents: 'read', packages: 'read', metadata: 'read' }

function everyScope(level: 'read' | 'write'): GrantedPermissions {
  const granted: GrantedPermissions = { metadata: 'read' }
  for (const scope of WORKFLOW_SCOPES) {
    // id-token has no read level, and models no write level.
    if (scope === 'id-token') granted[scope] = level === 'write' ? 'write' : 'none'
    else if (scope === 'models') granted[scope] = 'read'
    else granted[scope] = level
  }
  return granted
}

/** Reads one `permissions:` value (already evaluated). */
export function readPermissions(value: Value, place: WorkflowPlace): GrantedPermissions {
  if (value === 'read-all') return everyScope('read')
  if (value === 'write-all') return everyScope('write')
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidWorkflow(
      place,
      `'permissions' is ${JSON.stringify(value)}; use read-all, write-all or a mapping of scopes`
    )
  }
  const granted: GrantedPermissions = { metadata: 'read' }
  for (const [scope, level] of Object.entries(value)) {
    if (!(WORKFLOW_SCOPES as readonly string[]).includes(scope)) {
      throw new InvalidWorkflow(place, `'permissions' names an unknown scope '${scope}'`)
    }
    if (level !== 'read' && level !== 'write' && level !== 'none') {
      throw new InvalidWorkflow(place, `'permissions.${scope}' is ${JSON.stringify(level)}`)
    }
    granted[scope] = level
  }
  return granted
}

/** The permissions a job's token gets. */
export function jobPermissions(
  job: { value: Value; place: WorkflowPlace } | null,
  workflow: { value: Value; place: WorkflowPlace } | null,
  defaults: DefaultTokenPermissions
): GrantedPermissions {
  const given = job ?? workflow
  if (given !== null) return readPermissions(given.value, given.place)
  return defaults === 'restricted' ? { ...RESTRICTED } : everyScope('write')
}

/** The scopes granted at `write`. */
export function writeScopes(granted: GrantedPermissions): string[] {
  return Object.entries(granted)
    .filter(([, level]) => level === 'write')
    .map(([scope]) => scope)
    .sort()
}
