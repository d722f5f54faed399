/**
 * The artifact side of the sandbox forge: the results service `@actions/artifact` uploads to and
 * lists from (Twirp `ArtifactService`) and the blob store its signed URLs point at. The REST
 * artifact routes (`findBy`) belong to the forge, which answers them from this service through
 * {@link runArtifactSource}.
 */
import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { BlobContext } from './artifacts/blob.js'
import {
  BLOB_PATH_PREFIX,
  blobFailure,
  handleBlobRequest,
  MAX_MESSAGE_BYTES,
  signedBlobUrl
} from './artifacts/blob.js'
import type { JobBackendIds } from './artifacts/runtime-token.js'
import { signRuntimeToken } from './artifacts/runtime-token.js'
import type { ArtifactRecord, RunRecord, RunRegistration } from './artifacts/store.js'
import { ArtifactStore } from './artifacts/store.js'
import { handleTwirpCall, TWIRP_ARTIFACT_SERVICE_PREFIX, twirpError } from './artifacts/twirp.js'
import type { Reply } from './http.js'
import { readBody, sendReply } from './http.js'
import { timestamp } from './state.js'
import type { RunArtifactSource, StoredArtifact } from './types.js'

export type { JobBackendIds } from './artifacts/runtime-token.js'
export type { RunRecord, RunRegistration } from './artifacts/store.js'

export interface ArtifactServiceOptions {
  /**
   * The origin clients reach this service at: `ACTIONS_RESULTS_URL` (the client keeps only its
   * origin, so Twirp is served at `/twirp/...` from the root) and the signed blob URLs. A function
   * when it is known only once the server listens (port 0).
   */
  publicUrl: string | (() => string)
  /** Where blob bytes are kept; the service creates what it needs inside. */
  storageDir: string
  now?: () => Date
}

/** Environment variables a job needs for `@actions/artifact` to reach this service. */
export interface ArtifactJobEnvironment {
  ACTIONS_RUNTIME_TOKEN: string
  ACTIONS_RESULTS_URL: string
}

/** A finalized artifact with the repository whose run uploaded it. */
export interface ServedArtifact extends StoredArtifact {
  owner: string
  repo: string
}

/** The artifact service. See {@link createArtifactService}. */
export interface ArtifactService {
  /**
   * Serves a request if it is one of this service's (Twirp `ArtifactService` or blob storage);
   * returns false, writing nothing, when it is not. Mount it as an extra handler of the forge.
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
  /** The finalized artifacts of a run, oldest first; none for a run never registered. */
  listArtifacts(owner: string, repo: string, runId: number): ServedArtifact[]
  /** A finalized artifact, or undefined. */
  getArtifact(id: number): ServedArtifact | undefined
  /** A short-lived URL the finalized artifact's bytes can be fetched from without a token. */
  downloadUrl(id: number): string
  /** The exact bytes uploaded for a finalized artifact (a zip, unless uploaded with `skipArchive`). */
  zipOf(id: number): Promise<Buffer>
}

/**
 * Creates the service `@actions/artifact` 6 talks to, to be mounted in the forge: the results
 * service's Twirp `ArtifactService` (`CreateArtifact`, `FinalizeArtifact`, `ListArtifacts`,
 * `GetSignedArtifactURL`) and the Azure-style blob endpoints its upload and download use.
 */
export function createArtifactService(options: ArtifactServiceOptions): ArtifactService {
  const store = new ArtifactStore(options.storageDir)
  const secret = randomBytes(32)
  const now = options.now ?? (() => new Date())
  const publicUrl = options.publicUrl
  const origin = (): string =>
    new URL(typeof publicUrl === 'function' ? publicUrl() : publicUrl).origin
  const context: BlobContext = { store, secret, now, origin }

  const runOf = (ids: JobBackendIds): RunRecord => {
    const run = store.runByBackendId(ids.runBackendId)
    if (!run) {
      throw new Error(
        `run backend id ${JSON.stringify(ids.runBackendId)} is not registered with the artifact service; call registerRun first and use the runBackendId it returns`
      )
    }
    return run
  }

  const finalized = (id: number): ArtifactRecord => {
    const record = store.get(id)
    if (record?.state !== 'finalized') {
      throw new Error(
        `artifact ${id} is unknown or not finalized; only finalized artifacts have content to serve`
      )
    }
    return record
  }

  return {
    handle: (req, res) => handleRequest(context, req, res),
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
      return run ? store.finalizedInRun(run.runBackendId).map(servedArtifact) : []
    },
    getArtifact(id) {
      const record = store.get(id)
      return record?.state === 'finalized' ? servedArtifact(record) : undefined
    },
    downloadUrl: id => signedBlobUrl(context, finalized(id).id, 'r'),
    zipOf: async id => store.blobBytes(finalized(id).id)
  }
}

/**
 * Adapts the service to the forge's REST artifact routes: artifacts are looked up within the
 * repository of the request (GitHub matches names without regard to case), and the zip download
 * redirects to a signed blob URL.
 */
export function runArtifactSource(service: ArtifactService): RunArtifactSource {
  const sameRepository = (artifact: ServedArtifact, owner: string, repo: string): boolean =>
    artifact.owner.toLowerCase() === owner.toLowerCase() &&
    artifact.repo.toLowerCase() === repo.toLowerCase()
  return {
    listRunArtifacts: async ({ owner, repo, runId }) => service.listArtifacts(owner, repo, runId),
    getArtifact: async ({ owner, repo, artifactId }) => {
      const artifact = service.getArtifact(artifactId)
      return artifact && sameRepository(artifact, owner, repo) ? artifact : null
    },
    downloadUrl: async ({ artifactId }) => service.downloadUrl(artifactId)
  }
}

function servedArtifact(record: ArtifactRecord): ServedArtifact {
  return {
    id: record.id,
    name: record.name,
    sizeInBytes: record.size,
    runId: record.run.runId,
    createdAt: timestamp(record.createdAt),
    updatedAt: timestamp(record.updatedAt),
    expiresAt: timestamp(record.expiresAt),
    digest: record.digest,
    owner: record.run.owner,
    repo: record.run.repo
  }
}

async function handleRequest(
  context: BlobContext,
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
  return false
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
  await serveGuarded(
    res,
    message => twirpError('internal', message),
    async () => {
      const body = (await readBody(req, MAX_MESSAGE_BYTES)).toString('utf8')
      const { authorization, 'content-type': contentType } = req.headers
      sendReply(res, handleTwirpCall(context, method, authorization, contentType, body))
    }
  )
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
