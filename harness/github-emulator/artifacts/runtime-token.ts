import { createHmac, timingSafeEqual } from 'node:crypto'

/** The two backend ids a job's runtime token carries, as the results service knows the job. */
export interface JobBackendIds {
  runBackendId: string
  jobBackendId: string
}

/** A runtime token lives as long as a job may; GitHub's expire with the job. */
const TOKEN_LIFETIME_SECONDS = 6 * 60 * 60

const RESULTS_SCOPE = 'Actions.Results'

/**
 * Makes an `ACTIONS_RUNTIME_TOKEN` for one job: an HS256 JWT whose `scp` claim holds
 * `Actions.Results:<run backend id>:<job backend id>`, the scope `@actions/artifact` splits to
 * find the job. The client only decodes the token; the service signs it with its own secret so
 * that it can refuse a token it did not issue or one whose claims were edited.
 */
export function signRuntimeToken(ids: JobBackendIds, secret: Buffer, now: Date): string {
  for (const [field, value] of Object.entries(ids)) {
    if (!/^[A-Za-z0-9-]+$/.test(value)) {
      throw new Error(
        `runtime token ${field}: expected letters, digits and dashes, got ${JSON.stringify(value)}; use a UUID`
      )
    }
  }
  const issuedAt = Math.floor(now.getTime() / 1000)
  const header = { typ: 'JWT', alg: 'HS256' }
  const claims = {
    scp: `Actions.GenericRead:${ids.runBackendId} ${RESULTS_SCOPE}:${ids.runBackendId}:${ids.jobBackendId}`,
    iss: 'sandbox-forge',
    iat: issuedAt,
    nbf: issuedAt,
    exp: issuedAt + TOKEN_LIFETIME_SECONDS
  }
  const unsigned = `${base64UrlJson(header)}.${base64UrlJson(claims)}`
  return `${unsigned}.${signature(unsigned, secret)}`
}

/**
 * Checks a runtime token this service issued and returns the job it names, or the reason it is
 * refused (bad shape, bad signature, expired, no results scope).
 */
export function verifyRuntimeToken(
  token: string,
  secret: Buffer,
  now: Date
): { ok: true; ids: JobBackendIds } | { ok: false; reason: string } {
  const parts = token.split('.')
  if (parts.length !== 3) return { ok: false, reason: 'the token is not a JWT' }
  const [header, payload, givenSignature] = parts as [string, string, string]
  const expected = Buffer.from(signature(`${header}.${payload}`, secret))
  const given = Buffer.from(givenSignature)
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, reason: 'the token was not issued by this service' }
  }
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
    scp?: unknown
    exp?: unknown
  }
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= now.getTime()) {
    return { ok: false, reason: 'the token has expired' }
  }
  const ids = resultsScopeOf(claims.scp)
  return ids ? { ok: true, ids } : { ok: false, reason: `the token has no ${RESULTS_SCOPE} scope` }
}

function resultsScopeOf(scope: unknown): JobBackendIds | null {
  if (typeof scope !== 'string') return null
  for (const entry of scope.split(' ')) {
    const [name, runBackendId, jobBackendId, ...rest] = entry.split(':')
    if (name === RESULTS_SCOPE && runBackendId && jobBackendId && rest.length === 0) {
      return { runBackendId, jobBackendId }
    }
  }
  return null
}

function base64UrlJson(value: object): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url')
}

function signature(unsigned: string, secret: Buffer): string {
  return createHmac('sha256', secret).update(unsigned).digest('base64url')
}
