/**
 * Git smart HTTP at `/{owner}/{repo}.git`, served by `git http-backend` (CGI) over the bare
 * repositories, with GitHub's token rules: read tokens fetch, write tokens push, job and
 * installation tokens by their `contents` and `workflows` scopes, and a request without
 * credentials gets a 401 Basic challenge.
 */
import { spawn } from 'node:child_process'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { authorizeGitGrant } from './access.js'
import type { Caller } from './auth.js'
import { permits } from './auth.js'
import type { ForgeCore } from './core.js'
import { listBranches } from './git.js'
import type { ScopeUse } from './scopes.js'
import type { RepoState } from './state.js'
import { workflowGuardEnv } from './workflow-guard.js'

/** Matches the three smart-HTTP endpoints. */
export const GIT_PATH = /^\/([^/]+)\/([^/]+?)\.git\/(info\/refs|git-upload-pack|git-receive-pack)$/

/** The route template the request log records for git traffic. */
export const GIT_ROUTE = '/{owner}/{repo}.git/'

/** Called after a push with the branches before it, so PRs and the event log can follow. */
export type AfterPush = (
  repo: RepoState,
  before: Map<string, string>,
  pusher: string
) => Promise<void>

function plain(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {}
): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers })
  res.end(text)
}

function gitService(url: URL, endpoint: string): string {
  return endpoint === 'info/refs' ? (url.searchParams.get('service') ?? '') : endpoint
}

/** What an admitted git request may do, for the backend and the request log. */
interface Admission {
  scope: ScopeUse
  guardWorkflows: boolean
}

/** Answers what GitHub would refuse (returning null), or admits the request. */
function admit(
  res: ServerResponse,
  repo: RepoState | undefined,
  caller: Caller,
  push: boolean
): Admission | null {
  const challenge = { 'www-authenticate': 'Basic realm="GitHub"' }
  if (caller.kind === 'invalid') {
    plain(
      res,
      401,
      'Invalid username or token. Password authentication is not supported for Git operations.\n',
      challenge
    )
    return null
  }
  if (caller.kind === 'anonymous' && (push || repo?.settings.private !== false)) {
    plain(res, 401, 'Authentication required.\n', challenge)
    return null
  }
  if (!repo) {
    plain(res, 404, 'Repository not found.\n')
    return null
  }
  if (caller.grant) {
    const decision = authorizeGitGrant(caller.grant, repo, push)
    if (decision.refusal) plain(res, decision.refusal.status, decision.refusal.text)
    return decision.refusal ? null : decision
  }
  if (push && !permits(caller.user, 'write')) {
    plain(
      res,
      403,
      `Permission to ${repo.fullName}.git denied to ${caller.user?.login ?? 'anonymous'}.\n`
    )
    return null
  }
  return { scope: { name: 'contents', level: push ? 'write' : 'read' }, guardWorkflows: false }
}

function cgiEnv(
  core: ForgeCore,
  req: IncomingMessage,
  url: URL,
  repo: RepoState,
  endpoint: string,
  caller: Caller
) {
  const header = (name: string) => {
    const value = req.headers[name]
    return Array.isArray(value) ? value.join(', ') : (value ?? '')
  }
  return {
    ...process.env,
    GIT_PROJECT_ROOT: core.reposRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    PATH_INFO: `/${repo.fullName}.git/${endpoint}`,
    REQUEST_METHOD: req.method ?? 'GET',
    QUERY_STRING: url.search.replace(/^\?/, ''),
    CONTENT_TYPE: header('content-type'),
    ...(req.headers['content-length'] ? { CONTENT_LENGTH: header('content-length') } : {}),
    HTTP_CONTENT_ENCODING: header('content-encoding'),
    GIT_PROTOCOL: header('git-protocol'),
    REMOTE_USER: caller.user?.login ?? '',
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    SERVER_NAME: new URL(core.baseUrl).hostname
  }
}

/** Splits the CGI header block from the body and writes it as the HTTP head. */
function writeCgiHead(res: ServerResponse, head: string): void {
  let status = 200
  const headers: Record<string, string> = {}
  for (const line of head.split(/\r?\n/).filter(Boolean)) {
    const colon = line.indexOf(':')
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    if (name === 'status') status = Number(value.split(' ')[0]) || 200
    else headers[name] = value
  }
  res.writeHead(status, headers)
}

function runBackend(
  req: IncomingMessage,
  res: ServerResponse,
  env: NodeJS.ProcessEnv
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] })
    let pending: Buffer | null = Buffer.alloc(0)
    child.stdout.on('data', (chunk: Buffer) => {
      if (pending === null) {
        res.write(chunk)
        return
      }
      pending = Buffer.concat([pending, chunk])
      const text = pending.toString('latin1')
      const end = text.search(/\r?\n\r?\n/)
      if (end < 0) return
      const separator = /\r?\n\r?\n/.exec(text.slice(end))![0].length
      writeCgiHead(res, text.slice(0, end))
      res.write(pending.subarray(end + separator))
      pending = null
    })
    child.stderr.resume()
    child.on('error', reject)
    child.on('close', code => resolve(code ?? 1))
    req.pipe(child.stdin)
    child.stdin.on('error', () => undefined)
  })
}

/**
 * Serves one smart-HTTP request; `match` is the result of `GIT_PATH`. Returns the scope an
 * admitted request used (`contents` read or write), null when it was refused.
 */
export async function serveGit(
  core: ForgeCore,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  match: RegExpExecArray,
  caller: Caller,
  afterPush: AfterPush
): Promise<ScopeUse | null> {
  const [, owner = '', name = '', endpoint = ''] = match
  const repo = core.state.repo(owner, name)
  const push = gitService(url, endpoint) === 'git-receive-pack'
  const admission = admit(res, repo, caller, push)
  if (!admission || !repo) return null
  const before = push && req.method === 'POST' ? await listBranches(repo.gitDir) : null
  const env = {
    ...cgiEnv(core, req, url, repo, endpoint, caller),
    ...(push && admission.guardWorkflows ? workflowGuardEnv(core.hooksDir) : {})
  }
  const code = await runBackend(req, res, env)
  if (!res.headersSent) plain(res, 500, `git http-backend exited with ${code}\n`)
  if (before && caller.user) await afterPush(repo, before, caller.user.login)
  res.end()
  return admission.scope
}
