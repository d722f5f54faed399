/**
 * Test helpers for the sandbox forge: the real Octokit client composed as the pipeline composes
 * it (`getOctokit` + retry + throttling), and the git CLI isolated from the machine's config.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getOctokit } from '@actions/github'
import { GitHub } from '@actions/github/lib/utils'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import type { ThrottlingOptions } from '@octokit/plugin-throttling'

export type Client = ReturnType<typeof getOctokit>

/** What the throttling plugin reported, so tests can assert it saw the limit. */
export interface LimitLog {
  secondary: Array<{ retryAfter: number; method: string; url: string }>
  primary: number
}

/**
 * Writes are scheduled without the plugin's courtesy spacing (1 s, 3 s for notifying writes):
 * that pacing protects github.com and is not what these tests are about.
 */
const unpacedGroup = {
  key: () => ({
    schedule: (_options: unknown, job: (...args: unknown[]) => unknown, ...args: unknown[]) =>
      Promise.resolve(job(...args))
  })
} as unknown as ThrottlingOptions['write']

/** 405 and 409 are answers about state (not mergeable, head moved): retrying them blindly is wrong. */
export const DO_NOT_RETRY = [400, 401, 403, 404, 405, 409, 410, 422, 451]

/**
 * An Octokit for `token` against the forge, with the retry and throttling plugins, made by
 * `getOctokit` as the actions make it; without a token, the same client class unauthenticated.
 */
export function client(apiUrl: string, token: string | undefined, limits?: LimitLog): Client {
  const options = clientOptions(apiUrl, limits ?? { secondary: [], primary: 0 })
  if (token === undefined) return new (GitHub.plugin(retry, throttling))(options) as Client
  return getOctokit(token, options, retry, throttling)
}

function clientOptions(apiUrl: string, log: LimitLog) {
  return {
    baseUrl: apiUrl,
    retry: { doNotRetry: DO_NOT_RETRY, retryAfterBaseValue: 100 },
    throttle: {
      write: unpacedGroup,
      notifications: unpacedGroup,
      onSecondaryRateLimit: (retryAfter, options, _octokit, retryCount) => {
        log.secondary.push({ retryAfter, method: options.method, url: options.url })
        return retryCount < 3
      },
      onRateLimit: (_retryAfter, _options, _octokit, retryCount) => {
        log.primary += 1
        return retryCount < 1
      }
    } satisfies ThrottlingOptions
  }
}

/** An Octokit without the retry and throttling plugins, to see the forge's first answer as is. */
export function bareClient(apiUrl: string, token: string): Client {
  return getOctokit(token, { baseUrl: apiUrl })
}

export interface Failure {
  status: number
  data: unknown
  headers: Record<string, string | number | undefined>
}

/** The status, body and headers of a failed Octokit call, or null when it succeeded. */
export async function statusOf(call: Promise<unknown>): Promise<Failure | null> {
  try {
    await call
    return null
  } catch (error) {
    const failure = error as {
      status?: number
      response?: { data?: unknown; headers?: Failure['headers'] }
    }
    if (typeof failure.status !== 'number') throw error
    return {
      status: failure.status,
      data: failure.response?.data,
      headers: failure.response?.headers ?? {}
    }
  }
}

const GIT_ENV = {
  ...process.env,
  GIT_TERMINAL_PROMPT: '0',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.test',
  GIT_COMMITTER_NAME: 'Test Author',
  GIT_COMMITTER_EMAIL: 'author@example.test'
}

export interface GitRun {
  code: number
  stdout: string
  stderr: string
}

/** Runs git; never throws on a non-zero exit. */
export function git(cwd: string, args: readonly string[]): Promise<GitRun> {
  return new Promise(resolve => {
    execFile(
      'git',
      ['-c', 'credential.helper=', ...args],
      { cwd, env: GIT_ENV },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
        resolve({ code, stdout: stdout.trim(), stderr: stderr.trim() })
      }
    )
  })
}

/** Runs git and returns stdout; throws with stderr on failure. */
export async function gitOk(cwd: string, args: readonly string[]): Promise<string> {
  const run = await git(cwd, args)
  if (run.code !== 0) throw new Error(`git ${args.join(' ')} failed: ${run.stderr}`)
  return run.stdout
}

/** `http://x-access-token:<token>@host/owner/repo.git`, as Actions writes a remote URL. */
export function remoteWithToken(cloneUrl: string, token: string): string {
  const url = new URL(cloneUrl)
  url.username = 'x-access-token'
  url.password = token
  return url.toString()
}

/**
 * Clones `cloneUrl` into `dir` with `token`, then leaves `origin` without credentials: the work tree
 * `actions/checkout` leaves with `persist-credentials: false`.
 */
export async function checkoutWithoutCredentials(
  cloneUrl: string,
  token: string,
  dir: string
): Promise<void> {
  await gitOk('.', ['clone', '--quiet', remoteWithToken(cloneUrl, token), dir])
  await gitOk(dir, ['remote', 'set-url', 'origin', cloneUrl])
}

/** A temporary directory removed by the returned function. */
export async function tempDir(
  prefix: string
): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix))
  return { path, remove: () => rm(path, { recursive: true, force: true }) }
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 20000
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}
