/**
 * A whole wave through the `codex-waves` command line, over the sandbox forge, with the real codex
 * binary talking to the scripted model that plays the shipped demo playbook. Six issues: #1 and #5
 * change the same file (sequenced), #6 is an umbrella over them (skipped), #3 is approved at once,
 * #2 is approved after one correction, and on #4 codex fails. The same wave with 10% of the forge's
 * REST requests failing, and a wave whose command is killed mid-way and run again, end the same.
 */
import { afterAll, expect, test } from '@jest/globals'
import { spawn } from 'node:child_process'
import { mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { PassThrough } from 'node:stream'
import { createGitHubClient } from '../../src/adapters/github.js'
import { LEDGER_MARKER } from '../../src/ledger/index.js'
import { main } from '../../src/cli/main.js'
import { startOfflineCodex, type OfflineCodex } from '../../harness/demo/offline.js'
import { DEMO_EXTRA_ISSUES, DEMO_PLAYBOOK, DEMO_WAVE } from '../../harness/demo/playbook.js'
import {
  seedSampleRepo,
  startEmulator,
  type GitHubEmulator
} from '../../harness/github-emulator/index.js'

const WAVE_TIMEOUT_MS = 150_000

const ROOT = resolve(import.meta.dirname, '..', '..')
const CODEX_BIN = join(ROOT, 'node_modules', '.bin', 'codex')
const TSX_LOADER = join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')
const CLI_ENTRY = join(ROOT, 'src', 'cli', 'index.ts')

interface Setup {
  forge: GitHubEmulator
  repo: string
  model: OfflineCodex
  stateDir: string
  args: string[]
  env: Record<string, string>
}

const cleanups: Array<() => Promise<void>> = []

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
})

async function setUp(): Promise<Setup> {
  const forge = await startEmulator()
  const repo = await seedSampleRepo(forge)
  for (const issue of DEMO_EXTRA_ISSUES) forge.createIssue(repo, issue)
  const model = await startOfflineCodex(DEMO_PLAYBOOK)
  const stateDir = await mkdtemp(join(tmpdir(), 'full-wave-'))
  cleanups.push(async () => {
    await model.close()
    await forge.close()
    await rm(stateDir, { recursive: true, force: true })
  })
  const args = [
    'run',
    ...DEMO_WAVE.map(String),
    '--repo',
    `${forge.owner}/${repo}`,
    '--api-url',
    forge.apiUrl,
    '--pipeline-login',
    forge.userFor('write').login,
    '--state-dir',
    stateDir,
    '--codex',
    CODEX_BIN,
    '--ci',
    'node --test'
  ]
  const env = { ...model.env, GITHUB_TOKEN: forge.tokens.write }
  return { forge, repo, model, stateDir, args, env }
}

/** Runs the command line in this process; returns its exit code and what it printed. */
async function runInProcess(setup: Setup): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')))
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')))
  const code = await main(setup.args, { cwd: setup.stateDir, env: setup.env, stdout, stderr })
  return { code, out, err }
}

/** Everything the wave left on the forge, read with the admin token. */
async function forgeState(setup: Setup) {
  const { octokit } = createGitHubClient({
    token: setup.forge.tokens.admin,
    baseUrl: setup.forge.apiUrl
  })
  const where = { owner: setup.forge.owner, repo: setup.repo }
  const pulls = await octokit.paginate(octokit.rest.pulls.list, {
    ...where,
    state: 'all',
    per_page: 100
  })
  const issues = await octokit.paginate(octokit.rest.issues.listForRepo, {
    ...where,
    state: 'all',
    per_page: 100
  })
  const { data: refs } = await octokit.rest.git.listMatchingRefs({ ...where, ref: 'heads/' })
  const branches = refs.map(ref => ref.ref.replace('refs/heads/', ''))
  const comments = new Map<number, string[]>()
  for (const issue of issues) {
    const list = await octokit.paginate(octokit.rest.issues.listComments, {
      ...where,
      issue_number: issue.number,
      per_page: 100
    })
    comments.set(
      issue.number,
      list.map(comment => comment.body ?? '')
    )
  }
  return {
    pulls,
    open: new Map(
      issues.filter(issue => !issue.pull_request).map(issue => [issue.number, issue.state])
    ),
    branches,
    comments
  }
}

/** The marker (first hidden HTML comment) of each comment, for finding duplicates. */
function markerOf(body: string): string {
  return /<!--[\s\S]*?-->/.exec(body)?.[0] ?? body
}

async function expectFinalState(setup: Setup): Promise<void> {
  const state = await forgeState(setup)
  const byHead = new Map<string, number>()
  for (const pull of state.pulls) byHead.set(pull.head.ref, (byHead.get(pull.head.ref) ?? 0) + 1)
  expect([...byHead.values()].every(count => count === 1)).toBe(true)
  const merged = state.pulls.filter(pull => pull.merged_at !== null)
  const closing = (pull: (typeof state.pulls)[number]) =>
    [...(pull.body ?? '').matchAll(/Closes #(\d+)/g)].map(match => Number(match[1])).sort()
  expect(merged.map(closing).flat().sort()).toEqual([1, 2, 3, 5])
  expect(state.pulls).toHaveLength(4)
  expect(state.open.get(1)).toBe('closed')
  expect(state.open.get(2)).toBe('closed')
  expect(state.open.get(3)).toBe('closed')
  expect(state.open.get(5)).toBe('closed')
  expect(state.open.get(4)).toBe('open')
  expect(state.open.get(6)).toBe('open')
  expect(state.branches).toEqual(['main'])
  for (const [number, bodies] of state.comments) {
    const markers = bodies.map(markerOf)
    expect({
      number,
      duplicates: markers.filter((marker, index) => markers.indexOf(marker) !== index)
    }).toEqual({
      number,
      duplicates: []
    })
  }
  for (const pull of merged) {
    expect(
      state.comments.get(pull.number)?.filter(body => body.includes(LEDGER_MARKER))
    ).toHaveLength(1)
  }
}

function expectReport(out: string): void {
  expect(out).toMatch(
    /g4\s+#4\s+failed\s+—\s+Group "g4" \(#4\) failed: the codex run failed: codex exited 1: .*fails this run on purpose/
  )
  expect(out).toMatch(/#6\s+skipped \(umbrella\)/)
  expect(out).toContain('Success criteria: all met')
  expect(out).not.toContain('✗')
}

test(
  'a wave of six issues ends with the right PRs merged, issues closed, branches deleted and the failure reported',
  async () => {
    const setup = await setUp()
    const { code, out, err } = await runInProcess(setup)
    expect(err).toBe('')
    expect(code).toBe(1)
    expectReport(out)
    expect(out).toMatch(/g2\s+#2\s+merged\s+#\d+/)
    await expectFinalState(setup)
    const report = await readFile(
      join(setup.stateDir, `${setup.forge.owner}--${setup.repo}`, 'report.md'),
      'utf8'
    )
    expect(report).toContain('every criterion met')
    const corrections = [...(await forgeState(setup)).comments.values()]
      .flat()
      .filter(body => /correction/i.test(markerOf(body)))
    expect(corrections.length).toBeGreaterThanOrEqual(1)
  },
  WAVE_TIMEOUT_MS
)

test(
  'the same wave with 10% of forge requests failing (5xx and secondary rate limits) ends the same',
  async () => {
    const setup = await setUp()
    setup.forge.faults.reseed(7)
    setup.forge.injectFault({ kind: 'error', status: 502, probability: 0.05 })
    setup.forge.injectFault({
      kind: 'secondary-rate-limit',
      probability: 0.05,
      retryAfterSeconds: 1
    })
    const { code, out } = await runInProcess(setup)
    const faulted = setup.forge.requests().filter(entry => entry.fault !== null)
    setup.forge.faults.clear()
    expect(faulted.length).toBeGreaterThan(10)
    expect(code).toBe(1)
    expectReport(out)
    await expectFinalState(setup)
  },
  WAVE_TIMEOUT_MS
)

test(
  'a wave killed mid-way and run again finishes with nothing duplicated',
  async () => {
    const setup = await setUp()
    const args = [...setup.args, '--concurrency', '1']
    const child = spawn(process.execPath, ['--import', TSX_LOADER, CLI_ENTRY, ...args], {
      cwd: setup.stateDir,
      env: setup.env,
      stdio: 'ignore'
    })
    const exited = new Promise<void>(done => child.once('exit', () => done()))
    // Killed once the first group's dispatch artifact is written: its pull request is open, and
    // its ledger is written or about to be (the re-run writes it from the artifact's record).
    const artifacts = join(setup.stateDir, `${setup.forge.owner}--${setup.repo}`, 'artifacts')
    const implemented = async () => {
      const runs = await readdir(artifacts).catch(() => [] as string[])
      for (const run of runs) {
        const names = await readdir(join(artifacts, run)).catch(() => [] as string[])
        if (names.some(name => name.startsWith('waves-dispatch-'))) return true
      }
      return false
    }
    const deadline = Date.now() + 120_000
    while (!(await implemented())) {
      if (Date.now() > deadline) throw new Error('the first group was never implemented')
      await new Promise(done => setTimeout(done, 100))
    }
    child.kill('SIGKILL')
    await exited
    const pullsBefore = (await forgeState(setup)).pulls
    expect(pullsBefore.length).toBeGreaterThanOrEqual(1)
    expect(pullsBefore.filter(pull => pull.merged_at !== null)).toHaveLength(0)
    // The killed command's codex run (a read-only reviewer) finishes against the model on its own.
    let seen = -1
    while (seen !== setup.model.requests.length) {
      seen = setup.model.requests.length
      await new Promise(done => setTimeout(done, 1500))
    }
    // Re-planned, the open PR's issue is in flight and overlaps the issue sequenced after it: the
    // plan asks for a confirmation, and the run goes on once it is given, as a person would.
    const again = await runInProcess({ ...setup, args })
    expect(again.code).toBe(3)
    const planId = /--confirm ([0-9a-f]{12})/.exec(again.out)?.[1] as string
    expect(planId).toBeDefined()
    const { code, out, err } = await runInProcess({
      ...setup,
      args: [...args, '--confirm', planId]
    })
    expect(err).toBe('')
    expect(code).toBe(1)
    expectReport(out)
    await expectFinalState(setup)
  },
  2 * WAVE_TIMEOUT_MS
)

test(
  'a pull request whose ledger was never written is finished by the next run from its dispatch record',
  async () => {
    const setup = await setUp()
    const args = ['run', '3', ...setup.args.slice(1 + DEMO_WAVE.length)]
    // The implement run opens the PR and uploads its dispatch artifact; writing the ledger fails.
    setup.forge.injectFault({
      kind: 'error',
      status: 422,
      route: 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
      times: 1
    })
    const first = await runInProcess({ ...setup, args })
    expect(first.code).toBe(1)
    expect(first.out).toMatch(/g3\s+#3\s+failed\s+.*commenting on #7 failed \(422\)/)
    const interrupted = await forgeState(setup)
    expect(interrupted.pulls.map(pull => pull.state)).toEqual(['open'])
    expect(interrupted.comments.get(7)?.filter(body => body.includes(LEDGER_MARKER))).toEqual([])

    // Without the dispatch record the wave cannot tell what the PR holds: it says so and stops.
    const artifacts = join(setup.stateDir, `${setup.forge.owner}--${setup.repo}`, 'artifacts')
    await rename(artifacts, `${artifacts}.saved`)
    const unknown = await runInProcess({ ...setup, args })
    expect(unknown.code).toBe(1)
    expect(unknown.out).toMatch(
      /\s+#3\s+blocked\s+#7\s+PR #7 carries the pipeline's label but has no ledger/
    )
    expect(unknown.out).toContain('PR #7: no trusted ledger, so no approval')
    await rm(artifacts, { recursive: true })
    await rename(`${artifacts}.saved`, artifacts)

    const { code, out, err } = await runInProcess({ ...setup, args })
    expect(err).toBe('')
    expect(out).toMatch(/g3\s+#3\s+merged\s+#7/)
    expect(out).toContain('Success criteria: all met')
    expect(code).toBe(0)
    const state = await forgeState(setup)
    expect(state.pulls).toHaveLength(1)
    expect(state.pulls[0]?.merged_at).not.toBeNull()
    expect(state.open.get(3)).toBe('closed')
    const ledgers = state.comments.get(7)?.filter(body => body.includes(LEDGER_MARKER)) ?? []
    expect(ledgers).toHaveLength(1)
    // The ledger names the interrupted run's dispatch artifact, which the review read.
    expect(ledgers[0]).toContain('waves-dispatch-g3-1')
  },
  WAVE_TIMEOUT_MS
)
