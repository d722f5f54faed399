/**
 * GitHub's fine-grained repository permissions, as a workflow job's `permissions:` and a GitHub
 * App installation token carry them: the scope names, the levels, how a token's grant is read
 * from input, and which of a route's accepted scopes a token holds.
 */

/** Every repository scope a job token or an installation token can hold. */
export const SCOPES = [
  'actions',
  'attestations',
  'checks',
  'contents',
  'deployments',
  'discussions',
  'id-token',
  'issues',
  'metadata',
  'packages',
  'pages',
  'pull-requests',
  'repository-projects',
  'security-events',
  'statuses',
  'workflows'
] as const

/** A repository scope, spelled as in a workflow's `permissions:` (`pull-requests`). */
export type Scope = (typeof SCOPES)[number]

/** A level a token can use a scope at; `write` includes `read`. */
export type ScopeLevel = 'read' | 'write'

/** What a token may hold per scope: a missing key is `none`. */
export type TokenPermissions = Partial<Record<Scope, ScopeLevel | 'none'>>

/** One scope at one level, as a route declares it: `issues:write`. */
export type ScopeNeed = `${Scope}:${ScopeLevel}`

/** The scope a request used, as the request log records it. */
export interface ScopeUse {
  name: Scope
  level: ScopeLevel
}

/** Which kind of token a grant is read for: only App installation tokens may hold `workflows`. */
export type GrantKind = 'job' | 'installation'

const LEVELS = ['read', 'write', 'none'] as const

/**
 * GitHub's "permissive" default for `GITHUB_TOKEN`, what a job whose workflow sets no
 * `permissions:` gets where the repository keeps that default: read and write on every scope but
 * `id-token` (only ever requested) and `metadata` (read-only); never `workflows`.
 */
export const PERMISSIVE_JOB_PERMISSIONS: Readonly<TokenPermissions> = Object.freeze(
  Object.fromEntries(
    SCOPES.filter(scope => scope !== 'workflows' && scope !== 'id-token').map(scope => [
      scope,
      scope === 'metadata' ? 'read' : 'write'
    ])
  ) as TokenPermissions
)

/** Splits `issues:write` into its scope and level. */
export function parseNeed(need: ScopeNeed): ScopeUse {
  const [name, level] = need.split(':') as [Scope, ScopeLevel]
  return { name, level }
}

/** Whether `permissions` covers `use` (`write` covers `read`). */
export function holds(permissions: Readonly<TokenPermissions>, use: ScopeUse): boolean {
  const held = permissions[use.name]
  return held === 'write' || (held === 'read' && use.level === 'read')
}

/** The first of `needs` the token holds, or null when it holds none of them. */
export function usableScope(
  permissions: Readonly<TokenPermissions>,
  needs: readonly ScopeNeed[]
): ScopeUse | null {
  for (const need of needs) {
    const use = parseNeed(need)
    if (holds(permissions, use)) return use
  }
  return null
}

function scopeName(key: string, where: string): Scope {
  // the App API spells scopes with underscores (`pull_requests`), workflows with hyphens
  const name = key.replace(/_/g, '-')
  if ((SCOPES as readonly string[]).includes(name)) return name as Scope
  throw new Error(`${where}: '${key}' is not a repository scope. Use one of ${SCOPES.join(', ')}.`)
}

function scopeLevel(value: unknown, key: string, where: string): ScopeLevel | 'none' {
  if (typeof value === 'string' && (LEVELS as readonly string[]).includes(value))
    return value as ScopeLevel | 'none'
  throw new Error(
    `${where}: ${JSON.stringify(value)} for '${key}' is not a level. Use 'read', 'write' or 'none'.`
  )
}

/**
 * Reads a grant from input (an SDK call or a control request body) into the permissions the
 * token carries: unnamed scopes are `none`, `metadata: read` is always there, and a job token
 * cannot hold `workflows` (GitHub never gives it to `GITHUB_TOKEN`). Throws naming the key,
 * the value and the fix.
 */
export function readPermissions(input: unknown, kind: GrantKind): TokenPermissions {
  const where = kind === 'job' ? 'Job permissions' : 'Installation token permissions'
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new Error(
      `${where}: ${JSON.stringify(input)} is not an object. Pass scopes and levels, e.g. {"contents": "read"}.`
    )
  const permissions: TokenPermissions = {}
  for (const [key, value] of Object.entries(input)) {
    const name = scopeName(key, where)
    const level = scopeLevel(value, key, where)
    if (name === 'workflows' && kind === 'job' && level !== 'none')
      throw new Error(
        `${where}: GITHUB_TOKEN never holds 'workflows'. Drop it, or use an installation token (createInstallationToken) to change workflow files.`
      )
    if (name === 'metadata' && level === 'write')
      throw new Error(`${where}: 'metadata' is read-only. Drop it; every token reads metadata.`)
    if (level !== 'none') permissions[name] = level
  }
  return { ...permissions, metadata: 'read' }
}

/**
 * The `x-accepted-github-permissions` header GitHub sends to fine-grained callers: each
 * accepted set as `name=level`, sets separated by `; `, names as the App API spells them.
 */
export function acceptedPermissionsHeader(needs: readonly ScopeNeed[]): string {
  return needs
    .map(parseNeed)
    .map(use => `${use.name.replace(/-/g, '_')}=${use.level}`)
    .join('; ')
}

/**
 * The distinct scopes a token used, read from request log entries: what a job's report shows
 * next to the permissions it asked for. Sorted by scope, then `read` before `write`.
 */
export function scopesUsed(
  entries: readonly { tokenId: string | null; scope: ScopeUse | null }[],
  tokenId: string
): ScopeUse[] {
  const seen = new Map<string, ScopeUse>()
  for (const entry of entries) {
    if (entry.tokenId !== tokenId || entry.scope === null) continue
    seen.set(`${entry.scope.name}:${entry.scope.level}`, { ...entry.scope })
  }
  return [...seen.values()].sort(
    (a, b) => a.name.localeCompare(b.name) || a.level.localeCompare(b.level)
  )
}

/** The scopes a token held at `write` but never used at `write`: least privilege says drop them. */
export function unusedWriteScopes(
  permissions: Readonly<TokenPermissions>,
  used: readonly ScopeUse[]
): Scope[] {
  return SCOPES.filter(
    scope =>
      permissions[scope] === 'write' &&
      !used.some(use => use.name === scope && use.level === 'write')
  )
}
