/**
 * GitHub App installation tokens, as `actions/create-github-app-token` gets them: a `ghs_` token
 * for one repository that acts as the App's bot account and holds exactly the permissions asked
 * for. Unlike `GITHUB_TOKEN`, what it does starts workflow runs, and it may hold `workflows`.
 */
import { appBotUser, serverToServerToken } from './auth.js'
import type { ForgeCore } from './core.js'
import type { TokenPermissions } from './scopes.js'
import { readPermissions } from './scopes.js'
import type { RepoState } from './state.js'
import { timestamp } from './state.js'
import type { SandboxUser } from './types.js'

/** The App the pipeline's reference deployment installs. */
export const DEFAULT_APP_SLUG = 'codex-waves'

/** GitHub's lifetime of an installation token. */
const TOKEN_LIFETIME_MS = 60 * 60 * 1000

export interface InstallationTokenOptions {
  /** Scopes and levels; a scope left out is `none`, and `metadata: read` is always granted. */
  permissions: TokenPermissions
  /** The App's slug; its bot is `<slug>[bot]` (default `codex-waves`). */
  appSlug?: string
}

/** A minted installation token and who it acts as. */
export interface InstallationToken {
  token: string
  /** The id the request log records for it. */
  id: string
  /** `<slug>[bot]`. */
  login: string
  slug: string
  expiresAt: string
  /** What the token holds, `metadata: read` included. */
  permissions: TokenPermissions
}

/** The App's bot account, created the first time the App is used. */
function appBot(core: ForgeCore, slug: string): SandboxUser {
  const existing = core.state.user(`${slug}[bot]`)
  if (existing?.tokenKind === 'installation') return existing
  if (existing)
    throw new Error(
      `Installation token: app slug '${slug}' names ${existing.login}, which is not a GitHub App's bot. Use another slug, e.g. '${DEFAULT_APP_SLUG}'.`
    )
  const bot = appBotUser(core.state.nextId(), slug)
  core.state.addUser(bot)
  return bot
}

/** Mints an installation token for `repo`; throws naming a bad slug or permission. */
export function createInstallationToken(
  core: ForgeCore,
  repo: RepoState,
  options: InstallationTokenOptions
): InstallationToken {
  const slug = options.appSlug ?? DEFAULT_APP_SLUG
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(slug))
    throw new Error(
      `Installation token: app slug ${JSON.stringify(slug)} is not a GitHub App slug. Use lowercase letters, digits and single hyphens, e.g. '${DEFAULT_APP_SLUG}'.`
    )
  const permissions = readPermissions(options.permissions, 'installation')
  const user = appBot(core, slug)
  const token = serverToServerToken()
  const expiresAt = timestamp(new Date(Date.now() + TOKEN_LIFETIME_MS))
  const grant = core.tokens.add(token, {
    kind: 'installation',
    user,
    permissions,
    repository: repo.fullName,
    expiresAt
  })
  return { token, id: grant.id, login: user.login, slug, expiresAt, permissions }
}
