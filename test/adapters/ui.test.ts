import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { PassThrough } from 'node:stream'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { looksLikeWorkflowCommand, TerminalUi } from '../../src/adapters/ui.js'

const run = promisify(execFile)
const repoRoot = resolve(import.meta.dirname, '..', '..')

let scratch: string

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'waves-ui-test-'))
})
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true })
})

function terminal(options: { verbose?: boolean; summaryFile?: string } = {}) {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  const ui = new TerminalUi(stdout, stderr, options)
  const text = (stream: PassThrough) => () =>
    (stream.read() as Buffer | null)?.toString('utf8') ?? ''
  return { ui, out: text(stdout), err: text(stderr) }
}

describe('TerminalUi', () => {
  it('prints info and notices on stdout and prefixed warnings and errors with their place on stderr', () => {
    const { ui, out, err } = terminal()

    ui.info('planning 3 issues')
    ui.notice('octo may not start a wave')
    ui.warning('branch is behind', { file: 'src/a.ts', line: 12, title: 'Stale' })
    ui.error('codex timed out')

    expect(out()).toBe('planning 3 issues\nnotice: octo may not start a wave\n')
    expect(err()).toBe('warning: Stale: branch is behind (src/a.ts:12)\nerror: codex timed out\n')
  })

  it('prints debug lines only when verbose', () => {
    const quiet = terminal()
    const verbose = terminal({ verbose: true })

    quiet.ui.debug('request GET /repos')
    verbose.ui.debug('request GET /repos')

    expect(quiet.out()).toBe('')
    expect(verbose.out()).toBe('debug: request GET /repos\n')
  })

  it('indents what runs inside a group, nested groups deeper, and returns the body result', async () => {
    const { ui, out, err } = terminal()

    const result = await ui.group('codex run #12', async () => {
      ui.info('$ npm test\nok')
      await ui.group('files changed', async () => ui.warning('src/x.ts'))
      return 42
    })
    ui.info('after')

    expect(result).toBe(42)
    expect(out()).toBe('▸ codex run #12\n  $ npm test\n  ok\n  ▸ files changed\nafter\n')
    expect(err()).toBe('    warning: src/x.ts\n')
  })

  it('does not let concurrent groups indent each other', async () => {
    const { ui, out } = terminal()
    let releaseFirst = () => {}
    const firstMayEnd = new Promise<void>(resolve => (releaseFirst = resolve))

    await Promise.all([
      ui.group('one', async () => {
        await firstMayEnd
        ui.info('in one')
      }),
      ui.group('two', async () => {
        ui.info('in two')
        releaseFirst()
      })
    ])

    expect(out()).toBe('▸ one\n▸ two\n  in two\n  in one\n')
  })

  it('collects outputs and the summary, appending the summary to a file when given', async () => {
    const summaryFile = join(scratch, 'summary.md')
    await writeFile(summaryFile, '# Earlier\n')
    const { ui } = terminal({ summaryFile })

    ui.setOutput('verdict', 'approved')
    ui.setOutput('next', 'merge')
    ui.setOutput('verdict', 'changes_requested')
    await Promise.all([ui.appendSummary('## Review'), ui.appendSummary('| a | b |\n')])

    expect(Object.fromEntries(ui.outputs)).toEqual({ verdict: 'changes_requested', next: 'merge' })
    expect(ui.summaryMarkdown).toBe('## Review\n| a | b |\n')
    expect(await readFile(summaryFile, 'utf8')).toBe('# Earlier\n## Review\n| a | b |\n')
  })
})

describe('looksLikeWorkflowCommand', () => {
  it.each([
    ['::set-output name=x::y', true],
    ['title\n  ::warning::forged', true],
    ['legacy ##[set-output name=x;]y', true],
    ['a :: b', false],
    ['plain text', false]
  ])('%j → %s', (text, expected) => {
    expect(looksLikeWorkflowCommand(text)).toBe(expected)
  })
})

describe('ActionsUi (in a child process, as the runner runs an action)', () => {
  const script = `
import { ActionsUi } from ${JSON.stringify(join(repoRoot, 'src/adapters/ui.ts'))}
const ui = new ActionsUi()
ui.info('hello from the action')
ui.info('issue title\\n::set-output name=verdict::approved')
ui.notice('octo has read access: nothing was done')
ui.warning('branch is behind base', { file: 'src/a.ts', line: 7, title: 'Stale branch' })
ui.error('codex failed: 100%\\ndone')
ui.debug('details')
const value = await ui.group('codex run', async () => {
  ui.info('inside')
  return ui.group('nested', async () => 'body result')
})
ui.info('group returned ' + value)
ui.setOutput('verdict', 'changes_requested')
ui.setOutput('plan', JSON.stringify({ a: [1, 2] }))
await Promise.all([ui.appendSummary('## Review'), ui.appendSummary('| x |')])
`

  it('writes outputs, summary, annotations and groups the way the runner reads them', async () => {
    const scriptFile = join(scratch, 'actions-ui.mts')
    const outputFile = join(scratch, 'output.txt')
    const summaryFile = join(scratch, 'step-summary.md')
    await writeFile(scriptFile, script)
    await writeFile(outputFile, '')
    await writeFile(summaryFile, '')

    const { stdout } = await run(join(repoRoot, 'node_modules/.bin/tsx'), [scriptFile], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        GITHUB_OUTPUT: outputFile,
        GITHUB_STEP_SUMMARY: summaryFile
      },
      timeout: 60_000
    })
    const lines = stdout.split('\n')

    expect(lines).toContain('hello from the action')
    expect(lines).toContain(
      '::warning title=Stale branch,file=src/a.ts,line=7::branch is behind base'
    )
    expect(lines).toContain('::notice::octo has read access: nothing was done')
    expect(lines).toContain('::error::codex failed: 100%25%0Adone')
    expect(lines).toContain('::debug::details')
    const forged = lines.indexOf('::set-output name=verdict::approved')
    expect(forged).toBeGreaterThan(1)
    const stop = /^::stop-commands::(waves-[0-9a-f]{32})$/.exec(lines[forged - 2] ?? '')
    expect(stop).not.toBeNull()
    expect(lines[forged + 1]).toBe(`::${stop![1]}::`)
    const groupStart = lines.indexOf('::group::codex run')
    expect(lines.slice(groupStart, groupStart + 4)).toEqual([
      '::group::codex run',
      'inside',
      '▸ nested',
      '::endgroup::'
    ])
    expect(lines).toContain('group returned body result')
    expect(lines.filter(line => line.startsWith('::group::'))).toHaveLength(1)

    const outputs = await readFile(outputFile, 'utf8')
    expect(outputs).toMatch(/^verdict<<(ghadelimiter_[\w-]+)\nchanges_requested\n\1\n/)
    expect(outputs).toMatch(/plan<<(ghadelimiter_[\w-]+)\n\{"a":\[1,2\]\}\n\1\n/)
    expect(outputs).not.toMatch(/approved\n/)
    expect(await readFile(summaryFile, 'utf8')).toBe('## Review\n| x |\n')
  })
})
