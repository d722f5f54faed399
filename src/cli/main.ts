/**
 * The `codex-waves` command line: reads the command and its flags, runs it, and returns the exit
 * code (0 done, 1 failed, 2 bad command line, 3 halted for a confirmation). It never exits the
 * process itself; the entry sets `process.exitCode`.
 */
import { runInit } from './init.js'
import { demoCommand } from './commands/demo.js'
import { statusCommand } from './commands/status.js'
import { EXIT, planCommand, runCommand } from './commands/wave-commands.js'
import {
  UsageError,
  flagHelp,
  parseCommandLine,
  type FlagName,
  type ParsedFlags
} from './options.js'
import type { CliIo } from './session.js'

const TARGET_FLAGS: FlagName[] = [
  'repo',
  'api-url',
  'server-url',
  'pipeline-login',
  'state-dir',
  'config',
  'base',
  'verbose'
]
const CODEX_FLAGS: FlagName[] = ['codex', 'model', 'concurrency', 'ci']

interface Command {
  summary: string
  usage: string
  flags: FlagName[]
  run(io: CliIo, positionals: readonly string[], flags: ParsedFlags): Promise<number>
}

const COMMANDS: Record<string, Command> = {
  plan: {
    summary: 'triage a batch of issues into a wave plan (groups, order, skips)',
    usage: 'codex-waves plan <issue>... [--confirm <plan-id>] [flags]',
    flags: [...TARGET_FLAGS, 'confirm'],
    run: planCommand
  },
  run: {
    summary: 'run a whole wave: plan, implement, review, correct, merge',
    usage: 'codex-waves run <issue>... [--confirm <plan-id>] [--concurrency <n>] [flags]',
    flags: [...TARGET_FLAGS, ...CODEX_FLAGS, 'confirm'],
    run: (io, positionals, flags) => runCommand(io, positionals, flags)
  },
  status: {
    summary: "the pipeline's open pull requests as a table, from their ledgers",
    usage: 'codex-waves status --repo <owner/name> [flags]',
    flags: TARGET_FLAGS,
    run: statusCommand
  },
  demo: {
    summary: 'a whole wave on an embedded sandbox forge (--offline: no account, no network)',
    usage: 'codex-waves demo [--offline] [--workflows | --workflows-dir <dir>] [flags]',
    flags: [
      'state-dir',
      'verbose',
      'codex',
      'model',
      'concurrency',
      'ci',
      'offline',
      'workflows',
      'workflows-dir'
    ],
    run: demoCommand
  }
}

const INIT_SUMMARY = 'write the pipeline workflows and a config into a repository'

/** The top-level help. */
export function mainUsage(): string {
  const names = [...Object.keys(COMMANDS), 'init']
  const width = Math.max(...names.map(name => name.length))
  const lines = Object.entries(COMMANDS).map(
    ([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`
  )
  lines.push(`  ${'init'.padEnd(width)}  ${INIT_SUMMARY}`)
  return [
    'Usage: codex-waves <command> [flags]',
    '',
    'Commands:',
    ...lines,
    '',
    'Without --repo, plan and run work on an embedded sandbox forge that lives as long as the command. With --repo owner/name and GITHUB_TOKEN they work on GitHub (or on the forge at --api-url).',
    "Run 'codex-waves <command> --help' for a command's flags."
  ].join('\n')
}

function commandUsage(name: string, command: Command): string {
  return [
    `Usage: ${command.usage}`,
    '',
    command.summary,
    '',
    'Flags:',
    flagHelp(command.flags)
  ].join('\n')
}

/** Runs the command line `args` (without the node and script paths); returns the exit code. */
export async function main(args: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = args
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${mainUsage()}\n`)
    return name === undefined ? EXIT.usage : EXIT.ok
  }
  if (name === 'init') {
    return runInit(rest, {
      cwd: io.cwd,
      stdout: line => io.stdout.write(`${line}\n`),
      stderr: line => io.stderr.write(`${line}\n`)
    })
  }
  const command = COMMANDS[name]
  if (command === undefined) {
    io.stderr.write(`codex-waves: unknown command '${name}'.\n\n${mainUsage()}\n`)
    return EXIT.usage
  }
  try {
    const { flags, positionals } = parseCommandLine(name, rest, command.flags)
    if (flags.help === true) {
      io.stdout.write(`${commandUsage(name, command)}\n`)
      return EXIT.ok
    }
    return await command.run(io, positionals, flags)
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`codex-waves ${error.message}\n\n${commandUsage(name, command)}\n`)
      return EXIT.usage
    }
    io.stderr.write(
      `codex-waves ${name}: ${error instanceof Error ? error.message : String(error)}\n`
    )
    return EXIT.failed
  }
}
