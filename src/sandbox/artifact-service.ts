import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { BlobContext } from './artifacts/blob.js'
import { BLOB_PATH_PREFIX, handleBlobRequest } from './artifacts/blob.js'
import type { Reply } from './artifacts/http.js'
import { readTextBody, sendReply } from './artifacts/http.js'
import type { ArtifactRestRoute, RestArtifact, RestContext } from './artifacts/rest.js'
import { answerArtifactRestRoute, matchArtifactRestRoute, restArtifact } from './artifacts/rest.js'
import type { JobBackendIds } from './artifacts/runtime-token.js'
import { signRuntimeToken } from './artifacts/runtime-token.js'
import type { RunRecord, RunRegistration } from './artifacts/store.js'
import { ArtifactStore } from './artifacts/store.js'
import { handleTwirpCall, TWIRP_ARTIFACT_SERVICE_PREFIX, twirpError } from './artifacts/twirp.js'

export type { Reply } from './artifacts/http.js'
export type { ArtifactRestRoute, RestArtifact, RestArtifactList } from './artifacts/rest.js'
export type { JobBackendIds } from './artifacts/runtime-token.js'
export type { RunRecord, RunRegistration } from './artifacts/store.js'

/** A value known at construction, or only once the server listens (port 0). */
type Late<T> = T | (() => T)

export interface ArtifactServiceOptions {
  /**
   * The origin clients reach this service at: `ACTIONS_RESULTS_URL` (the client keeps only its
   * origin, so Twirp is served at `/twirp/...` from the root) and the signed blob URLs.
   */
  publicUrl: Late<string>
  /**
   * The REST API base as in `GITHUB_API_URL` (default: `publicUrl`). Its path, if any, prefixes the
   * REST routes; it also makes the `url` and `archive_download_url` of artifacts.
   */
  apiUrl?: Late<string>
  /** Where blob bytes are kept; the service creates what it needs inside. */
  storageDir: string
  now?: () => Date
  /**
   * Decides whether a REST request may read the repository's artifacts: null lets it through, a
   * reply (GitHub's 401/403/404 body) refuses it. Without it, REST reads are open.
   */
  authorizeRest?: (
    req: IncomingMessage,
    target: { owner: string; repo: string }
  ) => Reply | null | Promise<Reply | null>
}

/** Environment variables a job needs for `@actions/artifact` to reach this service. */
export interface ArtifactJobEnvironment {
  ACTIONS_RUNTIME_TOKEN: string
  ACTIONS_RESULTS_URL: string
}

/** The artifact side of the sandbox forge. See {@link createArtifactService}. */
export interface ArtifactService {
  /**
   * Serves a request if it is one of this service's (Twirp `ArtifactService`, blob storage, or the
   * REST artifact routes); returns false, writing nothing, when it is not.
   */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>
  /**
   * Makes a workflow run known (idempotent per owner/repo/run id) and returns it with the backend
   * id its jobs' runtime tokens carry.
   */
  registerRun(registration: RunRegistration): RunRecord
  /**
   * An `ACTIONS_RUNTIME_TOKEN` for one job of a registered run: a JWT the client decodes (it does
   * not check signatures) and this service verifies (HS256 with a secret drawn per service).
   */
  runtimeTokenFor(ids: JobBackendIds): string
  /** The `ACTIONS_RUNTIME_TOKEN` and `ACTIONS_RESULTS_URL` of one job of a registered run. */
  jobEnvironment(ids: JobBackendIds): ArtifactJobEnvironment
  /** The finalized artifacts of a run, oldest first, as the REST API shows them. */
  listArtifacts(owner: string, repo: string, runId: number): RestArtifact[]
  /** A finalized artifact as the REST API shows it, or undefined. */
  getArtifact(id: number): RestArtifact | undefined
  /** The exact bytes uploaded for a finalized artifact (a zip, unless uploaded with `skipArchive`). */
  zipOf(id: number): Promise<Buffer>
  /**
   * The REST routes for a forge that routes, authenticates and logs requests itself: match a
   * `GET` path relative to the API base, then answer the match.
   */
  rest: {
    match(method: string, path: string): ArtifactRestRoute | null
    answer(route: ArtifactRestRoute, query: URLSearchParams): Reply
  }
}

/**
 * Creates the service `@actions/artifact` 6 talks to, to be mounted in an HTTP server: the results
 * service's Twirp `ArtifactService` (`CreateArtifact`, `FinalizeArtifact`, `ListArtifacts`,
 * `GetSignedArtifactURL`), the Azure-style blob endpoints its upload and download use, and the
 * REST routes `findBy` uses (`GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts`,
 * `GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}` and its `/zip` redirect).
 */
export function createArtifactService(options: ArtifactServiceOptions): ArtifactService {
  const store = new ArtifactStore(options.storageDir)
  const secret = randomBytes(32)
  const now = options.now ?? (() => new Date())
  const origin = (): string => new URL(resolve(options.publicUrl)).origin
  const apiUrl = (): string => resolve(options.apiUrl ?? options.publicUrl).replace(/\/+$/, '')
  const context: RestContext = { store, secret, now, origin, apiUrl }

  const runOf = (ids: JobBackendIds): RunRecord => {
    const run = store.runByBackendId(ids.runBackendId)
    if (!run) {
      throw new Error(
        `run backend id ${JSON.stringify(ids.runBackendId)} is not registered with the artifact service; call registerRun first and use the runBackendId it returns`
      )
    }
    return run
  }

  const finalized = (id: number): RestArtifact | undefined => {
    const record = store.get(id)
    return record?.state === 'finalized' ? restArtifact(context, record) : undefined
  }

  return {
    handle: (req, res) => handleRequest(context, options, req, res),
    registerRun: registration => store.registerRun(registration),
    runtimeTokenFor(ids) {
      runOf(ids)
      return signRuntimeToken(ids, secret, now())
    },
    jobEnvironment(ids) {
      runOf(ids)
      return {
        ACTIONS_RUNTIME_TOKEN: signRuntimeToken(ids, secret, now()),
        ACTIONS_RESULTS_URL: `${origin()}/`
      }
    },
    listArtifacts(owner, repo, runId) {
      const run = store.runByPublicId(owner, repo, runId)
      return run ? store.finalizedInRun(run.runBackendId).map(r => restArtifact(context, r)) : []
    },
    getArtifact: finalized,
    async zipOf(id) {
      if (!finalized(id)) {
        throw new Error(
          `artifact ${id} is unknown or not finalized; only finalized artifacts have content to serve`
        )
      }
      return store.blobBytes(id)
    },
    rest: {
      match: (method, path) => matchArtifactRestRoute(method, path),
      answer: (route, query) => answerArtifactRestRoute(context, route, query)
    }
  }
}

async function handleRequest(
  context: RestContext,
  options: ArtifactServiceOptions,
  req: IncomingMessage,
  res: ServerResponse
): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://sandbox.invalid')
  if (url.pathname.startsWith(TWIRP_ARTIFACT_SERVICE_PREFIX)) {
    await serveTwirp(context, req, res, url)
    return true
  }
  if (url.pathname.startsWith(BLOB_PATH_PREFIX)) {
    await serveGuarded(res, blobFailure, () => handleBlobRequest(context, req, res, url))
    return true
  }
  const restPath = pathUnder(new URL(context.apiUrl()).pathname, url.pathname)
  const route = restPath === null ? null : matchArtifactRestRoute(req.method ?? 'GET', restPath)
  if (!route) return false
  await serveGuarded(res, restFailure, async () => {
    const refusal = (await options.authorizeRest?.(req, route)) ?? null
    sendReply(res, refusal ?? answerArtifactRestRoute(context, route, url.searchParams))
  })
  return true
}

async function serveTwirp(
  context: BlobContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL
): Promise<void> {
  const method = url.pathname.slice(TWIRP_ARTIFACT_SERVICE_PREFIX.length)
  if (req.method !== 'POST') {
    req.resume()
    return sendReply(
      res,
      twirpError('bad_route', `unsupported method ${req.method} (only POST is allowed)`)
    )
  }
  await serveGuarded(res, twirpFailure, async () => {
    const body = await readTextBody(req)
    sendReply(
      res,
      handleTwirpCall(context, method, req.headers.authorization, req.headers['content-type'], body)
    )
  })
}

/** Runs a handler; an unexpected failure becomes a 500 in the protocol's own error shape. */
async function serveGuarded(
  res: ServerResponse,
  failure: (message: string) => Reply,
  serve: () => Promise<void>
): Promise<void> {
  try {
    await serve()
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    if (res.headersSent) res.destroy(error instanceof Error ? error : undefined)
    else sendReply(res, failure(message))
  }
}

function twirpFailure(message: string): Reply {
  return twirpError('internal', message)
}

function blobFailure(message: string): Reply {
  return {
    status: 500,
    headers: { 'content-type': 'application/xml', 'x-ms-error-code': 'InternalError' },
    body: `<?xml version="1.0" encoding="utf-8"?><Error><Code>InternalError</Code><Message>${message.replace(/[<>&]/g, ' ')}</Message></Error>`
  }
}

function restFailure(message: string): Reply {
  return {
    status: 500,
    body: { message, documentation_url: 'https://docs.github.com/rest', status: '500' }
  }
}

/** The part of `path` under `base` (a URL path prefix such as `/api/v3`), or null. */
function pathUnder(base: string, path: string): string | null {
  const prefix = base.replace(/\/+$/, '')
  if (prefix === '') return path
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : null
}

function resolve<T>(value: Late<T>): T {
  return typeof value === 'function' ? (value as () => T)() : value
}
