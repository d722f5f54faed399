/**
 * Accounts, tokens and who may do what. Each token belongs to one account with one role on every
 * repository of the forge; GitHub's credential forms (`token`, `Bearer`, Basic with the token as
 * password or as user name) are all accepted.
 */
import { randomBytes } from 'node:crypto'
import type { CallerKind, Permission, SandboxTokens, SandboxUser, TokenKind } from './types.js'

/** Who sent a request. */
export interface Caller {
  kind: CallerKind
  user: SandboxUser | null
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

/** Maps tokens to accounts. */
export class TokenBook {
  constructor(
    readonly tokens: SandboxTokens,
    readonly users: readonly SandboxUser[]
  ) {}

  userForToken(token: string): SandboxUser | null {
    const kind = (Object.keys(this.tokens) as TokenKind[]).find(k => this.tokens[k] === token)
    return kind ? (this.users.find(user => user.tokenKind === kind) ?? null) : null
  }

  /** Identifies the caller of a request from its `Authorization` header. */
  identify(header: string | undefined): Caller {
    const token = tokenFromHeader(header)
    if (token === null) return { kind: 'anonymous', user: null }
    const user = this.userForToken(token)
    if (user === null || user.tokenKind === null) return { kind: 'invalid', user: null }
    return { kind: user.tokenKind, user }
  }
}
