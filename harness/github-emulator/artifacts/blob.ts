import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Reply } from '../http.js'
import { readBody, sendReply } from '../http.js'
import type { ArtifactRecord, ArtifactStore } from './store.js'

/** Blob URLs live under this path, shaped like Azure's path-style `/<account>/<container>/<blob>`. */
export const BLOB_PATH_PREFIX = '/_blob/artifacts/'

/** The largest Twirp JSON or block-list XML body accepted; real ones are a few kilobytes. */
export const MAX_MESSAGE_BYTES = 1024 * 1024

/** What a signed URL allows: create and write blocks, or read the blob. */
type BlobPermission = 'cw' | 'r'

/** Upload URLs must outlive a large upload; GitHub's download redirects are short-lived. */
const UPLOAD_URL_LIFETIME_MS = 6 * 60 * 60 * 1000
const DOWNLOAD_URL_LIFETIME_MS = 10 * 60 * 1000

/** The storage API version stamped on responses, as Azure does. */
const STORAGE_API_VERSION = '2025-11-05'

/** What the blob endpoints need from the service. */
export interface BlobContext {
  store: ArtifactStore
  secret: Buffer
  now: () => Date
  origin: () => string
}

/**
 * A SAS-like URL for one artifact's blob: `sp` (permission), `se` (expiry) and `sig` (an HMAC
 * over both and the artifact id with the service's secret).
 */
export function signedBlobUrl(
  context: BlobContext,
  artifactId: number,
  permission: BlobPermission
): string {
  const lifetime = permission === 'r' ? DOWNLOAD_URL_LIFETIME_MS : UPLOAD_URL_LIFETIME_MS
  const expiry = new Date(context.now().getTime() + lifetime).toISOString()
  const url = new URL(`${BLOB_PATH_PREFIX}${artifactId}`, context.origin())
  url.searchParams.set('sp', permission)
  url.searchParams.set('se', expiry)
  url.searchParams.set('sig', blobSignature(context.secret, artifactId, permission, expiry))
  return url.href
}

/**
 * Serves the Azure Blob operations `@azure/storage-blob`'s `BlockBlobClient.uploadStream` sends
 * (`PUT ?comp=block&blockid=…`, then `PUT ?comp=blocklist` with the XML block list) and the plain
 * `GET` the artifact client downloads with. Errors carry Azure's XML error body.
 */
export async function handleBlobRequest(
  context: BlobContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL
): Promise<void> {
  const idText = url.pathname.slice(BLOB_PATH_PREFIX.length)
  const id = /^\d+$/.test(idText) ? Number(idText) : NaN
  const comp = url.searchParams.get('comp')
  const isRead = req.method === 'GET' && comp === null
  const isWrite = req.method === 'PUT' && (comp === 'block' || comp === 'blocklist')
  if (!isRead && !isWrite) {
    return sendReply(
      res,
      azureError(
        400,
        'UnsupportedHttpVerb',
        `The sandbox blob store serves GET, PUT ?comp=block and PUT ?comp=blocklist, not ${req.method}${comp === null ? '' : ` ?comp=${comp}`}.`
      )
    )
  }
  const denied = checkSignature(context, url, id, isRead ? 'r' : 'cw')
  if (denied) return sendReply(res, denied)
  const record = context.store.get(id)
  if (!record) return sendReply(res, blobNotFound())
  if (isRead) return downloadBlob(context, record, res)
  const refused = refuseFinalized(record)
  if (refused) return sendReply(res, refused)
  sendReply(
    res,
    comp === 'block'
      ? await stageBlock(context, record, req, url)
      : await commitBlockList(context, record, req)
  )
}

async function stageBlock(
  context: BlobContext,
  record: ArtifactRecord,
  req: IncomingMessage,
  url: URL
): Promise<Reply> {
  const blockId = url.searchParams.get('blockid')
  if (!blockId) {
    return azureError(
      400,
      'MissingRequiredQueryParameter',
      'The blockid query parameter is required.'
    )
  }
  await context.store.stageBlock(record.id, blockId, req)
  return { status: 201, headers: azureHeaders(context) }
}

async function commitBlockList(
  context: BlobContext,
  record: ArtifactRecord,
  req: IncomingMessage
): Promise<Reply> {
  const xml = (await readBody(req, MAX_MESSAGE_BYTES)).toString('utf8')
  const blockIds = [...xml.matchAll(/<(Latest|Committed|Uncommitted)>([^<]*)<\/\1>/g)].map(
    match => match[2] as string
  )
  const missing = await context.store.commitBlocks(record, blockIds)
  if (missing.length > 0) {
    return azureError(
      400,
      'InvalidBlockList',
      `The specified block list is invalid: ${missing.join(', ')} were never staged.`
    )
  }
  // Azure serves a blob with the content type set when its block list is committed.
  const contentType = req.headers['x-ms-blob-content-type']
  if (typeof contentType === 'string' && contentType !== '') record.mimeType = contentType
  record.updatedAt = context.now()
  return {
    status: 201,
    headers: {
      ...azureHeaders(context),
      etag: `"0x${record.updatedAt.getTime().toString(16).toUpperCase()}"`,
      'last-modified': record.updatedAt.toUTCString()
    }
  }
}

function downloadBlob(context: BlobContext, record: ArtifactRecord, res: ServerResponse): void {
  if (record.state !== 'finalized') {
    return sendReply(res, blobNotFound())
  }
  const fileName = record.mimeType === 'application/zip' ? `${record.name}.zip` : record.name
  res.writeHead(200, {
    ...azureHeaders(context),
    'content-type': record.mimeType,
    'content-length': String(record.size),
    'content-disposition': `attachment; filename="${fileName.replace(/[^\x20-\x7e]|"/g, '_')}"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
    'x-ms-blob-type': 'BlockBlob'
  })
  context.store.blobStream(record.id).pipe(res)
}

function refuseFinalized(record: ArtifactRecord): Reply | null {
  return record.state === 'finalized'
    ? azureError(
        403,
        'AuthorizationFailure',
        'This request is not authorized to perform this operation: the artifact is finalized.'
      )
    : null
}

function checkSignature(
  context: BlobContext,
  url: URL,
  artifactId: number,
  permission: BlobPermission
): Reply | null {
  const expiry = url.searchParams.get('se') ?? ''
  const given = Buffer.from(url.searchParams.get('sig') ?? '')
  const expected = Buffer.from(blobSignature(context.secret, artifactId, permission, expiry))
  const valid =
    url.searchParams.get('sp') === permission &&
    given.length === expected.length &&
    timingSafeEqual(given, expected)
  if (!valid) {
    return azureError(
      403,
      'AuthenticationFailed',
      'Server failed to authenticate the request. Make sure the value of the signature is formed correctly.'
    )
  }
  if (Date.parse(expiry) <= context.now().getTime()) {
    return azureError(
      403,
      'AuthenticationFailed',
      `Signed expiry time [${expiry}] has to be after the current time.`
    )
  }
  return null
}

function blobSignature(
  secret: Buffer,
  artifactId: number,
  permission: BlobPermission,
  expiry: string
): string {
  return createHmac('sha256', secret)
    .update(`${permission}\n${artifactId}\n${expiry}`)
    .digest('base64url')
}

function azureHeaders(context: BlobContext): Record<string, string> {
  return {
    'x-ms-request-id': randomUUID(),
    'x-ms-version': STORAGE_API_VERSION,
    'x-ms-request-server-encrypted': 'true',
    date: context.now().toUTCString()
  }
}

/** Azure's 500 for a failure of the blob store itself. */
export function blobFailure(message: string): Reply {
  return azureError(500, 'InternalError', message)
}

function blobNotFound(): Reply {
  return azureError(404, 'BlobNotFound', 'The specified blob does not exist.')
}

function azureError(status: number, code: string, message: string): Reply {
  return {
    status,
    headers: { 'content-type': 'application/xml', 'x-ms-error-code': code },
    body: `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message.replace(/[<>&]/g, ' ')}</Message></Error>`
  }
}
