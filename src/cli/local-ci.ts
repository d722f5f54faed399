/**
 * CI for a forge that has none (the sandbox): whenever a phase asks for the CI state of a commit
 * that the local CI has not judged yet, the command runs the CI command on that commit in its own
 * work tree and publishes the result as a commit status, as a CI service would have. Merge then
 * waits for, and trusts, that status like any other. Each commit is tested once.
 */
import { runProcess } from '../adapters/exec.js'
import type { Forge, ForgeCiState } from '../ports.js'
import { LOCAL_REMOTE, type WorkTrees } from './local-context.js'

/** The commit status context the local CI publishes. */
export const LOCAL_CI_CONTEXT = 'codex-waves/local-ci'

const OUTPUT_TAIL_CHARS = 300

/** What the local CI needs. */
export interface LocalCiOptions {
  /** The shell command that tests a checkout, e.g. `npm test`. */
  command: string
  workTrees: Pick<WorkTrees, 'prepare'>
  auth: { token: string }
  /** The environment of the command: no tokens (it runs the repository's code). */
  env: Readonly<Record<string, string>>
  /** Told each result, for the log. */
  report: (line: string) => void
}

/** The variables the CI command gets from the command line's environment. */
const CI_VARIABLES = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TMPDIR', 'TERM']

/** The CI command's environment: the few variables a test run needs, never a token. */
export function ciEnvironment(env: Readonly<Record<string, string | undefined>>) {
  const picked: Record<string, string> = { CI: 'true' }
  for (const name of CI_VARIABLES) {
    const value = env[name]
    if (value !== undefined && value !== '') picked[name] = value
  }
  return picked
}

/**
 * Wraps a forge so that `getCiState` first makes sure the local CI has judged the commit. Every
 * other operation goes straight to the forge.
 */
export function withLocalCi(forge: Forge, options: LocalCiOptions): Forge {
  const judged = new Map<string, Promise<void>>()
  let queue: Promise<unknown> = Promise.resolve()

  const judge = async (sha: string): Promise<void> => {
    const before = await forge.getCiState(sha)
    if (before.statuses.some(status => status.context === LOCAL_CI_CONTEXT)) return
    // One CI work tree: runs go one after the other.
    const run = queue.then(() => test(sha))
    queue = run.catch(() => undefined)
    const outcome = await run
    await forge.setCommitStatus(sha, {
      context: LOCAL_CI_CONTEXT,
      state: outcome.passed ? 'success' : 'failure',
      // GitHub keeps at most 140 characters of a status description.
      description: outcome.description.slice(0, 140)
    })
    options.report(`local CI on ${sha.slice(0, 7)}: ${outcome.description}`)
  }

  const test = async (sha: string): Promise<{ passed: boolean; description: string }> => {
    const git = await options.workTrees.prepare('ci')
    await git.fetch(LOCAL_REMOTE, [sha], options.auth)
    await git.exec(['checkout', '--quiet', '--force', '--detach', sha])
    const started = Date.now()
    const result = await runProcess('sh', ['-c', options.command], {
      cwd: git.dir,
      env: options.env
    })
    const seconds = ((Date.now() - started) / 1000).toFixed(1)
    if (result.exitCode === 0) {
      return { passed: true, description: `${options.command} passed in ${seconds} s` }
    }
    const tail = `${result.stdout}\n${result.stderr}`.trim().slice(-OUTPUT_TAIL_CHARS)
    return {
      passed: false,
      description: `${options.command} failed (exit ${result.exitCode}): ${tail.split('\n').pop() ?? ''}`
    }
  }

  const getCiState = async (sha: string): Promise<ForgeCiState> => {
    let pending = judged.get(sha)
    if (pending === undefined) {
      pending = judge(sha)
      judged.set(sha, pending)
      // A failed attempt (the forge or git erred) is tried again on the next ask.
      pending.catch(() => judged.delete(sha))
    }
    await pending
    return forge.getCiState(sha)
  }

  return new Proxy(forge, {
    get(target, property, receiver) {
      if (property === 'getCiState') return getCiState
      const value: unknown = Reflect.get(target, property, receiver)
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
}
