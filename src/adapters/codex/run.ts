/**
 * The `Codex` port over the `codex` CLI: one `codex exec` child per run, in its own process group.
 */
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import type { Codex, CodexRunRequest, CodexRunResult } from '../../ports.js'
import { buildCodexArgs, type CodexRunPaths } from './args.js'
import { parseCodexEvents, summarizeCodexEvents, type CodexRunSummary } from './events.js'
import { signalGroup, terminateGroup, waitForGroupExit } from './process-group.js'

const STDERR_TAIL_CHARS = 2_000
const ERROR_DETAIL_CHARS = 600

export interface CodexCliOptions {
  /** The `codex` executable: a name on `PATH` or a path (the npm wrapper or the native binary). */
  codexPath: string
  /**
   * The whole environment of the codex process (`PATH`, `HOME`, `CODEX_HOME`, an API key, ...);
   * nothing else is inherited. Secrets in it stay out of the agent's shell: every run passes the
   * shell environment policy of `args.ts`.
   */
  env: Readonly<Record<string, string | undefined>>
  /** Where each work tree's run files go (last message, output schema); the OS temp dir by default. */
  scratchDir?: string
  /** How long codex gets between SIGTERM and SIGKILL when a run times out. */
  killGraceMs?: number
}

/** The run files of a work tree: one directory per work tree, reused by its later runs. */
export function codexRunPaths(scratchDir: string, cwd: string): Required<CodexRunPaths> {
  const key = createHash('sha256').update(path.resolve(cwd)).digest('hex').slice(0, 16)
  const dir = path.join(scratchDir, `codex-run-${key}`)
  return {
    lastMessageFile: path.join(dir, 'last-message.txt'),
    outputSchemaFile: path.join(dir, 'output-schema.json')
  }
}

/** How the child process ended. */
interface ProcessEnd {
  exitCode: number | null
  signal: NodeJS.Signals | null
  /** Set when the process could not be started at all. */
  spawnError: Error | null
  timedOut: boolean
  /** Pids still alive after SIGKILL (normally none). */
  survivors: number[]
  stdout: string
  stderr: string
}

/** Runs `codex exec` once: prompt on stdin, JSON events, the result judged from exit code, last event and `-o` file. */
export class CodexCli implements Codex {
  private readonly scratchDir: string
  private readonly killGraceMs: number

  constructor(private readonly options: CodexCliOptions) {
    this.scratchDir = options.scratchDir ?? os.tmpdir()
    this.killGraceMs = options.killGraceMs ?? 5_000
  }

  /** Runs one prompt to completion, failure or timeout; never throws for a failed run. */
  async run(request: CodexRunRequest): Promise<CodexRunResult> {
    const started = performance.now()
    const paths = await this.prepareRunFiles(request)
    const end = await this.runProcess(request, paths)
    const { events } = parseCodexEvents(end.stdout)
    const summary = summarizeCodexEvents(events, request.cwd)
    const finalMessage = await readFinalMessage(paths.lastMessageFile)
    return {
      outcome: end.timedOut
        ? 'timed-out'
        : isSuccess(end, summary, finalMessage)
          ? 'succeeded'
          : 'failed',
      finalMessage,
      error: describeFailure(end, summary, finalMessage, request, paths),
      threadId: summary.threadId,
      usage: summary.usage,
      commands: summary.commands,
      filesChanged: summary.filesChanged,
      durationMs: Math.round(performance.now() - started),
      eventLog: end.stdout
    }
  }

  /** A failed run leaves the previous last message in place: it must never pass for this run's. */
  private async prepareRunFiles(request: CodexRunRequest): Promise<CodexRunPaths> {
    const all = codexRunPaths(this.scratchDir, request.cwd)
    await mkdir(path.dirname(all.lastMessageFile), { recursive: true })
    await rm(all.lastMessageFile, { force: true })
    if (request.outputSchema === undefined) return { lastMessageFile: all.lastMessageFile }
    await writeFile(all.outputSchemaFile, JSON.stringify(request.outputSchema, null, 2))
    return all
  }

  private runProcess(request: CodexRunRequest, paths: CodexRunPaths): Promise<ProcessEnd> {
    const child = spawn(this.options.codexPath, buildCodexArgs(request, paths), {
      cwd: request.cwd,
      env: definedEntries(this.options.env),
      // Its own process group, so a timeout can end codex and everything it started at once.
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe']
    })
    const stdout: Buffer[] = []
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS)
    })
    // The prompt goes on stdin, which is then closed: codex reads until end of input.
    child.stdin.on('error', () => undefined)
    child.stdin.end(request.prompt, 'utf8')

    let timedOut = false
    let termination: Promise<number[]> | null = null
    const timer = setTimeout(() => {
      timedOut = true
      if (child.pid === undefined) return
      termination = terminateGroup(child.pid, this.killGraceMs)
      // A survivor outside the group may still hold codex's stdout open; 'close' must not wait for it.
      void termination.then(() => {
        setTimeout(() => {
          child.stdout.destroy()
          child.stderr.destroy()
        }, 1_000).unref()
      })
    }, request.timeoutMs)

    return new Promise<ProcessEnd>(resolve => {
      let finished = false
      const finish = async (exit: Pick<ProcessEnd, 'exitCode' | 'signal' | 'spawnError'>) => {
        if (finished) return
        finished = true
        clearTimeout(timer)
        const survivors = termination ? await termination : await endLeftovers(child.pid)
        resolve({
          ...exit,
          timedOut,
          survivors,
          stdout: Buffer.concat(stdout).toString('utf8'),
          stderr
        })
      }
      child.once('error', spawnError => {
        if (child.pid === undefined) void finish({ exitCode: null, signal: null, spawnError })
      })
      // Anything codex left in its group (a background job of the agent) dies with it, which also
      // releases any pipe such a job still holds, so 'close' follows.
      child.once('exit', () => {
        if (!timedOut && child.pid !== undefined) signalGroup(child.pid, 'SIGKILL')
      })
      child.once('close', (exitCode, signal) => void finish({ exitCode, signal, spawnError: null }))
    })
  }
}

/** Waits for the group of a run that exited by itself to be empty; returns any pid that stayed. */
async function endLeftovers(pgid: number | undefined): Promise<number[]> {
  if (pgid === undefined) return []
  signalGroup(pgid, 'SIGKILL')
  return (await waitForGroupExit(pgid, 5_000)) ? [] : [pgid]
}

function isSuccess(
  end: ProcessEnd,
  summary: CodexRunSummary,
  finalMessage: string | null
): boolean {
  return end.exitCode === 0 && summary.lastEventType === 'turn.completed' && finalMessage !== null
}

/** Why the run did not succeed, in words a maintainer can act on; null when it succeeded. */
function describeFailure(
  end: ProcessEnd,
  summary: CodexRunSummary,
  finalMessage: string | null,
  request: CodexRunRequest,
  paths: CodexRunPaths
): string | null {
  if (end.spawnError) {
    return `codex could not be started (${end.spawnError.message}). Check that codex is installed and that the configured codex path points to it.`
  }
  if (end.timedOut) {
    const survivors =
      end.survivors.length > 0 ? `; pids ${end.survivors.join(', ')} survived SIGKILL` : ''
    return `codex timed out after ${formatDuration(request.timeoutMs)} and was killed${survivors}. The last event was ${summary.lastEventType ?? 'none'}; raise the timeout if the task needs longer.`
  }
  if (end.exitCode !== 0) {
    const how = end.signal ? `was killed by ${end.signal}` : `exited ${end.exitCode}`
    return `codex ${how}: ${detail(summary, end)}`
  }
  if (summary.lastEventType !== 'turn.completed') {
    return `codex exited 0 but its last event was ${summary.lastEventType ?? 'none'}, not turn.completed: ${detail(summary, end)}`
  }
  if (finalMessage === null) {
    return `codex exited 0 but wrote no final message to ${paths.lastMessageFile}.`
  }
  return null
}

function detail(summary: CodexRunSummary, end: ProcessEnd): string {
  const text = summary.lastError ?? lastLines(end.stderr) ?? 'no error event and no stderr output'
  return text.length > ERROR_DETAIL_CHARS ? `${text.slice(0, ERROR_DETAIL_CHARS)}…` : text
}

function lastLines(text: string): string | null {
  const lines = text
    .split('\n')
    .map(line => line.trim())
    .filter(line => line !== '')
  return lines.length > 0 ? lines.slice(-3).join(' | ') : null
}

function formatDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`
}

async function readFinalMessage(file: string): Promise<string | null> {
  const text = await readFile(file, 'utf8').catch(() => null)
  return text === null || text.trim() === '' ? null : text
}

function definedEntries(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const result: Record<string, string> = {}
  for (const [key, value] of Object.entries(env)) if (value !== undefined) result[key] = value
  return result
}
