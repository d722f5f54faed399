/**
 * A step's process, as the runner starts it: in its own process group, so a timeout or a
 * cancellation ends whatever it started as well (SIGTERM, then SIGKILL), with both output
 * streams kept apart.
 */
import { spawn } from 'node:child_process'

/** How a step's process ended. */
export interface ProcessExit {
  /** Null when the process was ended by a signal. */
  exitCode: number | null
  signal: NodeJS.Signals | null
  timedOut: boolean
  stdout: string
  stderr: string
}

/** Options of {@link runInGroup}. */
export interface GroupRun {
  cwd: string
  env: Record<string, string>
  timeoutMs: number
  /** Ends the process group early (a cancelled job); the exit then reports the signal. */
  signal?: AbortSignal
}

/** Ends a process group; a group that is already gone is not an error. */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return
  try {
    process.kill(-pid, signal)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error
  }
}

/** Runs `file` with `args` in a process group of its own; resolves when it has ended. */
export function runInGroup(
  file: string,
  args: readonly string[],
  run: GroupRun
): Promise<ProcessExit> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, args, {
      cwd: run.cwd,
      env: run.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
    let timedOut = false
    let killTimer: NodeJS.Timeout | undefined
    const stop = () => {
      killGroup(child.pid, 'SIGTERM')
      killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 3000)
    }
    const timer = setTimeout(() => {
      timedOut = true
      stop()
    }, run.timeoutMs)
    run.signal?.addEventListener('abort', stop, { once: true })
    child.on('error', error => {
      clearTimeout(timer)
      reject(new Error(`Could not start ${file}: ${error.message}`))
    })
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer)
      clearTimeout(killTimer)
      run.signal?.removeEventListener('abort', stop)
      if (timedOut || run.signal?.aborted) killGroup(child.pid, 'SIGKILL')
      resolvePromise({
        exitCode,
        signal,
        timedOut,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8')
      })
    })
  })
}
