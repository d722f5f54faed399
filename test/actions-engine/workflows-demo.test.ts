/**
 * `npm run demo -- --workflows`: the committed command line bundle runs the demo wave through the
 * workflows `codex-waves init` writes, on the Actions engine, offline, and ends with merged pull
 * requests and the wave report.
 */
import { expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '..', '..')

/** About a minute unloaded. */
const DEMO_MS = 5 * 60_000

function runDemo(home: string): Promise<{ code: number | null; out: string }> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      [join(ROOT, 'cli', 'dist', 'index.js'), 'demo', '--offline', '--workflows'],
      {
        cwd: home,
        env: { PATH: process.env.PATH ?? '', HOME: home, LANG: 'C.UTF-8' },
        stdio: ['ignore', 'pipe', 'pipe']
      }
    )
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')))
    child.on('error', fail)
    child.on('close', code => done({ code, out }))
  })
}

it(
  'runs the demo wave through the workflow files and ends with merged pull requests',
  async () => {
    const home = await mkdtemp(join(tmpdir(), 'workflows-demo-'))
    try {
      const { code, out } = await runDemo(home)
      expect(out).toMatch(/▶ codex-waves-dispatch #1 \(workflow_dispatch, run \d+\) started/)
      expect(out).toMatch(/✓ codex-waves-review #\d+ \(workflow_run\.completed, run \d+\) success/)
      expect(out).toMatch(/## Wave report/)
      const merged = /^Merged: (.*)$/m.exec(out)?.[1] ?? ''
      expect(merged).toMatch(/^#\d+( #\d+)+$/)
      // The demo fails one group on purpose, so the wave is honestly reported as not all met.
      expect(code).toBe(1)
    } finally {
      await rm(home, { recursive: true, force: true })
    }
  },
  DEMO_MS
)
