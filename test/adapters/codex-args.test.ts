import { ENFORCED_CONFIG, buildCodexArgs } from '../../src/adapters/codex/args.js'
import type { CodexRunRequest } from '../../src/ports.js'

const REQUEST: CodexRunRequest = {
  cwd: '/srv/checkout',
  prompt: 'review',
  sandbox: 'workspace-write',
  timeoutMs: 60_000
}

/** The `--config` values, in order, as `key=value` strings. */
function configOverrides(args: readonly string[]): string[] {
  return args.flatMap((arg, index) => (args[index - 1] === '--config' ? [arg] : []))
}

function valueAfter(args: readonly string[], flag: string): string | undefined {
  const index = args.indexOf(flag)
  return index === -1 ? undefined : args[index + 1]
}

describe('buildCodexArgs', () => {
  test('reads the prompt from stdin and never puts it on the command line', () => {
    const args = buildCodexArgs(REQUEST, { lastMessageFile: '/s/last.txt' })

    expect(args[0]).toBe('exec')
    expect(args.at(-1)).toBe('-')
    expect(args).not.toContain('review')
    expect(args).toContain('--json')
    expect(valueAfter(args, '--output-last-message')).toBe('/s/last.txt')
    expect(valueAfter(args, '--sandbox')).toBe('workspace-write')
    expect(valueAfter(args, '--disable')).toBe('unbounded_connection_retries')
  })

  test('passes the schema file, model and ephemeral only when asked', () => {
    const plain = buildCodexArgs(REQUEST, { lastMessageFile: '/s/last.txt' })
    const reviewer = buildCodexArgs(
      { ...REQUEST, sandbox: 'read-only', model: 'gpt-5.5', ephemeral: true },
      { lastMessageFile: '/s/last.txt', outputSchemaFile: '/s/schema.json' }
    )

    expect(plain).not.toContain('--output-schema')
    expect(plain).not.toContain('--model')
    expect(plain).not.toContain('--ephemeral')
    expect(valueAfter(reviewer, '--output-schema')).toBe('/s/schema.json')
    expect(valueAfter(reviewer, '--model')).toBe('gpt-5.5')
    expect(valueAfter(reviewer, '--sandbox')).toBe('read-only')
    expect(reviewer).toContain('--ephemeral')
  })

  test('keeps tokens out of the agent shell and /tmp out of the writable roots', () => {
    const overrides = configOverrides(buildCodexArgs(REQUEST, { lastMessageFile: '/s/l' }))

    expect(overrides).toEqual(
      expect.arrayContaining([
        'shell_environment_policy.inherit="core"',
        'shell_environment_policy.ignore_default_excludes=false',
        'shell_environment_policy.exclude=["GITHUB_*", "GH_*", "ACTIONS_*", "RUNNER_*", "OPENAI_API_KEY", "CODEX_API_KEY", "*_TOKEN", "*_KEY", "*SECRET*"]',
        'sandbox_workspace_write.exclude_slash_tmp=true',
        'sandbox_workspace_write.exclude_tmpdir_env_var=true'
      ])
    )
  })

  test('adds the request overrides, which cannot replace the enforced ones', () => {
    const overrides = configOverrides(
      buildCodexArgs(
        {
          ...REQUEST,
          config: {
            project_doc_max_bytes: '0',
            'shell_environment_policy.inherit': '"all"'
          }
        },
        { lastMessageFile: '/s/l' }
      )
    )

    expect(overrides).toContain('project_doc_max_bytes=0')
    expect(overrides).toContain('shell_environment_policy.inherit="core"')
    expect(overrides).not.toContain('shell_environment_policy.inherit="all"')
    expect(overrides).toHaveLength(Object.keys(ENFORCED_CONFIG).length + 1)
  })
})
