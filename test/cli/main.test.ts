/**
 * The command line's surface: help on every command, bad flags and arguments refused with exit 2
 * and a message naming them, and `init` reached through the same entry. None of these start a
 * forge or codex.
 */
import { describe, expect, it } from '@jest/globals'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { main } from '../../src/cli/main.js'

async function run(args: string[], env: Record<string, string> = {}, cwd = tmpdir()) {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')))
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')))
  const code = await main(args, { cwd, env, stdout, stderr })
  return { code, out, err }
}

describe('codex-waves', () => {
  it('lists the commands with --help, and exits 2 without a command', async () => {
    const help = await run(['--help'])
    expect(help.code).toBe(0)
    for (const command of ['plan', 'run', 'status', 'init', 'demo']) {
      expect(help.out).toMatch(new RegExp(`^  ${command}\\s`, 'm'))
    }
    expect((await run([])).code).toBe(2)
  })

  it.each(['plan', 'run', 'status', 'demo', 'init'])('%s --help prints its usage', async name => {
    const { code, out, err } = await run([name, '--help'])
    expect(code).toBe(0)
    expect(err).toBe('')
    expect(out).toContain(`Usage: codex-waves ${name}`)
  })

  it('shows each flag of run with its value', async () => {
    const { out } = await run(['run', '--help'])
    expect(out).toMatch(/--concurrency <n>\s+groups worked on at once \(default 4\)/)
    expect(out).toMatch(/--confirm <plan-id>/)
    expect(out).not.toContain('--offline')
  })

  it('refuses an unknown command, an unknown flag and a missing value with exit 2', async () => {
    const unknown = await run(['deploy'])
    expect(unknown.code).toBe(2)
    expect(unknown.err).toContain("unknown command 'deploy'")
    const flag = await run(['run', '1', '--colour'])
    expect(flag.code).toBe(2)
    expect(flag.err).toContain("Unknown option '--colour'")
    expect(flag.err).toContain('Usage: codex-waves run')
    const missing = await run(['plan', '1', '--repo'])
    expect(missing.code).toBe(2)
    expect(missing.err).toContain("Option '--repo <value>' argument missing")
    const offline = await run(['run', '1', '--offline'])
    expect(offline.code).toBe(2)
  })

  it('refuses bad values before touching any forge', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['run', '12x', '0'], /'12x', '0' are not issue numbers/],
      [['run'], /no issue numbers/],
      [['run', '1', '--concurrency', '0'], /--concurrency: '0' is not a whole number from 1 to 64/],
      [['plan', '1', '--confirm', 'nope'], /--confirm: 'nope' is not a plan id/],
      [['run', '1', '--repo', 'just-a-name'], /--repo: 'just-a-name' is not 'owner\/name'/],
      [['run', '1', '--repo', 'octo/app'], /GITHUB_TOKEN is not set/],
      [['plan', '1', '--api-url', 'http://127.0.0.1:9'], /--api-url needs --repo/],
      [['status'], /status: pass --repo/],
      [['demo', '--repo', 'octo/app'], /demo: Unknown option '--repo'/],
      [['demo'], /codex has no credentials/]
    ]
    for (const [args, message] of cases) {
      const { code, err } = await run(args, { HOME: '/nonexistent-home' })
      expect({ args, code }).toEqual({ args, code: 2 })
      expect(err).toMatch(message)
    }
  })

  it('runs init through the same entry', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cli-init-'))
    try {
      const { code, out } = await run(['init', dir])
      expect(code).toBe(0)
      expect(out).toContain('created .github/codex-waves.yml')
      expect(await readdir(join(dir, '.github', 'workflows'))).not.toHaveLength(0)
      expect((await run(['init', '--nope'])).code).toBe(2)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
