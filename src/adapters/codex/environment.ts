/**
 * The environment of the codex process: what codex itself needs (its home, credentials, proxy,
 * locale), and nothing of the job's (tokens, inputs, runner internals).
 */

/** Variables passed to codex when present. */
const CODEX_VARIABLES = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LC_ALL',
  'TERM',
  'TMPDIR',
  'CODEX_HOME',
  'OPENAI_API_KEY',
  'CODEX_API_KEY',
  'OPENAI_BASE_URL',
  'HTTPS_PROXY',
  'HTTP_PROXY',
  'NO_PROXY',
  'https_proxy',
  'http_proxy',
  'no_proxy',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR'
] as const

/**
 * Picks the variables codex needs from a job's environment. The API keys reach codex, which keeps
 * them out of the agent's shell through its shell environment policy.
 */
export function codexEnvironment(
  env: Readonly<Record<string, string | undefined>>
): Record<string, string> {
  const picked: Record<string, string> = {}
  for (const name of CODEX_VARIABLES) {
    const value = env[name]
    if (value !== undefined && value !== '') picked[name] = value
  }
  return picked
}
