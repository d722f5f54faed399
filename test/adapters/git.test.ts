import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  GitCommandError,
  GitWorkTree,
  basicAuthHeaderValue,
  parsePorcelainStatus,
  parsePushOutcome,
  redactSecrets,
  renderCommitMessage
} from '../../src/adapters/git.js'
import { startGitHttpServer, type GitHttpServer } from '../harness/git-http-server.js'

/** Keeps every git run here away from the machine's global and system configuration. */
const isolatedEnv: Record<string, string> = {
  ...(Object.fromEntries(
    Object.entries(process.env).filter(([, value]) => value !== undefined)
  ) as Record<string, string>),
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1'
}

const TOKEN = 'ghs_testtoken0123456789abcdef'

let scratch: string

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'git-adapter-'))
})

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true })
})

/** Runs git for test setup and returns stdout; throws with stderr on failure. */
function git(cwd: string, ...args: string[]): string {
  const result = spawnSync('git', args, { cwd, env: isolatedEnv, encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`)
  return result.stdout
}

let counter = 0

/** A fresh repository with a per-repository identity and one commit of `files`. */
async function makeRepo(files: Record<string, string> = { 'README.md': 'hello\n' }) {
  const dir = join(scratch, `repo-${++counter}`)
  await mkdir(dir)
  git(dir, 'init', '--quiet', '--initial-branch=main')
  git(dir, 'config', 'user.name', 'Test Person')
  git(dir, 'config', 'user.email', 'test@example.com')
  await writeFiles(dir, files)
  git(dir, 'add', '--all')
  git(dir, 'commit', '--quiet', '-m', 'initial')
  return dir
}

async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true })
    await writeFile(join(dir, path), content)
  }
}

function workTree(dir: string, log?: (line: string) => void): GitWorkTree {
  return new GitWorkTree(dir, { env: isolatedEnv, log })
}

describe('commitAll', () => {
  it('commits every change with the title, body and trailers as a trailer block', async () => {
    const dir = await makeRepo()
    await writeFiles(dir, { 'src/new.ts': 'export const x = 1\n', 'README.md': 'changed\n' })
    const repo = workTree(dir)

    const sha = await repo.commitAll({
      title: 'Add x (#12)',
      body: 'Implements the thing.\n\n# Heading kept, not stripped as a comment',
      trailers: [
        ['Codex-Thread', 'thread-123'],
        ['Codex-Waves-Run', 'https://example.test/runs/7']
      ]
    })

    expect(sha).toBe(git(dir, 'rev-parse', 'HEAD').trim())
    const messageBody = git(dir, 'log', '-1', '--format=%B')
    expect(messageBody).toBe(
      'Add x (#12)\n\nImplements the thing.\n\n# Heading kept, not stripped as a comment\n\n' +
        'Codex-Thread: thread-123\nCodex-Waves-Run: https://example.test/runs/7\n\n'
    )
    const parsed = spawnSync('git', ['interpret-trailers', '--parse'], {
      cwd: dir,
      env: isolatedEnv,
      input: messageBody,
      encoding: 'utf8'
    }).stdout
    expect(parsed).toBe('Codex-Thread: thread-123\nCodex-Waves-Run: https://example.test/runs/7\n')
    expect(git(dir, 'status', '--porcelain')).toBe('')
  })

  it('returns null and makes no commit when there is nothing to commit', async () => {
    const dir = await makeRepo()
    const before = git(dir, 'rev-parse', 'HEAD')
    expect(await workTree(dir).commitAll({ title: 'nothing' })).toBeNull()
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(before)
  })

  it('commits as the given identity on a machine with no git identity configured', async () => {
    const dir = join(scratch, 'no-identity')
    await mkdir(dir)
    const home = join(scratch, 'empty-home')
    await mkdir(home)
    const bare = {
      ...isolatedEnv,
      HOME: home,
      EMAIL: '',
      GIT_AUTHOR_NAME: '',
      GIT_AUTHOR_EMAIL: '',
      GIT_COMMITTER_NAME: '',
      GIT_COMMITTER_EMAIL: ''
    }
    git(dir, 'init', '--quiet', '--initial-branch=main')
    // With user.useConfigOnly git refuses to guess an identity from the host name, as on a
    // fresh runner whose hostname yields no usable address.
    git(dir, 'config', 'user.useConfigOnly', 'true')
    await writeFiles(dir, { 'a.txt': 'a\n' })

    const anonymous = new GitWorkTree(dir, { env: bare })
    await expect(anonymous.commitAll({ title: 'first' })).rejects.toThrow(/git commit/)

    const bot = new GitWorkTree(dir, {
      env: bare,
      identity: { name: 'codex-waves[bot]', email: 'bot@example.test' }
    })
    const sha = await bot.commitAll({ title: 'first' })
    expect(sha).not.toBeNull()
    expect(git(dir, 'log', '-1', '--format=%an <%ae> / %cn <%ce>')).toBe(
      'codex-waves[bot] <bot@example.test> / codex-waves[bot] <bot@example.test>\n'
    )
  })

  it('refuses a multi-line title and a malformed trailer, naming the value', () => {
    expect(() => renderCommitMessage({ title: 'a\nb' })).toThrow(/"a\\nb".*one non-empty line/)
    expect(() => renderCommitMessage({ title: 't', trailers: [['Bad Key', 'v']] })).toThrow(
      /"Bad Key"/
    )
    expect(() => renderCommitMessage({ title: 't', trailers: [['Key', 'two\nlines']] })).toThrow(
      /'Key'/
    )
  })
})

describe('treeHash', () => {
  it('changes with untracked and modified files, not otherwise, and never touches the index', async () => {
    const dir = await makeRepo({ 'README.md': 'hello\n', '.gitignore': 'ignored/\n' })
    const repo = workTree(dir)
    const indexFile = join(dir, '.git', 'index')
    const index = await readFile(indexFile)

    const clean = await repo.treeHash()
    expect(clean).toBe(git(dir, 'rev-parse', 'HEAD^{tree}').trim())
    expect(await repo.treeHash()).toBe(clean)
    expect((await readFile(indexFile)).equals(index)).toBe(true)
    git(dir, 'status')
    const indexAfterStatus = await readFile(indexFile)
    expect(await repo.treeHash()).toBe(clean)

    await writeFiles(dir, { 'ignored/cache.bin': 'noise\n' })
    expect(await repo.treeHash()).toBe(clean)

    await writeFiles(dir, { 'notes/untracked.txt': 'new\n' })
    const withUntracked = await repo.treeHash()
    expect(withUntracked).not.toBe(clean)

    await writeFiles(dir, { 'README.md': 'hello, changed\n' })
    const withModified = await repo.treeHash()
    expect(withModified).not.toBe(withUntracked)

    await rm(join(dir, 'notes'), { recursive: true })
    await writeFiles(dir, { 'README.md': 'hello\n' })
    expect(await repo.treeHash()).toBe(clean)

    expect((await readFile(indexFile)).equals(indexAfterStatus)).toBe(true)
    expect(git(dir, 'status', '--porcelain')).toBe('')
  })

  it('equals the tree of the commit that commitAll then makes, staged changes included', async () => {
    const dir = await makeRepo()
    const repo = workTree(dir)
    await writeFiles(dir, { 'staged.txt': 'staged\n', 'loose.txt': 'loose\n' })
    git(dir, 'add', 'staged.txt')
    git(dir, 'rm', '--quiet', 'README.md')
    const predicted = await repo.treeHash()
    expect(git(dir, 'diff', '--cached', '--name-only')).toBe('README.md\nstaged.txt\n')

    await repo.commitAll({ title: 'snapshot' })
    expect(git(dir, 'rev-parse', 'HEAD^{tree}').trim()).toBe(predicted)
  })

  it('works in a repository with no commits and no index yet', async () => {
    const dir = join(scratch, 'unborn')
    await mkdir(dir)
    git(dir, 'init', '--quiet', '--initial-branch=main')
    const repo = workTree(dir)
    const empty = await repo.treeHash()
    expect(empty).toBe('4b825dc642cb6eb9a060e54bf8d69288fbee4904')
    await writeFiles(dir, { 'a.txt': 'a\n' })
    expect(await repo.treeHash()).not.toBe(empty)
  })
})

describe('status, branches and revisions', () => {
  it('parses porcelain status with renames, spaces and untracked files', async () => {
    const dir = await makeRepo({ 'a.txt': 'a\n', 'b.txt': 'b\n' })
    git(dir, 'mv', 'a.txt', 'renamed file.txt')
    await writeFiles(dir, { 'b.txt': 'b changed\n', 'dir/new one.txt': 'n\n' })

    const entries = await workTree(dir).status()
    expect(entries).toEqual([
      { code: ' M', path: 'b.txt' },
      { code: 'R ', path: 'renamed file.txt', originalPath: 'a.txt' },
      { code: '??', path: 'dir/new one.txt' }
    ])
    expect(parsePorcelainStatus('')).toEqual([])
  })

  it('creates a branch at a start point, reuses it, and resets it when asked', async () => {
    const dir = await makeRepo()
    const repo = workTree(dir)
    const first = await repo.revParse('HEAD')
    await writeFiles(dir, { 'second.txt': '2\n' })
    const second = await repo.commitAll({ title: 'second' })

    await repo.checkoutBranch('fix/1-thing', first)
    expect(git(dir, 'symbolic-ref', 'HEAD').trim()).toBe('refs/heads/fix/1-thing')
    expect(await repo.revParse('HEAD')).toBe(first)

    await git(dir, 'checkout', '--quiet', 'main')
    await repo.checkoutBranch('fix/1-thing', 'main')
    expect(await repo.revParse('HEAD')).toBe(first)

    await repo.checkoutBranch('fix/1-thing', 'main', { reset: true })
    expect(await repo.revParse('HEAD')).toBe(second)

    // From a remote-tracking start point git would record upstream tracking in .git/config.
    git(dir, 'remote', 'add', 'origin', 'https://example.test/r.git')
    git(dir, 'update-ref', 'refs/remotes/origin/main', second as string)
    await repo.checkoutBranch('feat/2-other', 'origin/main')
    expect(await repo.revParse('HEAD')).toBe(second)
    const tracking = spawnSync('git', ['config', 'branch.feat/2-other.remote'], { cwd: dir })
    expect(tracking.status).toBe(1)
  })

  it('tells existing revisions from missing ones and refuses option-like names', async () => {
    const dir = await makeRepo()
    const repo = workTree(dir)
    expect(await repo.hasRevision('main')).toBe(true)
    expect(await repo.hasRevision('no-such-branch')).toBe(false)
    await expect(repo.revParse('no-such-branch')).rejects.toThrow(
      /Revision 'no-such-branch' names no commit/
    )
    await expect(repo.hasRevision('--all')).rejects.toThrow(/'--all' starts with '-'/)
  })
})

describe('diffs', () => {
  it('gives equal patch ids for one change on two bases and different ids otherwise', async () => {
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`)
    const dir = await makeRepo({ 'file.txt': `${lines.join('\n')}\n`, 'other.txt': 'o\n' })
    const repo = workTree(dir)
    const base1 = await repo.revParse('HEAD')

    const changed = [...lines]
    changed[24] = 'line 25, edited'
    await writeFiles(dir, { 'file.txt': `${changed.join('\n')}\n` })
    const head1 = (await repo.commitAll({ title: 'edit line 25' })) as string

    await repo.checkoutBranch('moved-base', base1)
    await writeFiles(dir, {
      'file.txt': `inserted at the top\n${lines.join('\n')}\n`,
      'other.txt': 'other changed\n'
    })
    const base2 = (await repo.commitAll({ title: 'unrelated upstream change' })) as string
    await writeFiles(dir, {
      'file.txt': `inserted at the top\n${changed.join('\n')}\n`
    })
    const head2 = (await repo.commitAll({ title: 'edit line 25 again' })) as string

    const id1 = await repo.patchId(base1, head1)
    const id2 = await repo.patchId(base2, head2)
    expect(id1).toMatch(/^[0-9a-f]{40}$/)
    expect(id2).toBe(id1)
    expect(await repo.patchId(base1, base2)).not.toBe(id1)
    expect(await repo.patchId(head1, head1)).toBeNull()

    expect(await repo.changedFiles(base1, base2)).toEqual(['file.txt', 'other.txt'])
    expect(await repo.diff(base1, head1)).toContain('+line 25, edited')
    expect(await repo.show(head1, 'file.txt')).toBe(`${changed.join('\n')}\n`)
    expect(await repo.show(head1, 'missing.txt')).toBeNull()
    await expect(repo.show('no-such-rev', 'file.txt')).rejects.toThrow(/no-such-rev/)
  })

  it('lists both paths of a rename as changed', async () => {
    const dir = await makeRepo({ 'old.txt': 'content that is long enough to be a rename\n' })
    const repo = workTree(dir)
    const base = await repo.revParse('HEAD')
    git(dir, 'mv', 'old.txt', 'new.txt')
    const head = (await repo.commitAll({ title: 'rename' })) as string
    expect(await repo.changedFiles(base, head)).toEqual(['new.txt', 'old.txt'])
  })
})

describe('push and fetch over authenticated HTTP', () => {
  let server: GitHttpServer
  let serverRoot: string

  beforeAll(async () => {
    serverRoot = join(scratch, 'served')
    await mkdir(serverRoot)
    server = await startGitHttpServer({ root: serverRoot, token: TOKEN })
  })

  afterAll(async () => {
    await server.close()
  })

  async function makeRemote(name: string): Promise<string> {
    git(serverRoot, 'init', '--quiet', '--bare', '--initial-branch=main', `${name}.git`)
    return `${server.url}/${name}.git`
  }

  it('pushes with the token as a header that never reaches .git/config, argv or logs', async () => {
    const remoteUrl = await makeRemote('push')
    const dir = await makeRepo()
    git(dir, 'remote', 'add', 'origin', remoteUrl)
    const logged: string[] = []
    const repo = workTree(dir, line => logged.push(line))
    const head = await repo.revParse('HEAD')
    const seen = server.requests.length

    const pushed = await repo.push({
      remote: 'origin',
      source: 'HEAD',
      branch: 'main',
      auth: { token: TOKEN }
    })

    expect(pushed).toEqual({ status: 'pushed' })
    expect(git(join(serverRoot, 'push.git'), 'rev-parse', 'refs/heads/main').trim()).toBe(head)
    const authorized = server.requests.slice(seen).filter(r => r.status === 200)
    expect(authorized.length).toBeGreaterThan(0)
    expect(authorized[0]?.authorization).toBe(`Basic ${basicAuthHeaderValue(TOKEN)}`)

    expect(
      await repo.push({ remote: 'origin', source: 'HEAD', branch: 'main', auth: { token: TOKEN } })
    ).toEqual({ status: 'up-to-date' })

    const config = await readFile(join(dir, '.git', 'config'), 'utf8')
    expect(config).not.toContain(TOKEN)
    expect(config).not.toContain(basicAuthHeaderValue(TOKEN))
    expect(config.toLowerCase()).not.toContain('extraheader')
    expect(logged).toContain('git push --porcelain origin HEAD:refs/heads/main')
    expect(logged.join('\n')).not.toContain(TOKEN)
  })

  it('fails clearly without the token or with a wrong one, and redacts the token', async () => {
    const remoteUrl = await makeRemote('denied')
    const dir = await makeRepo()
    git(dir, 'remote', 'add', 'origin', remoteUrl)
    const repo = workTree(dir)
    const seen = server.requests.length

    const withoutToken = repo.push({ remote: 'origin', source: 'HEAD', branch: 'main' })
    await expect(withoutToken).rejects.toBeInstanceOf(GitCommandError)
    await expect(withoutToken).rejects.toThrow(/git push.*exit code 128.*credentials/s)
    expect(server.requests.slice(seen).map(r => r.status)).toContain(401)

    const wrong = 'ghs_wrongtoken'
    const withWrongToken = repo.push({
      remote: 'origin',
      source: 'HEAD',
      branch: 'main',
      auth: { token: wrong }
    })
    await expect(withWrongToken).rejects.toThrow(/credentials/)
    expect(git(join(serverRoot, 'denied.git'), 'for-each-ref')).toBe('')

    // A token that ends up in git's own error text is redacted from the error the adapter raises.
    const leaky = repo.push({
      remote: `nowhere-${TOKEN}`,
      source: 'HEAD',
      branch: 'main',
      auth: { token: TOKEN }
    })
    await expect(leaky).rejects.toThrow(/nowhere-\*\*\*/)
    const error = (await leaky.catch((e: unknown) => e)) as GitCommandError
    expect(`${error.message}${error.stderr}${error.args.join(' ')}`).not.toContain(TOKEN)
    expect(error.message).not.toContain(TOKEN)
  })

  it('never asks for credentials: an askpass program in the environment is not consulted', async () => {
    const remoteUrl = await makeRemote('askpass')
    const dir = await makeRepo()
    git(dir, 'remote', 'add', 'origin', remoteUrl)
    const marker = join(scratch, 'askpass-was-called')
    const askpass = join(scratch, 'askpass.sh')
    await writeFile(
      askpass,
      `#!/bin/sh\ntouch '${marker}'\ncase "$1" in Username*) echo x-access-token;; *) echo '${TOKEN}';; esac\n`,
      { mode: 0o755 }
    )
    const repo = new GitWorkTree(dir, {
      env: { ...isolatedEnv, GIT_ASKPASS: askpass, SSH_ASKPASS: askpass }
    })

    await expect(repo.push({ remote: 'origin', source: 'HEAD', branch: 'main' })).rejects.toThrow(
      /terminal prompts disabled|credentials/
    )
    expect(existsSync(marker)).toBe(false)
    expect(git(join(serverRoot, 'askpass.git'), 'for-each-ref')).toBe('')
  })

  it('rejects a stale force-with-lease and leaves the other commit on the remote', async () => {
    const remoteUrl = await makeRemote('lease')
    const mine = await makeRepo({ 'feature.txt': 'base\n' })
    git(mine, 'remote', 'add', 'origin', remoteUrl)
    const repo = workTree(mine)
    const auth = { token: TOKEN }
    const leased = await repo.revParse('HEAD')
    await repo.push({ remote: 'origin', source: 'HEAD', branch: 'feature', auth })

    const theirs = join(scratch, 'theirs')
    await mkdir(theirs)
    git(theirs, 'init', '--quiet', '--initial-branch=main')
    git(theirs, 'config', 'user.name', 'Someone Else')
    git(theirs, 'config', 'user.email', 'else@example.com')
    git(theirs, 'remote', 'add', 'origin', remoteUrl)
    const other = workTree(theirs)
    await other.fetch('origin', ['+refs/heads/feature:refs/remotes/origin/feature'], auth)
    await other.checkoutBranch('feature', 'origin/feature')
    await writeFiles(theirs, { 'feature.txt': 'their change\n' })
    const theirCommit = (await other.commitAll({ title: 'their change' })) as string
    expect(await other.push({ remote: 'origin', source: 'HEAD', branch: 'feature', auth })).toEqual(
      { status: 'pushed' }
    )

    await writeFiles(mine, { 'feature.txt': 'my rewrite\n' })
    git(mine, 'commit', '--quiet', '--amend', '--all', '-m', 'my rewrite')
    const outcome = await repo.push({
      remote: 'origin',
      source: 'HEAD',
      branch: 'feature',
      auth,
      forceWithLeaseSha: leased
    })
    expect(outcome).toEqual({ status: 'rejected', reason: 'stale info' })
    expect(git(join(serverRoot, 'lease.git'), 'rev-parse', 'refs/heads/feature').trim()).toBe(
      theirCommit
    )

    const plain = await repo.push({ remote: 'origin', source: 'HEAD', branch: 'feature', auth })
    expect(plain.status).toBe('rejected')

    expect(
      await repo.push({
        remote: 'origin',
        source: 'HEAD',
        branch: 'feature',
        auth,
        forceWithLeaseSha: theirCommit
      })
    ).toEqual({ status: 'pushed' })
    expect(git(join(serverRoot, 'lease.git'), 'rev-parse', 'refs/heads/feature').trim()).toBe(
      await repo.revParse('HEAD')
    )
  })

  it('fetches with the token and fails without it', async () => {
    const remoteUrl = await makeRemote('fetch')
    const source = await makeRepo({ 'f.txt': 'f\n' })
    git(source, 'remote', 'add', 'origin', remoteUrl)
    const head = await workTree(source).revParse('HEAD')
    await workTree(source).push({
      remote: 'origin',
      source: 'HEAD',
      branch: 'main',
      auth: { token: TOKEN }
    })

    const reader = await makeRepo()
    git(reader, 'remote', 'add', 'origin', remoteUrl)
    const repo = workTree(reader)
    await expect(
      repo.fetch('origin', ['refs/heads/main:refs/remotes/origin/main'])
    ).rejects.toThrow(/git fetch/)
    await repo.fetch('origin', ['refs/heads/main:refs/remotes/origin/main'], { token: TOKEN })
    expect(await repo.revParse('origin/main')).toBe(head)
    expect(await readFile(join(reader, '.git', 'config'), 'utf8')).not.toContain(TOKEN)
  })
})

describe('pure helpers', () => {
  it('parses push outcomes for the pushed branch only', () => {
    const out =
      'To http://x/r.git\n' +
      '=\trefs/heads/a:refs/heads/a\t[up to date]\n' +
      '!\trefs/heads/b:refs/heads/b\t[remote rejected] (pre-receive hook declined)\n' +
      '*\trefs/heads/c:refs/heads/c\t[new branch]\nDone\n'
    expect(parsePushOutcome(out, 'a')).toEqual({ status: 'up-to-date' })
    expect(parsePushOutcome(out, 'b')).toEqual({
      status: 'rejected',
      reason: 'pre-receive hook declined'
    })
    expect(parsePushOutcome(out, 'c')).toEqual({ status: 'pushed' })
    expect(parsePushOutcome(out, 'd')).toBeNull()
  })

  it('redacts every secret occurrence', () => {
    expect(redactSecrets('a tok b tok', ['tok', ''])).toBe('a *** b ***')
  })
})
