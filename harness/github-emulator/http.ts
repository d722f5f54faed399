/**
 * HTTP plumbing shared by the routes: GitHub's error bodies, JSON bodies, pagination with `Link`
 * headers, and the primary rate limit with its `x-ratelimit-*` headers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'

/** Where `documentation_url` values point. */
export const DOCS_ROOT = 'https://docs.github.com/rest'

/** One entry of a 422's `errors` list. */
export interface FieldError {
  resource: string
  code: string
  field?: string
  message?: string
}

/** An answer that is an error in GitHub's shape: `{ message, documentation_url, status }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly docs: string | null = null,
    readonly errors: FieldError[] | null = null,
    readonly headers: Record<string, string> = {}
  ) {
    super(message)
  }
}

/** A 422 "Validation Failed" with one field error. */
export function validationFailed(error: FieldError, docs: string | null = null): ApiError {
  return new ApiError(422, 'Validation Failed', docs, [error])
}

/** The JSON body GitHub sends with an error status. */
export function errorBody(error: ApiError, routeDocs: string | null): Record<string, unknown> {
  const docs = error.docs ?? routeDocs
  return {
    message: error.message,
    ...(error.errors ? { errors: error.errors } : {}),
    documentation_url: docs ? `${DOCS_ROOT}/${docs}` : DOCS_ROOT,
    status: String(error.status)
  }
}

/** Reads a whole request body, refusing one over `maxBytes`. */
export async function readBody(
  req: IncomingMessage,
  maxBytes = Number.POSITIVE_INFINITY
): Promise<Buffer> {
  const chunks: Buffer[] = []
  let length = 0
  for await (const chunk of req) {
    const bytes = chunk as Buffer
    length += bytes.length
    if (length > maxBytes) throw new Error(`request body is over ${maxBytes} bytes`)
    chunks.push(bytes)
  }
  return Buffer.concat(chunks)
}

/** Parses a JSON request body; an empty body is `{}`; bad JSON is GitHub's 400. */
export function parseJsonBody(raw: Buffer): unknown {
  if (raw.length === 0) return {}
  try {
    return JSON.parse(raw.toString('utf8'))
  } catch {
    throw new ApiError(400, 'Problems parsing JSON')
  }
}

/** Writes a JSON answer (or an empty one for 204/302 and `undefined`). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string>
): void {
  sendReply(res, { status, headers, body: status === 204 ? undefined : body })
}

/** A response decided by a handler, written by whoever owns the socket. */
export interface Reply {
  status: number
  headers?: Record<string, string>
  /** A string or Buffer is sent as is; anything else but `undefined` as JSON. */
  body?: unknown
}

/** Writes a {@link Reply}, with its `content-length` (and JSON's `content-type`). */
export function sendReply(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers }
  let payload: string | Buffer = ''
  if (Buffer.isBuffer(reply.body) || typeof reply.body === 'string') {
    payload = reply.body
  } else if (reply.body !== undefined) {
    payload = JSON.stringify(reply.body)
    headers['content-type'] ??= 'application/json; charset=utf-8'
  }
  headers['content-length'] = String(Buffer.byteLength(payload))
  res.writeHead(reply.status, headers)
  res.end(payload)
}

/** One page of a list, and the `Link` header that leads to the others. */
export interface Page<T> {
  items: T[]
  headers: Record<string, string>
}

function pageNumber(value: string | null, fallback: number, max: number): number {
  const parsed = Number(value)
  if (!Number.isInteger(parsed) || parsed < 1) return fallback
  return Math.min(parsed, max)
}

/** Cuts one page out of `items` by `page`/`per_page` (default 30, at most 100). */
export function paginate<T>(
  items: readonly T[],
  url: URL,
  apiUrl: string,
  maxPerPage = 100
): Page<T> {
  const perPage = pageNumber(url.searchParams.get('per_page'), 30, maxPerPage)
  const page = pageNumber(url.searchParams.get('page'), 1, Number.MAX_SAFE_INTEGER)
  const last = Math.max(1, Math.ceil(items.length / perPage))
  const slice = items.slice((page - 1) * perPage, page * perPage)
  const link = (target: number, rel: string): string => {
    const query = new URLSearchParams(url.searchParams)
    query.set('page', String(target))
    return `<${apiUrl}${url.pathname}?${query.toString()}>; rel="${rel}"`
  }
  const links: string[] = []
  if (page > 1) links.push(link(Math.min(page - 1, last), 'prev'))
  if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'))
  if (page > 1) links.push(link(1, 'first'))
  return { items: slice, headers: links.length ? { link: links.join(', ') } : {} }
}

interface Window {
  resetAt: number
  used: number
}

/** GitHub's primary rate limit: a budget per caller per hour, reported on every answer. */
export class RateLimiter {
  private windows = new Map<string, Window>()

  constructor(private readonly limitFor: (callerKey: string) => number) {}

  /** Counts one request; returns its headers and whether the budget was already spent. */
  take(callerKey: string): { headers: Record<string, string>; exceeded: boolean } {
    const now = Math.floor(Date.now() / 1000)
    let window = this.windows.get(callerKey)
    if (!window || window.resetAt <= now) {
      window = { resetAt: now + 3600, used: 0 }
      this.windows.set(callerKey, window)
    }
    const limit = this.limitFor(callerKey)
    const exceeded = window.used >= limit
    if (!exceeded) window.used += 1
    return {
      exceeded,
      headers: {
        'x-ratelimit-limit': String(limit),
        'x-ratelimit-remaining': String(limit - window.used),
        'x-ratelimit-used': String(window.used),
        'x-ratelimit-reset': String(window.resetAt),
        'x-ratelimit-resource': 'core'
      }
    }
  }
}
