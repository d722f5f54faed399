import { getExecOutput } from '@actions/exec'
import type { ExecResult } from '../ports.js'

/** How to run one child process through {@link runProcess}. */
export interface RunProcessOptions {
  cwd: string
  /** The complete environment of the child: nothing is inherited beyond what is given here. */
  env: Readonly<Record<string, string>>
  /**
   * Written to stdin, which is then closed. Only for programs that read all of their input:
   * `@actions/exec` gives no handle on stdin, so a child that exits first raises EPIPE.
   */
  input?: string
}

/**
 * Runs a program to completion and returns its exit code and output. It never throws on a
 * non-zero exit and never echoes the command or its output to the log: callers decide what is
 * safe to show, since arguments and output may hold secrets.
 */
export async function runProcess(
  command: string,
  args: readonly string[],
  options: RunProcessOptions
): Promise<ExecResult> {
  const result = await getExecOutput(command, [...args], {
    cwd: options.cwd,
    env: { ...options.env },
    input: options.input ? Buffer.from(options.input, 'utf8') : undefined,
    ignoreReturnCode: true,
    silent: true
  })
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr }
}

/** The current process environment without unset entries, as a child process expects it. */
export function inheritedEnvironment(): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined) env[key] = value
  }
  return env
}
