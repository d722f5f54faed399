import { spawn } from 'node:child_process'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request the server answered. */
export interface GitHttpRequest {
  method: string
  /** Path and query, e.g. `/remote.git/info/refs?service=git-receive-pack`. */
  url: string
  /** The `Authorization` header as received, or null. */
  authorization: string | null
  status: number
}

export interface GitHttpServerOptions {
  /** The directory whose bare repositories are served: `<root>/x.git` at `<url>/x.git`. */
  root: string
  /**
   * The token git must present as GitHub takes it (Basic `x-access-token:<token>`); any request
   * without it gets 401. Omitted: every request is served.
   */
  token?: string
}

export interface GitHttpServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  url: string
  /** Every request in the order it arrived. */
  requests: GitHttpRequest[]
  close(): Promise<void>
}

/**
 * Serves bare repositories over git's smart HTTP protocol on 127.0.0.1 (a free port) by running
 * `git http-backend` as a CGI program for each request, with token authentication in front.
 * A small test helper for the git adapter; the sandbox forge serves git the same way at scale.
 */
export async function startGitHttpServer(options: GitHttpServerOptions): Promise<GitHttpServer> {
  const expected =
    options.token === undefined
      ? undefined
      : `Basic ${Buffer.from(`x-access-token:${options.token}`).toString('base64')}`
  const requests: GitHttpRequest[] = []
  const server = createServer((req, res) => {
    const record: GitHttpRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      authorization: req.headers.authorization ?? null,
      status: 0
    }
    requests.push(record)
    res.on('finish', () => {
      record.status = res.statusCode
    })
    if (expected !== undefined && req.headers.authorization !== expected) {
      req.resume()
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' }).end('Unauthorized\n')
      return
    }
    serveThroughHttpBackend(options.root, req, res)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close(error => (error ? reject(error) : resolve()))
      })
  }
}

function serveThroughHttpBackend(root: string, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1')
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    // http-backend only accepts pushes from an authenticated user.
    REMOTE_USER: 'x-access-token',
    REMOTE_ADDR: '127.0.0.1',
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.replace(/^\?/, ''),
    CONTENT_TYPE: req.headers['content-type'] ?? ''
  }
  const optional: Record<string, string | undefined> = {
    CONTENT_LENGTH: req.headers['content-length'],
    HTTP_CONTENT_ENCODING: req.headers['content-encoding'],
    GIT_PROTOCOL: headerValue(req.headers['git-protocol'])
  }
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) env[key] = value

  const backend = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  backend.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  backend.on('error', error => fail(res, `git http-backend could not start: ${error.message}`))
  backend.stdin.on('error', () => undefined)
  req.pipe(backend.stdin)

  let head = Buffer.alloc(0)
  let headersSent = false
  backend.stdout.on('data', (chunk: Buffer) => {
    if (headersSent) {
      res.write(chunk)
      return
    }
    head = Buffer.concat([head, chunk])
    const split = findHeaderEnd(head)
    if (split === null) return
    const { status, headers } = parseCgiHeaders(head.subarray(0, split.index).toString('latin1'))
    res.writeHead(status, headers)
    headersSent = true
    res.write(head.subarray(split.index + split.length))
  })
  backend.on('close', code => {
    if (!headersSent) fail(res, `git http-backend exited ${code} without a response: ${stderr}`)
    else res.end()
  })
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value
}

function findHeaderEnd(buffer: Buffer): { index: number; length: number } | null {
  const crlf = buffer.indexOf('\r\n\r\n')
  const lf = buffer.indexOf('\n\n')
  if (crlf !== -1 && (lf === -1 || crlf <= lf)) return { index: crlf, length: 4 }
  if (lf !== -1) return { index: lf, length: 2 }
  return null
}

function parseCgiHeaders(text: string): { status: number; headers: Record<string, string> } {
  let status = 200
  const headers: Record<string, string> = {}
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':')
    if (colon === -1) continue
    const name = line.slice(0, colon).trim()
    const value = line.slice(colon + 1).trim()
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10)
    else headers[name] = value
  }
  return { status, headers }
}

function fail(res: ServerResponse, message: string): void {
  if (res.headersSent) {
    res.destroy(new Error(message))
    return
  }
  res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`${message}\n`)
}
