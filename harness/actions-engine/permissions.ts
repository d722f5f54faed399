/**
 * The permissions a job's `GITHUB_TOKEN` carries, by GitHub's rules: the job's `permissions:` when
 * it has one, else the workflow's, else the repository's default; `{}` is none; `read-all` and
 * `write-all` grant every scope; a mapping grants exactly what it lists. `metadata: read` always.
 * Scope names are the emulator's (GitHub's parser has already checked the workflow's keys).
 */
import {
  PERMISSIVE_JOB_PERMISSIONS,
  SCOPES,
  type Scope,
  type TokenPermissions
} from '../github-emulator/scopes.js'
import { InvalidWorkflow, type WorkflowPlace } from './errors.js'
import type { Value } from './expressions.js'

/** Scope → level of a job's token; scopes not present are `none`. */
export type GrantedPermissions = TokenPermissions

/** The repository setting "Workflow permissions": read for contents and packages, or read and write. */
export type DefaultTokenPermissions = 'restricted' | 'permissive'

const RESTRICTED: GrantedPermissions = { contents: 'read', packages: 'read', metadata: 'read' }

/** `read-all`: every scope a workflow can grant, at read (`id-token` has no read level). */
function readAll(): GrantedPermissions {
  const granted: GrantedPermissions = {}
  for (const scope of SCOPES)
    if (scope !== 'workflows' && scope !== 'id-token') granted[scope] = 'read'
  return granted
}

/** Reads one `permissions:` value (already evaluated). */
export function readPermissions(value: Value, place: WorkflowPlace): GrantedPermissions {
  if (value === 'read-all') return readAll()
  if (value === 'write-all') return { ...PERMISSIVE_JOB_PERMISSIONS, 'id-token': 'write' }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidWorkflow(
      place,
      `'permissions' is ${JSON.stringify(value)}; use read-all, write-all or a mapping of scopes`
    )
  }
  const granted: GrantedPermissions = { metadata: 'read' }
  for (const [scope, level] of Object.entries(value)) {
    if (!(SCOPES as readonly string[]).includes(scope)) {
      throw new InvalidWorkflow(
        place,
        `'permissions' names a scope the emulator does not know: '${scope}'`
      )
    }
    if (level !== 'read' && level !== 'write' && level !== 'none') {
      throw new InvalidWorkflow(place, `'permissions.${scope}' is ${JSON.stringify(level)}`)
    }
    granted[scope as Scope] = level
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
  return defaults === 'restricted' ? { ...RESTRICTED } : { ...PERMISSIVE_JOB_PERMISSIONS }
}

/** The scopes granted at `write`. */
export function writeScopes(granted: GrantedPermissions): string[] {
  return Object.entries(granted)
    .filter(([, level]) => level === 'write')
    .map(([scope]) => scope)
    .sort()
}
