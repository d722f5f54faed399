/**
 * Accounts, tokens and who may do what. A personal token belongs to one account with one role on
 * every repository of the forge; a job token or an App installation token acts as a bot account
 * and carries a grant of scopes on one repository. GitHub's credential forms (`token`, `Bearer`,
 * Basic with the token as password or as user name) are all accepted.
 */
import { createHash, randomBytes } from 'node:crypto'
import type { TokenPermissions } from './scopes.js'
import { SCOPES } from './scopes.js'
import type { CallerKind, Permission, SandboxTokens, SandboxUser, TokenKind } from './types.js'

/** What a job token or an installation token may do, and where. */
export interface TokenGrant {
  /** Opaque id the request log records instead of the secret; see {@link tokenIdOf}. */
  id: string
  kind: 'job' | 'installation'
  user: SandboxUser
  permissions: Readonly<TokenPermissions>
  /** `owner/repo` the token is for; null for the forge's permissive actions token. */
  repository: string | null
  /** ISO time after which the token is refused; null when it only ends by revocation. */
  expiresAt: string | null
  revoked: boolean
}

/**
 * The forge's own actions token predates job tokens and stays all-powerful: every scope at write,
 * `workflows` included, so fixtures and tools written before jobs had scoped tokens keep working.
 * A job that should meet GitHub's rules gets its own token from `jobEnvironment`.
 */
const ACTIONS_TOKEN_PERMISSIONS: Readonly<TokenPermissions> = Object.freeze(
  Object.fromEntries(SCOPES.map(scope => [scope, scope === 'metadata' ? 'read' : 'write']))
)

/** Who sent a request. */
export interface Caller {
  kind: CallerKind
  user: SandboxUser | null
  /** The scopes a job or installation token carries; null for personal tokens and anonymous. */
  grant: TokenGrant | null
}

const RANK: Record<Permission, number> = { read: 1, write: 2, admin: 3 }

/** Whether `user` holds at least `needed` on the forge's repositories. */
export function permits(user: SandboxUser | null, needed: Permission): boolean {
  return user !== null && RANK[user.permission] >= RANK[needed]
}

function noreplyEmail(id: number, login: string): string {
  return `${id}+${login}@users.noreply.github.com`
}

function makeUser(
  id: number,
  login: string,
  permission: Permission,
  tokenKind: TokenKind | null
): SandboxUser {
  const type = tokenKind === 'actions' ? 'Bot' : tokenKind === null ? 'Organization' : 'User'
  return { id, login, type, permission, tokenKind, email: noreplyEmail(id, login) }
}

/** The bot account a GitHub App acts as: `<slug>[bot]`, which holds installation tokens. */
export function appBotUser(id: number, slug: string): SandboxUser {
  const login = `${slug}[bot]`
  return {
    id,
    login,
    type: 'Bot',
    permission: 'write',
    tokenKind: 'installation',
    email: noreplyEmail(id, login)
  }
}

/** The owning organization and one account per token kind. */
export function defaultUsers(owner: string): SandboxUser[] {
  return [
    makeUser(9000, owner, 'admin', null),
    makeUser(9001, 'forge-admin', 'admin', 'admin'),
    makeUser(9002, 'forge-writer', 'write', 'write'),
    makeUser(9003, 'forge-reader', 'read', 'read'),
    makeUser(41898282, 'github-actions[bot]', 'write', 'actions')
  ]
}

function randomToken(prefix: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  const bytes = randomBytes(36)
  return prefix + [...bytes].map(byte => alphabet[byte % alphabet.length]).join('')
}

/**
 * The id a token is logged under: a digest, so logs and reports can name a token without
 * holding the secret, and anyone holding the token can find its requests.
 */
export function tokenIdOf(token: string): string {
  return `tok_${createHash('sha256').update(token).digest('hex').slice(0, 16)}`
}

/** A fresh token for a job or an App installation, in GitHub's server-to-server format. */
export function serverToServerToken(): string {
  return randomToken('ghs_')
}

/** Fresh tokens in GitHub's formats: `ghp_` for personal tokens, `ghs_` for the actions token. */
export function generateTokens(): SandboxTokens {
  return {
    admin: randomToken('ghp_'),
    write: randomToken('ghp_'),
    read: randomToken('ghp_'),
    actions: randomToken('ghs_')
  }
}

/** The token an `Authorization` header carries, or null when it carries none. */
export function tokenFromHeader(header: string | undefined): string | null {
  if (!header) return null
  const [scheme = '', value = ''] = header.trim().split(/\s+/, 2)
  const lower = scheme.toLowerCase()
  if (lower === 'token' || lower === 'bearer') return value || null
  if (lower !== 'basic') return null
  const decoded = Buffer.from(value, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return decoded || null
  const password = decoded.slice(colon + 1)
  return password || decoded.slice(0, colon) || null
}

/** Maps tokens to accounts and to the grants of job and installation tokens. */
export class TokenBook {
  private readonly grants = new Map<string, TokenGrant>()

  constructor(
    readonly tokens: SandboxTokens,
    readonly users: readonly SandboxUser[]
  ) {
    const bot = users.find(user => user.tokenKind === 'actions')!
    this.grants.set(tokens.actions, {
      id: tokenIdOf(tokens.actions),
      kind: 'job',
      user: bot,
      permissions: ACTIONS_TOKEN_PERMISSIONS,
      repository: null,
      expiresAt: null,
      revoked: false
    })
  }

  /** Records a minted job or installation token; returns its grant. */
  add(token: string, grant: Omit<TokenGrant, 'id' | 'revoked'>): TokenGrant {
    const full: TokenGrant = { ...grant, id: tokenIdOf(token), revoked: false }
    this.grants.set(token, full)
    return full
  }

  /**
   * Revokes a job or installation token, as GitHub does when a job ends; returns false when the
   * token is not one the forge minted (the forge's own tokens cannot be revoked).
   */
  revoke(token: string): boolean {
    const grant = this.grants.get(token)
    if (!grant || token === this.tokens.actions) return false
    grant.revoked = true
    return true
  }

  /** The account behind a token that is still good, or null. */
  userForToken(token: string): SandboxUser | null {
    const grant = this.grants.get(token)
    if (grant) return usable(grant) ? grant.user : null
    const kind = (Object.keys(this.tokens) as TokenKind[]).find(k => this.tokens[k] === token)
    return kind ? (this.users.find(user => user.tokenKind === kind) ?? null) : null
  }

  /** Identifies the caller of a request from its `Authorization` header. */
  identify(header: string | undefined): Caller {
    const token = tokenFromHeader(header)
    if (token === null) return { kind: 'anonymous', user: null, grant: null }
    const grant = this.grants.get(token)
    if (grant) {
      if (!usable(grant)) return { kind: 'invalid', user: null, grant: null }
      const kind = grant.kind === 'installation' ? 'installation' : 'actions'
      return { kind, user: grant.user, grant }
    }
    const user = this.userForToken(token)
    if (user === null || user.tokenKind === null)
      return { kind: 'invalid', user: null, grant: null }
    return { kind: user.tokenKind, user, grant: null }
  }
}

function usable(grant: TokenGrant): boolean {
  return !grant.revoked && (grant.expiresAt === null || Date.parse(grant.expiresAt) > Date.now())
}
