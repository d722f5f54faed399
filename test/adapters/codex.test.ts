/**
 * The codex adapter against the real `codex` binary, driven by the scripted model on loopback.
 */
import { spawnSync } from 'node:child_process'
import { mkdir, mkdtemp, readFile, readdir, readlink, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CodexCli, codexRunPaths, type CodexCliOptions } from '../../src/adapters/codex/run.js'
import type { CodexRunRequest, CodexRunResult } from '../../src/ports.js'
import { createCodexHome, type CodexHomeOptions } from '../../harness/codex-model/codex-home.js'
import {
  applyPatch,
  execCommand,
  finalJson,
  finalMessage,
  hang,
  httpError,
  startScriptedModel,
  toolCalls,
  toolOutput,
  userPrompt,
  type ScriptTurn,
  type ScriptedModel
} from '../../harness/codex-model/scripted-model.js'

const CODEX_PATH = fileURLToPath(new URL('../../node_modules/.bin/codex', import.meta.url))

const cleanups: Array<() => Promise<void>> = []
let scratch: string

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'codex-adapter-'))
})

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true })
})

interface Fixture {
  model: ScriptedModel
  codex: CodexCli
  cwd: string
  scratchDir: string
  run(request?: Partial<CodexRunRequest>): Promise<CodexRunResult>
}

/** A committed work tree, a scripted model, a CODEX_HOME pointing at it and the adapter. */
async function setUp(
  script: ScriptTurn[],
  options: {
    home?: Partial<CodexHomeOptions>
    env?: Record<string, string>
    cli?: Partial<CodexCliOptions>
  } = {}
): Promise<Fixture> {
  const root = await mkdtemp(join(scratch, 'run-'))
  const cwd = join(root, 'work')
  const scratchDir = join(root, 'scratch')
  await mkdir(cwd)
  await writeFile(join(cwd, 'greeting.txt'), 'hello\n')
  git(cwd, 'init', '-q', '-b', 'main')
  git(cwd, 'add', '-A')
  git(cwd, 'commit', '-q', '-m', 'initial')

  const model = await startScriptedModel(script)
  cleanups.push(() => model.close())
  const home = await createCodexHome({ modelUrl: model.url, ...options.home })
  cleanups.push(() => home.remove())
  const codex = new CodexCli({
    codexPath: CODEX_PATH,
    env: { ...home.env, ...options.env },
    scratchDir,
    killGraceMs: 2_000,
    ...options.cli
  })
  const run = (request: Partial<CodexRunRequest> = {}) =>
    codex.run({
      cwd,
      prompt: 'Do the task.',
      sandbox: 'workspace-write',
      timeoutMs: 30_000,
      ...request
    })
  return { model, codex, cwd, scratchDir, run }
}

function git(cwd: string, ...args: string[]): string {
  return gitWithEnv(cwd, {}, args)
}

function gitWithEnv(cwd: string, extraEnv: Record<string, string>, args: string[]): string {
  const result = spawnSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: cwd,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
      ...extraEnv
    }
  })
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`)
  return result.stdout
}

/** A hash of the whole work tree, untracked files included, through a throwaway index. */
async function treeHash(cwd: string): Promise<string> {
  const indexDir = await mkdtemp(join(scratch, 'index-'))
  const env = { GIT_INDEX_FILE: join(indexDir, 'index') }
  try {
    gitWithEnv(cwd, env, ['add', '-A'])
    return gitWithEnv(cwd, env, ['write-tree']).trim()
  } finally {
    await rm(indexDir, { recursive: true, force: true })
  }
}

/** Pids of processes whose working directory is inside `dir` (codex and the agent's shells). */
async function processesIn(dir: string): Promise<number[]> {
  const pids: number[] = []
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => null)
    const state = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '')
    const zombie = / [ZX] /.test(state.slice(state.lastIndexOf(')')))
    if (cwd !== null && !zombie && (cwd === dir || cwd.startsWith(`${dir}/`))) {
      pids.push(Number(entry))
    }
  }
  return pids
}

async function waitFor<T>(probe: () => Promise<T | null>, ms: number): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await probe()
    if (value !== null) return value
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH'
  }
}

const EDIT_GREETING = [
  '*** Begin Patch',
  '*** Update File: greeting.txt',
  '@@',
  '-hello',
  '+hello, world',
  '*** Add File: notes/added.txt',
  '+a new file',
  '*** End Patch',
  ''
].join('\n')

describe('CodexCli against the real codex binary', () => {
  test('a run that edits through apply_patch and runs exec_command succeeds and reports both', async () => {
    const { model, cwd, run } = await setUp([
      {
        kind: 'tools',
        calls: [applyPatch(EDIT_GREETING, { callId: 'call_patch' })],
        usage: { inputTokens: 1200, cachedInputTokens: 200, outputTokens: 30 }
      },
      {
        kind: 'tools',
        calls: [execCommand('cat greeting.txt', { callId: 'call_cat' })],
        usage: { inputTokens: 1500, cachedInputTokens: 1000, outputTokens: 12 }
      },
      {
        kind: 'final',
        text: 'Greeting updated.',
        usage: { inputTokens: 1700, cachedInputTokens: 1400, outputTokens: 8 }
      }
    ])

    const result = await run()

    expect(result.error).toBeNull()
    expect(result.outcome).toBe('succeeded')
    expect(result.finalMessage).toBe('Greeting updated.')
    expect(result.threadId).toMatch(/^[0-9a-f-]{36}$/)
    expect(result.filesChanged.sort()).toEqual(['greeting.txt', 'notes/added.txt'])
    expect(result.commands).toEqual([
      { command: expect.stringContaining('cat greeting.txt'), exitCode: 0 }
    ])
    expect(result.usage).toEqual({ inputTokens: 4400, cachedInputTokens: 2600, outputTokens: 50 })
    expect(await readFile(join(cwd, 'greeting.txt'), 'utf8')).toBe('hello, world\n')
    expect(await readFile(join(cwd, 'notes/added.txt'), 'utf8')).toBe('a new file\n')
    expect(toolOutput(model.requests[1]!, 'call_patch')).toContain('Success')
    expect(toolOutput(model.requests[2]!, 'call_cat')).toContain('hello, world')
    expect(result.eventLog.split('\n')[0]).toContain('"thread.started"')
    expect(result.durationMs).toBeGreaterThan(0)
  })

  test('tokens in the codex process environment never reach the agent shell', async () => {
    const secrets = {
      GITHUB_TOKEN: 'ghs_leak_github_token',
      GH_TOKEN: 'gho_leak_gh_token',
      ACTIONS_RUNTIME_TOKEN: 'leak_actions_runtime_token',
      ACTIONS_ID_TOKEN_REQUEST_URL: 'https://leak.example/oidc',
      RUNNER_TEMP: '/leak/runner/temp',
      OPENAI_API_KEY: 'sk-leak-openai-key',
      CODEX_API_KEY: 'sk-leak-codex-key',
      NPM_TOKEN: 'npm_leak_token',
      DEPLOY_KEY: 'leak-deploy-key',
      MY_CLIENT_SECRET_VALUE: 'leak-client-secret'
    }
    const { model, run } = await setUp(
      [toolCalls(execCommand('env', { callId: 'call_env' })), finalMessage('Listed.')],
      { env: secrets }
    )

    const result = await run()

    expect(result.outcome).toBe('succeeded')
    const shown = toolOutput(model.requests[1]!, 'call_env') ?? ''
    expect(shown).toMatch(/^PATH=/m)
    for (const [name, value] of Object.entries(secrets)) {
      expect(shown).not.toContain(name)
      expect(shown).not.toContain(value)
    }
  })

  test('in read-only mode scripted writes leave the work tree unchanged', async () => {
    const { model, cwd, run } = await setUp([
      toolCalls(applyPatch(EDIT_GREETING, { callId: 'call_patch' })),
      toolCalls(
        execCommand('echo overwritten > greeting.txt; echo new > created.txt', {
          callId: 'call_shell'
        })
      ),
      finalMessage('{"verdict":"approve"}')
    ])
    const before = await treeHash(cwd)

    const result = await run({ sandbox: 'read-only' })

    expect(result.outcome).toBe('succeeded')
    expect(await treeHash(cwd)).toBe(before)
    expect(git(cwd, 'status', '--porcelain')).toBe('')
    expect(await readFile(join(cwd, 'greeting.txt'), 'utf8')).toBe('hello\n')
    expect(result.filesChanged).toEqual([])
    expect(toolOutput(model.requests[1]!, 'call_patch')).toMatch(/rejected/i)
    expect(toolOutput(model.requests[2]!, 'call_shell')).toMatch(/read-only file system/i)
  })

  test('a hanging model is killed at the timeout and no codex process survives', async () => {
    const { model, cwd, run } = await setUp([
      toolCalls(execCommand('sleep 300', { callId: 'call_sleep' })),
      hang()
    ])

    const running = run({ timeoutMs: 8_000 })
    const seen = await waitFor(async () => {
      const pids = await processesIn(cwd)
      return pids.length >= 2 ? pids : null
    }, 7_000)
    const result = await running

    expect(result.outcome).toBe('timed-out')
    expect(result.error).toMatch(/^codex timed out after 8s and was killed/)
    expect(result.finalMessage).toBeNull()
    expect(model.requests.length).toBeGreaterThanOrEqual(1)
    expect(seen.filter(isAlive)).toEqual([])
    expect(await processesIn(cwd)).toEqual([])
  })

  test('a model that always answers 500 fails within a bounded time with a clear error', async () => {
    const { model, run } = await setUp([httpError(500, Infinity)], {
      home: { requestMaxRetries: 1, streamMaxRetries: 1 }
    })

    const result = await run({ timeoutMs: 120_000 })

    expect(result.outcome).toBe('failed')
    expect(result.durationMs).toBeLessThan(60_000)
    expect(result.error).toMatch(/^codex exited 1: \S/)
    expect(result.finalMessage).toBeNull()
    expect(model.requests.length).toBeGreaterThanOrEqual(2)
  })

  test('an unreachable model fails at once instead of reconnecting until the timeout', async () => {
    const { model, run } = await setUp([])
    await model.close()

    const result = await run({ timeoutMs: 20_000 })

    expect(result.outcome).toBe('failed')
    expect(result.error).toMatch(/^codex exited 1: .*connection failed/i)
    expect(result.durationMs).toBeLessThan(15_000)
  })

  test('a stale last-message file from an earlier run never passes for a result', async () => {
    const { cwd, scratchDir, run } = await setUp([httpError(500, Infinity)])
    const { lastMessageFile } = codexRunPaths(scratchDir, cwd)
    await mkdir(join(lastMessageFile, '..'), { recursive: true })
    await writeFile(lastMessageFile, '{"verdict":"approve"}')

    const result = await run()

    expect(result.outcome).toBe('failed')
    expect(result.finalMessage).toBeNull()
  })

  test('an exit 0 without a final message is a failure', async () => {
    const { run } = await setUp([finalMessage('')])

    const result = await run()

    expect(result.outcome).toBe('failed')
    expect(result.finalMessage).toBeNull()
    expect(result.error).toMatch(/^codex exited 0 but wrote no final message/)
  })

  test('a codex path that does not exist fails with an error naming it', async () => {
    const { run } = await setUp([], { cli: { codexPath: join(scratch, 'missing', 'codex') } })

    const result = await run()

    expect(result.outcome).toBe('failed')
    expect(result.error).toContain(join(scratch, 'missing', 'codex'))
    expect(result.error).toMatch(/could not be started/)
  })

  test('--output-schema reaches the model as the response format', async () => {
    const schema = {
      type: 'object',
      properties: { verdict: { type: 'string', enum: ['approve', 'request-changes'] } },
      required: ['verdict'],
      additionalProperties: false
    }
    const { model, run } = await setUp([finalJson({ verdict: 'approve' })])

    const result = await run({ sandbox: 'read-only', outputSchema: schema, ephemeral: true })

    expect(result.outcome).toBe('succeeded')
    expect(JSON.parse(result.finalMessage ?? '')).toEqual({ verdict: 'approve' })
    expect(model.requests[0]!.body?.text?.format).toMatchObject({ type: 'json_schema', schema })
  })

  test('the prompt arrives intact through stdin, even when it is a subcommand name', async () => {
    const { model, run } = await setUp([finalMessage('ok'), finalMessage('ok')])

    const plain = await run({ prompt: 'review' })
    const tricky = 'review\n--help "quoted" $HOME `date`\n- last line'
    const multiline = await run({ prompt: tricky })

    expect([plain.outcome, multiline.outcome]).toEqual(['succeeded', 'succeeded'])
    expect(userPrompt(model.requests[0]!)).toBe('review')
    expect(userPrompt(model.requests[1]!)).toBe(tricky)
  })
})
