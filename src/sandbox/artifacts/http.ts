import type { IncomingMessage, ServerResponse } from 'node:http'

/** A response decided by a route, written by whoever owns the socket. */
export interface Reply {
  status: number
  headers?: Record<string, string>
  /** An object is sent as JSON; a string or Buffer as is; absent for an empty body. */
  body?: unknown
}

/** The largest JSON request body a Twirp call may carry; real ones are a few hundred bytes. */
const MAX_JSON_BODY_BYTES = 1024 * 1024

/** Reads a request body as text, refusing one larger than the JSON limit. */
export async function readTextBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  let length = 0
  for await (const chunk of req) {
    const bytes = chunk as Buffer
    length += bytes.length
    if (length > MAX_JSON_BODY_BYTES) {
      throw new Error(`request body is over ${MAX_JSON_BODY_BYTES} bytes`)
    }
    chunks.push(bytes)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** Writes a {@link Reply}: objects as JSON, strings and Buffers as given. */
export function sendReply(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers }
  let payload: string | Buffer | undefined
  if (Buffer.isBuffer(reply.body) || typeof reply.body === 'string') {
    payload = reply.body
  } else if (reply.body !== undefined) {
    payload = JSON.stringify(reply.body)
    headers['content-type'] ??= 'application/json; charset=utf-8'
  }
  headers['content-length'] = String(payload === undefined ? 0 : Buffer.byteLength(payload))
  res.writeHead(reply.status, headers)
  res.end(payload)
}
