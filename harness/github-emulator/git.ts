/**
 * Operations on the forge's bare repositories through the git CLI. Nothing here needs a work
 * tree: merges go through `git merge-tree --write-tree` and commits through `git commit-tree`.
 */
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

export interface GitResult {
  code: number
  stdout: string
  stderr: string
}

/** An author or committer of a commit the forge writes. */
export interface Identity {
  name: string
  email: string
}

const BASE_ENV: NodeJS.ProcessEnv = {
  GIT_TERMINAL_PROMPT: '0',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null'
}

/** Runs git in `cwd`; never throws on a non-zero exit. */
export function runGit(
  cwd: string,
  args: readonly string[],
  options: { input?: string; env?: NodeJS.ProcessEnv } = {}
): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd,
      env: { ...process.env, ...BASE_ENV, ...options.env },
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout!.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr!.on('data', (chunk: Buffer) => err.push(chunk))
    child.on('error', reject)
    child.on('close', code =>
      resolve({
        code: code ?? 1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8')
      })
    )
    if (child.stdin) {
      // git may exit before reading all of its input; that shows in its exit code, not here
      child.stdin.on('error', () => undefined)
      child.stdin.end(options.input)
    }
  })
}

/** Runs git and returns its stdout (trimmed unless `trim: false`); throws with git's stderr on failure. */
export async function gitOk(
  cwd: string,
  args: readonly string[],
  options: { input?: string; env?: NodeJS.ProcessEnv; trim?: boolean } = {}
): Promise<string> {
  const result = await runGit(cwd, args, options)
  if (result.code !== 0) {
    throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${result.stderr.trim()}`)
  }
  return options.trim === false ? result.stdout : result.stdout.trim()
}

/** The environment that makes commit-tree record these identities. */
export function identityEnv(author: Identity, committer: Identity): NodeJS.ProcessEnv {
  return {
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_COMMITTER_NAME: committer.name,
    GIT_COMMITTER_EMAIL: committer.email
  }
}

/**
 * Creates a bare repository at `gitDir` whose `branch` holds one commit of `files`
 * (relative path → content), written through a throwaway work tree.
 */
export async function createBareRepo(
  gitDir: string,
  files: Readonly<Record<string, string>>,
  options: { branch: string; author: Identity; message: string }
): Promise<void> {
  await mkdir(dirname(gitDir), { recursive: true })
  await gitOk(dirname(gitDir), [
    'init',
    '--bare',
    '--quiet',
    `--initial-branch=${options.branch}`,
    gitDir
  ])
  await gitOk(gitDir, ['config', 'http.receivepack', 'true'])
  const work = await mkdtemp(join(tmpdir(), 'forge-seed-'))
  try {
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(work, path)), { recursive: true })
      await writeFile(join(work, path), content)
    }
    const env = {
      GIT_DIR: gitDir,
      GIT_WORK_TREE: work,
      ...identityEnv(options.author, options.author)
    }
    await gitOk(work, ['add', '--all'], { env })
    await gitOk(work, ['commit', '--quiet', '-m', options.message], { env })
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

/** Every branch of the repository: name → tip SHA. */
export async function listBranches(gitDir: string): Promise<Map<string, string>> {
  const out = await gitOk(gitDir, [
    'for-each-ref',
    '--format=%(objectname) %(refname)',
    'refs/heads'
  ])
  const branches = new Map<string, string>()
  for (const line of out.split('\n').filter(Boolean)) {
    const [sha, ref] = line.split(' ') as [string, string]
    branches.set(ref.slice('refs/heads/'.length), sha)
  }
  return branches
}

/** Refs under a prefix (`refs/heads/fix/`), as full names with their SHAs. */
export async function matchingRefs(
  gitDir: string,
  prefix: string
): Promise<Array<{ ref: string; sha: string }>> {
  const out = await gitOk(gitDir, [
    'for-each-ref',
    '--format=%(objectname) %(refname)',
    'refs/heads',
    'refs/tags'
  ])
  return out
    .split('\n')
    .filter(Boolean)
    .map(line => {
      const [sha, ref] = line.split(' ') as [string, string]
      return { ref, sha }
    })
    .filter(entry => entry.ref.startsWith(prefix))
}

/** The commit SHA a ref, branch, tag or SHA names, or null when it names no commit. */
export async function resolveCommit(gitDir: string, revision: string): Promise<string | null> {
  if (revision.startsWith('-')) return null
  const result = await runGit(gitDir, ['rev-parse', '--verify', '--quiet', `${revision}^{commit}`])
  return result.code === 0 ? result.stdout.trim() : null
}

/** The SHA a full ref name points at, or null. */
export async function readRef(gitDir: string, ref: string): Promise<string | null> {
  const result = await runGit(gitDir, ['rev-parse', '--verify', '--quiet', ref])
  return result.code === 0 ? result.stdout.trim() : null
}

/**
 * Moves `ref` to `sha` only if it still points at `expectedOld` (the empty string: only if it does
 * not exist). Returns false when someone moved it first.
 */
export async function compareAndSwapRef(
  gitDir: string,
  ref: string,
  sha: string,
  expectedOld: string | null
): Promise<boolean> {
  const old = expectedOld ?? '0'.repeat(40)
  const result = await runGit(gitDir, ['update-ref', ref, sha, old])
  return result.code === 0
}

/** Deletes a ref (only if it still points at `expectedOld`, when given); false when it was not there. */
export async function deleteRef(
  gitDir: string,
  ref: string,
  expectedOld?: string
): Promise<boolean> {
  const sha = expectedOld ?? (await readRef(gitDir, ref))
  if (sha === null) return false
  return (await runGit(gitDir, ['update-ref', '-d', ref, sha])).code === 0
}

/** The best common ancestor of two commits, or null when they share no history. */
export async function mergeBase(gitDir: string, a: string, b: string): Promise<string | null> {
  const result = await runGit(gitDir, ['merge-base', a, b])
  return result.code === 0 ? result.stdout.trim() : null
}

/** Whether `ancestor` is reachable from `descendant`. */
export async function isAncestor(
  gitDir: string,
  ancestor: string,
  descendant: string
): Promise<boolean> {
  return (await runGit(gitDir, ['merge-base', '--is-ancestor', ancestor, descendant])).code === 0
}

/** How many commits are reachable from `include` but not from `exclude`. */
export async function countCommits(
  gitDir: string,
  exclude: string,
  include: string
): Promise<number> {
  return Number(await gitOk(gitDir, ['rev-list', '--count', `${exclude}..${include}`]))
}

/** Whether a file exists at a commit, and its text when it does. */
export async function showFile(
  gitDir: string,
  revision: string,
  path: string
): Promise<string | null> {
  const result = await runGit(gitDir, ['show', `${revision}:${path}`])
  return result.code === 0 ? result.stdout : null
}

/** The tree SHA of a commit. */
export async function treeOf(gitDir: string, commit: string): Promise<string> {
  return gitOk(gitDir, ['rev-parse', `${commit}^{tree}`])
}

/** Writes a commit object and returns its SHA. */
export async function commitTree(
  gitDir: string,
  tree: string,
  parents: readonly string[],
  message: string,
  env: NodeJS.ProcessEnv
): Promise<string> {
  const args = ['commit-tree', tree, ...parents.flatMap(p => ['-p', p])]
  return gitOk(gitDir, args, { input: message, env })
}
