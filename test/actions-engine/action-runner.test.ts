import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import {
  UNREACHABLE_URL,
  inputVariableName,
  parseKeyValueFile,
  parseWorkflowCommands,
  runAction,
  unescapeCommandValue
} from '../../harness/actions-engine/action-runner.js'

const fixtures = resolve('test/fixtures/actions')

describe('runAction', () => {
  let workspace: string

  beforeAll(async () => {
    workspace = await realpath(await mkdtemp(join(tmpdir(), 'action-workspace-')))
  })

  afterAll(async () => {
    await rm(workspace, { recursive: true, force: true })
  })

  it('runs an action with inputs and context and reads back everything it reported', async () => {
    const parentOutput = process.env.GITHUB_OUTPUT
    process.env.GITHUB_OUTPUT = '/nonexistent/parent-output'
    process.env.INPUT_LEAK = 'from the test process'
    let result
    try {
      result = await runAction({
        entry: join(fixtures, 'report.mjs'),
        actionYml: join(fixtures, 'action.yml'),
        inputs: { who: 'world' },
        event: { name: 'issues', payload: { action: 'labeled', issue: { number: 12 } } },
        repository: 'acme/widgets',
        apiUrl: 'http://127.0.0.1:1234/api/v3',
        runId: 4242,
        runAttempt: 2,
        sha: 'a'.repeat(40),
        ref: 'refs/heads/feature',
        workspace,
        token: 'ghs_fixture',
        env: { EXTRA_SETTING: 'extra' }
      })
    } finally {
      if (parentOutput === undefined) delete process.env.GITHUB_OUTPUT
      else process.env.GITHUB_OUTPUT = parentOutput
      delete process.env.INPUT_LEAK
    }

    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(0)
    expect(result.timedOut).toBe(false)
    expect(result.outputs).toMatchObject({
      greeting: 'hello world',
      spaced: 'spaced default',
      hyphenated: '3',
      'token-input': 'ghs_fixture',
      multiline: 'first line\nsecond line\n\nfourth = has <<EOF and equals'
    })
    expect(JSON.parse(result.outputs.context ?? '')).toEqual({
      eventName: 'issues',
      issueNumber: 12,
      action: 'labeled',
      repo: { owner: 'acme', repo: 'widgets' },
      apiUrl: 'http://127.0.0.1:1234/api/v3',
      serverUrl: UNREACHABLE_URL,
      runId: 4242,
      runAttempt: 2,
      sha: 'a'.repeat(40),
      ref: 'refs/heads/feature',
      actor: 'octocat',
      workspace,
      cwd: workspace,
      runnerTemp: result.runnerTemp,
      runnerOs: 'Linux',
      token: 'ghs_fixture',
      leakedInput: null,
      extra: 'extra'
    })

    expect(result.summary).toContain('<h2>Wave report</h2>')
    expect(result.summary).toContain('<th>Issue</th>')
    expect(result.summary).toContain('<td>merged</td>')

    expect(result.annotations).toEqual([
      {
        level: 'error',
        message: 'Broken: a, b: c 100%\nsecond line',
        title: 'Bad: thing, here',
        file: 'src/a b.ts',
        line: 3,
        endLine: 4,
        col: 2
      },
      { level: 'warning', message: 'careful' },
      { level: 'notice', message: 'for your information', title: 'FYI' }
    ])
    expect(result.groups).toEqual([
      { title: 'Preparing the wave', lines: ['inside the group', '::not-a-command'] }
    ])
    expect(result.stdout).toContain('after the group')
    expect(result.debug).toEqual(['debug detail'])
    expect(result.masks).toEqual(['s3cr3t-value'])
    expect(result.state).toEqual({ phase: 'planned' })
    expect(result.exportedEnv).toEqual({ EXPORTED_FLAG: 'on' })
    expect(result.addedPaths).toEqual(['/opt/fixture/bin'])
    expect(result.durationMs).toBeGreaterThan(0)
    expect(existsSync(result.runnerTemp)).toBe(false)
  })

  it('sets no GITHUB_TOKEN unless given, and points URLs at a closed loopback port', async () => {
    const result = await runAction({
      entry: join(fixtures, 'report.mjs'),
      inputs: { who: 'nobody' }
    })
    expect(result.exitCode).toBe(0)
    const context = JSON.parse(result.outputs.context ?? '')
    expect(context).toMatchObject({
      token: null,
      apiUrl: UNREACHABLE_URL,
      eventName: 'workflow_dispatch',
      runId: 1000
    })
    expect(result.outputs['token-input']).toBe('')
  })

  it('reports a failure from core.setFailed with exit code 1 and an error annotation', async () => {
    const result = await runAction({ entry: join(fixtures, 'fail.mjs'), keepFiles: true })
    try {
      expect(result.exitCode).toBe(1)
      expect(result.outputs).toEqual({ partial: 'yes' })
      expect(result.annotations).toEqual([
        {
          level: 'error',
          message: "Input 'issues': '12x' is not an issue number.\nUse numbers separated by commas."
        }
      ])
      expect(existsSync(result.runnerTemp)).toBe(true)
    } finally {
      await rm(join(result.runnerTemp, '..'), { recursive: true, force: true })
    }
  })

  it('kills an action that outlives its timeout, with the processes it started', async () => {
    const result = await runAction({ entry: join(fixtures, 'hang.mjs'), timeoutMs: 6000 })
    expect(result.timedOut).toBe(true)
    expect(result.signal).toBe('SIGTERM')
    expect(result.durationMs).toBeLessThan(30_000)
    const childPid = Number(result.outputs['child-pid'])
    expect(childPid).toBeGreaterThan(0)
    await waitFor(() => !isAlive(childPid), 10_000)
    expect(isAlive(childPid)).toBe(false)
  })

  it('refuses an input default expression it cannot evaluate', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'action-yml-'))
    try {
      const actionYml = join(dir, 'action.yml')
      await writeFile(actionYml, 'inputs:\n  ref:\n    default: ${{ github.ref }}\n')
      await expect(runAction({ entry: join(fixtures, 'report.mjs'), actionYml })).rejects.toThrow(
        /input 'ref' is "\$\{\{ github\.ref \}\}"/
      )
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('parsers', () => {
  it('spells input variables as the runner does', () => {
    expect(inputVariableName('multi word name')).toBe('INPUT_MULTI_WORD_NAME')
    expect(inputVariableName('max-cycles')).toBe('INPUT_MAX-CYCLES')
  })

  it('reads name=value lines and delimited blocks, and refuses an unclosed block', () => {
    const text = 'plain=a=b\nblock<<END\nx\n\ny=z\nEND\nempty<<D\n\nD\n'
    expect(parseKeyValueFile(text, 'GITHUB_OUTPUT')).toEqual({
      plain: 'a=b',
      block: 'x\n\ny=z',
      empty: ''
    })
    expect(() => parseKeyValueFile('open<<END\nvalue\n', 'GITHUB_OUTPUT')).toThrow(
      /GITHUB_OUTPUT: the value of 'open' is not closed by its delimiter 'END'/
    )
  })

  it('undoes escaping in one pass and honours stop-commands', () => {
    expect(unescapeCommandValue('100%250A')).toBe('100%0A')
    expect(unescapeCommandValue('a%3Ab%2Cc', true)).toBe('a:b,c')
    expect(unescapeCommandValue('a%3Ab')).toBe('a%3Ab')
    const log = [
      '::warning::before',
      '::stop-commands::pause-1',
      '::error::printed, not a command',
      '::pause-1::',
      '::notice file=a.ts,line=7::after'
    ].join('\n')
    expect(parseWorkflowCommands(log).annotations).toEqual([
      { level: 'warning', message: 'before' },
      { level: 'notice', message: 'after', file: 'a.ts', line: 7 }
    ])
  })
})

/** Whether a process exists and is not a zombie waiting to be reaped. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return false
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition() && Date.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}
