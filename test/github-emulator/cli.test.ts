import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { client, gitOk, remoteWithToken, tempDir, waitFor } from './helpers.js'

interface SandboxLine {
  apiUrl: string
  gitUrl: string
  owner: string
  repo: string
  tokens: { admin: string; write: string; read: string; actions: string }
}

let child: ChildProcess | null = null
let stdout = ''
let ownTmp: { path: string; remove: () => Promise<void> }
let work: { path: string; remove: () => Promise<void> }

function jsonLines(text: string): unknown[] {
  return text
    .split('\n')
    .filter(line => line.trim().startsWith('{'))
    .map(line => JSON.parse(line) as unknown)
}

beforeAll(async () => {
  ownTmp = await tempDir('forge-cli-tmp-')
  work = await tempDir('forge-cli-work-')
  // its own process group, so the whole npm → tsx → node chain can be stopped by the group's id
  child = spawn('npm', ['run', 'sandbox'], {
    cwd: process.cwd(),
    env: { ...process.env, TMPDIR: ownTmp.path },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true
  })
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
  child.stderr!.resume()
})

afterAll(async () => {
  if (child?.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL')
  await work.remove()
  await ownTmp.remove()
})

describe('npm run sandbox', () => {
  let line: SandboxLine

  it('prints exactly one JSON line with the API URL, git URL, owner, repository and four tokens', async () => {
    line = (await waitFor(
      async () => jsonLines(stdout)[0],
      'the sandbox JSON line',
      45000
    )) as SandboxLine
    expect(jsonLines(stdout)).toHaveLength(1)
    expect(Object.keys(line).sort()).toEqual(['apiUrl', 'gitUrl', 'owner', 'repo', 'tokens'])
    expect(Object.keys(line.tokens).sort()).toEqual(['actions', 'admin', 'read', 'write'])
    expect(line.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  })

  it('serves the seeded repository over REST and git with the printed values', async () => {
    const api = client(line.apiUrl, line.tokens.write)
    const repo = await api.rest.repos.get({ owner: line.owner, repo: line.repo })
    expect(repo.data.full_name).toBe(`${line.owner}/${line.repo}`)
    const issues = await api.rest.issues.listForRepo({ owner: line.owner, repo: line.repo })
    expect(issues.data.length).toBeGreaterThanOrEqual(3)

    const dir = join(work.path, 'clone')
    const cloneUrl = `${line.gitUrl}/${line.owner}/${line.repo}.git`
    await gitOk(work.path, ['clone', '--quiet', remoteWithToken(cloneUrl, line.tokens.write), dir])
    for (const seeded of ['AGENTS.md', 'package.json'])
      expect((await readdir(dir)).includes(seeded)).toBe(true)
    expect(await readdir(join(dir, 'docs/adr'))).toEqual(['0001-record-architecture-decisions.md'])
    expect((await readdir(join(dir, 'migrations')))[0]).toMatch(/^0001_.+\.sql$/)
    await gitOk(dir, ['checkout', '--quiet', '-b', 'cli-check'])
    await writeFile(join(dir, 'cli.txt'), 'pushed\n')
    await gitOk(dir, ['add', '.'])
    await gitOk(dir, ['commit', '--quiet', '-m', 'chore: cli check'])
    await gitOk(dir, ['push', '--quiet', 'origin', 'cli-check'])
    const ref = await api.rest.git.getRef({
      owner: line.owner,
      repo: line.repo,
      ref: 'heads/cli-check'
    })
    expect(ref.data.object.sha).toBe(await gitOk(dir, ['rev-parse', 'HEAD']))
  })

  it('ships a sample project whose own tests pass', async () => {
    const dir = join(work.path, 'clone')
    const run = await new Promise<number>(resolve => {
      spawn('node', ['--test'], { cwd: dir, stdio: 'ignore' }).on('close', code =>
        resolve(code ?? 1)
      )
    })
    expect(run).toBe(0)
  })

  it('stops when the process it was started as gets SIGTERM, and removes its temporary directory', async () => {
    const exited = new Promise<void>(resolve => child!.once('exit', () => resolve()))
    // Only npm's own pid, as a client that started it would: the server must not outlive it.
    child!.kill('SIGTERM')
    await exited
    await waitFor(
      async () =>
        (await fetch(line.apiUrl).then(
          () => false,
          () => true
        )) || undefined,
      'the server to stop answering'
    )
    await waitFor(
      async () =>
        (await readdir(ownTmp.path)).some(name => name.startsWith('sandbox-forge-'))
          ? undefined
          : true,
      'cleanup'
    )
  })
})
