/**
 * The command line's flags: one table of every flag, each command's subset, and a parser that
 * turns a bad flag or value into a {@link UsageError} (exit code 2) naming it and the fix.
 */
import { parseArgs } from 'node:util'

/** A command line that cannot run as given: the caller prints it with the usage and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** Every flag, with its value kind and help line. */
export const FLAGS = {
  repo: { type: 'string', value: 'owner/name', help: 'the GitHub repository (needs GITHUB_TOKEN)' },
  'api-url': {
    type: 'string',
    value: 'url',
    help: 'the REST API root (default GITHUB_API_URL or https://api.github.com; a running sandbox forge)'
  },
  'server-url': {
    type: 'string',
    value: 'url',
    help: 'where git clones from (default GITHUB_SERVER_URL, https://github.com, or the API URL of a loopback forge)'
  },
  'pipeline-login': {
    type: 'string',
    value: 'login',
    help: "the token's login, whose comments are the pipeline's (default: asked from the API)"
  },
  'state-dir': {
    type: 'string',
    value: 'dir',
    help: 'where clones, artifacts and logs go (default .codex-waves)'
  },
  config: {
    type: 'string',
    value: 'file',
    help: "a wave config file to use instead of the repository's .github/codex-waves.yml"
  },
  base: {
    type: 'string',
    value: 'branch',
    help: "the base branch (default the config's, then the repository's default)"
  },
  confirm: { type: 'string', value: 'plan-id', help: 'the plan id a person confirmed' },
  concurrency: { type: 'string', value: 'n', help: 'groups worked on at once (default 4)' },
  codex: {
    type: 'string',
    value: 'path',
    help: 'the codex executable (default: the installed one)'
  },
  model: {
    type: 'string',
    value: 'name',
    help: "the codex model (default the config's, then codex's)"
  },
  ci: {
    type: 'string',
    value: 'command',
    help: 'run this command on every new head and publish it as the local CI status (default "npm test" on a sandbox forge)'
  },
  offline: {
    type: 'boolean',
    help: 'codex talks to a scripted model playing the shipped playbook'
  },
  workflows: {
    type: 'boolean',
    help: 'demo: run the wave through the workflows init writes, on the Actions engine'
  },
  'workflows-dir': {
    type: 'string',
    value: 'dir',
    help: 'demo: run your own edited workflow files from this directory instead'
  },
  verbose: { type: 'boolean', help: "print every phase's log lines, not only progress" },
  help: { type: 'boolean', help: 'show this help' }
} as const

export type FlagName = keyof typeof FLAGS

/** The flags as parsed: strings and booleans by name. */
export type ParsedFlags = Partial<Record<FlagName, string | boolean>>

/** A command's parsed line. */
export interface ParsedCommandLine {
  flags: ParsedFlags
  positionals: string[]
}

/** Parses the arguments after the command name against the flags the command accepts. */
export function parseCommandLine(
  command: string,
  args: readonly string[],
  accepted: readonly FlagName[]
): ParsedCommandLine {
  const options = Object.fromEntries(
    [...accepted, 'help' as const].map(name => [
      name,
      { type: FLAGS[name].type, ...(name === 'help' ? { short: 'h' } : {}) }
    ])
  )
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options,
      allowPositionals: true,
      strict: true
    })
    return { flags: values as ParsedFlags, positionals }
  } catch (error) {
    throw new UsageError(`${command}: ${(error as Error).message.replace(/\s+To specify.*$/s, '')}`)
  }
}

/** The string value of a flag, or undefined. */
export function stringFlag(flags: ParsedFlags, name: FlagName): string | undefined {
  const value = flags[name]
  return typeof value === 'string' ? value : undefined
}

/** A whole number flag in [min, max], or the fallback when absent. */
export function wholeNumberFlag(
  flags: ParsedFlags,
  name: FlagName,
  min: number,
  max: number,
  fallback: number
): number {
  const raw = stringFlag(flags, name)
  if (raw === undefined) return fallback
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new UsageError(
      `--${name}: '${raw}' is not a whole number from ${min} to ${max}. Use e.g. --${name} ${fallback}.`
    )
  }
  return Number(raw)
}

/** The help lines of the given flags, aligned. */
export function flagHelp(names: readonly FlagName[]): string {
  const rows = [...names, 'help' as const].map(name => {
    const flag = FLAGS[name]
    const left = 'value' in flag ? `--${name} <${flag.value}>` : `--${name}`
    return [left, flag.help] as const
  })
  const width = Math.max(...rows.map(([left]) => left.length))
  return rows.map(([left, help]) => `  ${left.padEnd(width)}  ${help}`).join('\n')
}
