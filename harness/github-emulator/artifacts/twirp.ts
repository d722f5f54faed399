import { z } from 'zod'
import type { BlobContext } from './blob.js'
import { signedBlobUrl } from './blob.js'
import type { Reply } from '../http.js'
import { verifyRuntimeToken } from './runtime-token.js'
import type { ArtifactRecord, RunRecord } from './store.js'

/** The path of every call of the results service's artifact API (Twirp, JSON encoding). */
export const TWIRP_ARTIFACT_SERVICE_PREFIX = '/twirp/github.actions.results.api.v1.ArtifactService/'

/** GitHub keeps artifacts 90 days unless the upload asks for less. */
const DEFAULT_RETENTION_MS = 90 * 24 * 60 * 60 * 1000

/** Twirp error codes this service answers with, and the HTTP status Twirp gives each. */
const TWIRP_STATUS = {
  bad_route: 404,
  malformed: 400,
  invalid_argument: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  already_exists: 409,
  failed_precondition: 412,
  internal: 500
} as const

type TwirpCode = keyof typeof TWIRP_STATUS

/** Fields are protobuf's names, as the client sends them (`useProtoFieldName`). */
const jobIds = {
  workflow_run_backend_id: z.string().min(1),
  workflow_job_run_backend_id: z.string().min(1)
}
/** protobuf JSON writes int64 as a string; accept a number too. */
const int64 = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(Number)

const requestSchemas = {
  CreateArtifact: z.object({
    ...jobIds,
    name: z.string().min(1),
    expires_at: z.iso.datetime({ offset: true }).optional(),
    version: z.number().int().optional(),
    mime_type: z.string().optional()
  }),
  FinalizeArtifact: z.object({
    ...jobIds,
    name: z.string().min(1),
    size: int64,
    hash: z.string().optional()
  }),
  ListArtifacts: z.object({
    ...jobIds,
    name_filter: z.string().optional(),
    id_filter: int64.optional()
  }),
  GetSignedArtifactURL: z.object({ ...jobIds, name: z.string().min(1) })
}

type Method = keyof typeof requestSchemas
type Request<M extends Method> = z.infer<(typeof requestSchemas)[M]>

/** What a Twirp call needs beyond the blob context: the caller's run. */
interface CallContext extends BlobContext {
  run: RunRecord
}

/** The results service's view of one artifact (`ListArtifactsResponse.MonolithArtifact`). */
interface MonolithArtifactJson {
  workflow_run_backend_id: string
  workflow_job_run_backend_id: string
  database_id: string
  name: string
  size: string
  created_at: string
  digest?: string
}

/**
 * Answers one call of the results service's `ArtifactService` (`CreateArtifact`,
 * `FinalizeArtifact`, `ListArtifacts`, `GetSignedArtifactURL`) the way GitHub's does for
 * `@actions/artifact`: the bearer runtime token must be one this service issued, and its job must
 * be the job the request names. Errors are Twirp's `{ code, msg }` bodies.
 */
export function handleTwirpCall(
  context: BlobContext,
  method: string,
  authorization: string | undefined,
  contentType: string | undefined,
  body: string
): Reply {
  if (!isMethod(method)) {
    return twirpError(
      'bad_route',
      `no handler for path "${TWIRP_ARTIFACT_SERVICE_PREFIX}${method}"`
    )
  }
  if (!(contentType ?? '').toLowerCase().startsWith('application/json')) {
    return twirpError(
      'bad_route',
      `unexpected Content-Type: ${JSON.stringify(contentType ?? '')}; this service speaks Twirp JSON`
    )
  }
  const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1]
  if (!token) return twirpError('unauthenticated', 'missing bearer runtime token')
  const verified = verifyRuntimeToken(token, context.secret, context.now())
  if (!verified.ok)
    return twirpError('unauthenticated', `invalid runtime token: ${verified.reason}`)
  const run = context.store.runByBackendId(verified.ids.runBackendId)
  if (!run)
    return twirpError('unauthenticated', 'invalid runtime token: its workflow run is unknown')
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    return twirpError('malformed', `the ${method} request body is not JSON`)
  }
  const parsed = requestSchemas[method].safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    return twirpError(
      'invalid_argument',
      `${method}: ${issue?.path.join('.') || 'body'}: ${issue?.message}`
    )
  }
  const request = parsed.data
  // GetSignedArtifactURL names the job that uploaded the artifact, not the caller's job: a job may
  // read any artifact of its run but write only as itself.
  const writes = method === 'CreateArtifact' || method === 'FinalizeArtifact'
  if (
    request.workflow_run_backend_id !== verified.ids.runBackendId ||
    (writes && request.workflow_job_run_backend_id !== verified.ids.jobBackendId)
  ) {
    return twirpError(
      'permission_denied',
      'the runtime token does not grant access to the requested workflow job'
    )
  }
  const call: CallContext = { ...context, run }
  switch (method) {
    case 'CreateArtifact':
      return createArtifact(call, request as Request<'CreateArtifact'>)
    case 'FinalizeArtifact':
      return finalizeArtifact(call, request as Request<'FinalizeArtifact'>)
    case 'ListArtifacts':
      return listArtifacts(call, request as Request<'ListArtifacts'>)
    case 'GetSignedArtifactURL':
      return getSignedArtifactUrl(call, request as Request<'GetSignedArtifactURL'>)
  }
}

function createArtifact(call: CallContext, request: Request<'CreateArtifact'>): Reply {
  if (call.store.findInRun(call.run.runBackendId, request.name)) {
    return twirpError(
      'already_exists',
      'an artifact with this name already exists on the workflow run'
    )
  }
  const createdAt = call.now()
  const record = call.store.create({
    name: request.name,
    run: call.run,
    jobBackendId: request.workflow_job_run_backend_id,
    mimeType: request.mime_type ?? 'application/zip',
    createdAt,
    expiresAt: request.expires_at
      ? new Date(request.expires_at)
      : new Date(createdAt.getTime() + DEFAULT_RETENTION_MS)
  })
  return ok({ ok: true, signed_upload_url: signedBlobUrl(call, record.id, 'cw') })
}

function finalizeArtifact(call: CallContext, request: Request<'FinalizeArtifact'>): Reply {
  const record = call.store.findInRun(call.run.runBackendId, request.name)
  if (!record) {
    return twirpError(
      'not_found',
      `artifact ${JSON.stringify(request.name)} was never created on this workflow run`
    )
  }
  if (record.state === 'finalized') {
    return twirpError(
      'failed_precondition',
      `artifact ${JSON.stringify(request.name)} is already finalized`
    )
  }
  if (record.state === 'created') {
    return twirpError(
      'failed_precondition',
      `artifact ${JSON.stringify(request.name)} has no uploaded content: commit its block list first`
    )
  }
  if (request.size !== record.size) {
    return twirpError(
      'invalid_argument',
      `artifact ${JSON.stringify(request.name)}: size ${request.size} does not match the ${record.size} bytes uploaded`
    )
  }
  if (request.hash !== undefined && request.hash !== record.digest) {
    return twirpError(
      'invalid_argument',
      `artifact ${JSON.stringify(request.name)}: hash ${request.hash} does not match the uploaded content's ${record.digest}`
    )
  }
  record.state = 'finalized'
  record.updatedAt = call.now()
  return ok({ ok: true, artifact_id: String(record.id) })
}

function listArtifacts(call: CallContext, request: Request<'ListArtifacts'>): Reply {
  const artifacts = call.store
    .finalizedInRun(call.run.runBackendId)
    .filter(artifact => request.name_filter === undefined || artifact.name === request.name_filter)
    .filter(artifact => request.id_filter === undefined || artifact.id === request.id_filter)
    .map(monolithArtifact)
  return ok({ artifacts })
}

function getSignedArtifactUrl(call: CallContext, request: Request<'GetSignedArtifactURL'>): Reply {
  const record = call.store.findInRun(call.run.runBackendId, request.name)
  if (!record || record.state !== 'finalized') {
    return twirpError(
      'not_found',
      `artifact ${JSON.stringify(request.name)} not found on this workflow run`
    )
  }
  return ok({ signed_url: signedBlobUrl(call, record.id, 'r') })
}

function monolithArtifact(record: ArtifactRecord): MonolithArtifactJson {
  return {
    workflow_run_backend_id: record.run.runBackendId,
    workflow_job_run_backend_id: record.jobBackendId,
    database_id: String(record.id),
    name: record.name,
    size: String(record.size),
    created_at: record.createdAt.toISOString(),
    ...(record.digest ? { digest: record.digest } : {})
  }
}

function isMethod(method: string): method is Method {
  return Object.hasOwn(requestSchemas, method)
}

function ok(body: object): Reply {
  return { status: 200, body }
}

/** A Twirp error reply: the status Twirp assigns to the code, and `{ code, msg }`. */
export function twirpError(code: TwirpCode, msg: string): Reply {
  return { status: TWIRP_STATUS[code], body: { code, msg } }
}
