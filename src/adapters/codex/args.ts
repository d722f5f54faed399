/**
 * The command line of one `codex exec` run. Pure: no I/O.
 */
import type { CodexRunRequest } from '../../ports.js'

/**
 * Variables kept out of the agent's shell, as case-insensitive wildcard patterns. Codex's own
 * default excludes (`*KEY*`, `*SECRET*`, `*TOKEN*`) apply too, since `ignore_default_excludes`
 * is false; these are listed anyway so the policy does not rest on a default.
 */
export const SHELL_ENV_EXCLUDES: readonly string[] = [
  'GITHUB_*',
  'GH_*',
  'ACTIONS_*',
  'RUNNER_*',
  'OPENAI_API_KEY',
  'CODEX_API_KEY',
  '*_TOKEN',
  '*_KEY',
  '*SECRET*'
]

/**
 * The `-c` overrides every run gets, applied after the request's own so a request cannot undo
 * them: the agent's shell starts from the core variables (HOME, PATH, USER, ...) minus anything
 * secret, and `/tmp` (literal and `$TMPDIR`) is not writable in `workspace-write`.
 */
export const ENFORCED_CONFIG: Readonly<Record<string, string>> = {
  'shell_environment_policy.inherit': tomlString('core'),
  'shell_environment_policy.ignore_default_excludes': 'false',
  'shell_environment_policy.exclude': tomlStringArray(SHELL_ENV_EXCLUDES),
  'sandbox_workspace_write.exclude_slash_tmp': 'true',
  'sandbox_workspace_write.exclude_tmpdir_env_var': 'true'
}

/** Where a run's files live: codex writes the last message to one and reads the schema from the other. */
export interface CodexRunPaths {
  lastMessageFile: string
  outputSchemaFile?: string
}

/**
 * The arguments after the codex binary for one run. The prompt is never among them: `-` makes
 * codex read it from stdin (a prompt such as `review` would otherwise parse as a subcommand).
 */
export function buildCodexArgs(request: CodexRunRequest, paths: CodexRunPaths): string[] {
  const args = ['exec', '--json', '--color', 'never', '--skip-git-repo-check']
  args.push('--sandbox', request.sandbox)
  args.push('--output-last-message', paths.lastMessageFile)
  if (paths.outputSchemaFile !== undefined) args.push('--output-schema', paths.outputSchemaFile)
  if (request.model !== undefined) args.push('--model', request.model)
  if (request.ephemeral === true) args.push('--ephemeral')
  // Without this, a refused connection is retried forever and only the timeout ends the run.
  args.push('--disable', 'unbounded_connection_retries')
  for (const [key, value] of Object.entries({ ...request.config, ...ENFORCED_CONFIG })) {
    args.push('--config', `${key}=${value}`)
  }
  args.push('-')
  return args
}

/** A TOML basic string; JSON string escapes are valid TOML escapes. */
function tomlString(value: string): string {
  return JSON.stringify(value)
}

function tomlStringArray(values: readonly string[]): string {
  return `[${values.map(tomlString).join(', ')}]`
}
