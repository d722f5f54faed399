import { copyFile, mkdtemp, rm, stat, utimes } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type {
  CommitMessage,
  ExecResult,
  Git,
  GitAuth,
  PushOptions,
  PushOutcome,
  StatusEntry
} from '../ports.js'
import { inheritedEnvironment, runProcess } from './exec.js'

/** The author and committer of the commits the adapter makes. */
export interface GitIdentity {
  name: string
  email: string
}

export interface GitWorkTreeOptions {
  /**
   * Commit as this identity (author and committer), so commits work on a machine with no git
   * identity configured. Without it, git's own configuration decides.
   */
  identity?: GitIdentity
  /** Receives `git <args>` before each command; arguments never carry a token. */
  log?: (line: string) => void
  /** The environment git runs in; defaults to the current process's. */
  env?: Readonly<Record<string, string>>
}

/** A `git status` entry; `originalPath` is set for renames and copies. */
export interface GitStatusEntry extends StatusEntry {
  originalPath?: string
}

/** A git command that exited non-zero: names the command and carries its (redacted) stderr. */
export class GitCommandError extends Error {
  readonly args: readonly string[]
  readonly exitCode: number
  readonly stderr: string

  constructor(message: string, args: readonly string[], exitCode: number, stderr: string) {
    super(message)
    this.name = 'GitCommandError'
    this.args = args
    this.exitCode = exitCode
    this.stderr = stderr
  }
}

/**
 * Variables that point git at a particular repository or index. Inherited from a parent (for
 * instance when tests run inside a git hook) they would send every command to the wrong place.
 */
const REPOSITORY_LOCATING_VARIABLES = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_IMPLICIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_COMMON_DIR',
  'GIT_PREFIX',
  'GIT_NAMESPACE',
  'GIT_SHALLOW_FILE',
  'GIT_GRAFT_FILE'
]

/**
 * Hooks in the work tree's configuration (e.g. a `core.hooksPath` that points into the work tree)
 * would run code the agent could edit, with the pipeline's environment: the adapter runs none.
 */
const NO_HOOKS: ConfigEntry = ['core.hooksPath', '/dev/null']

type ConfigEntry = readonly [key: string, value: string]

interface RunOptions {
  input?: string
  env?: Readonly<Record<string, string>>
  auth?: GitAuth
}

/** The `Authorization` header value GitHub accepts for a token over HTTPS. */
export function basicAuthHeaderValue(token: string): string {
  return Buffer.from(`x-access-token:${token}`, 'utf8').toString('base64')
}

/** Replaces every occurrence of each secret in `text` with `***`. */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  let redacted = text
  for (const secret of secrets) {
    if (secret.length > 0) redacted = redacted.split(secret).join('***')
  }
  return redacted
}

/**
 * Adds configuration to an environment through `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n`/
 * `GIT_CONFIG_VALUE_n`, after any entries already there. Unlike `-c`, the values never appear in
 * a process's arguments, and unlike `git config` they are never written to a file.
 */
export function withGitConfig(
  env: Readonly<Record<string, string>>,
  entries: readonly ConfigEntry[]
): Record<string, string> {
  const result: Record<string, string> = { ...env }
  const existing = Number.parseInt(env.GIT_CONFIG_COUNT ?? '0', 10)
  const start = Number.isNaN(existing) ? 0 : existing
  entries.forEach(([key, value], offset) => {
    result[`GIT_CONFIG_KEY_${start + offset}`] = key
    result[`GIT_CONFIG_VALUE_${start + offset}`] = value
  })
  result.GIT_CONFIG_COUNT = String(start + entries.length)
  return result
}

/**
 * Renders a commit message: the title, a blank line, the body, a blank line and the trailers as
 * `Key: value` lines, which `git interpret-trailers --parse` reads back as a trailer block.
 */
export function renderCommitMessage(message: CommitMessage): string {
  const title = message.title.trim()
  if (title === '' || title.includes('\n')) {
    throw new Error(
      `Commit title ${JSON.stringify(message.title)} must be one non-empty line. Put details in the body.`
    )
  }
  const paragraphs = [title]
  const body = message.body?.trim()
  if (body) paragraphs.push(body)
  const trailers = message.trailers ?? []
  if (trailers.length > 0) paragraphs.push(trailers.map(renderTrailer).join('\n'))
  return `${paragraphs.join('\n\n')}\n`
}

function renderTrailer([key, value]: readonly [string, string]): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(key)) {
    throw new Error(
      `Commit trailer key ${JSON.stringify(key)} is not a trailer token. Use letters, digits and hyphens, e.g. 'Codex-Thread'.`
    )
  }
  if (value.trim() === '' || /[\r\n]/.test(value)) {
    throw new Error(
      `Commit trailer '${key}' has value ${JSON.stringify(value)}; a trailer value must be one non-empty line.`
    )
  }
  return `${key}: ${value.trim()}`
}

/** Parses `git status --porcelain=v1 -z`: `XY path\0`, with renames and copies followed by `from\0`. */
export function parsePorcelainStatus(output: string): GitStatusEntry[] {
  const fields = output.split('\0')
  const entries: GitStatusEntry[] = []
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] ?? ''
    if (field === '') continue
    const code = field.slice(0, 2)
    const entry: GitStatusEntry = { code, path: field.slice(3) }
    if (code.includes('R') || code.includes('C')) {
      i++
      entry.originalPath = fields[i] ?? ''
    }
    entries.push(entry)
  }
  return entries
}

/** Parses `git push --porcelain` output for the ref `refs/heads/<branch>`; null when absent. */
export function parsePushOutcome(stdout: string, branch: string): PushOutcome | null {
  const target = `refs/heads/${branch}`
  for (const line of stdout.split('\n')) {
    const match = /^([ +\-*!=])\t([^\t]*)\t(.*)$/.exec(line)
    if (!match) continue
    const [, flag, refs, summary] = match
    if (!refs?.endsWith(`:${target}`)) continue
    if (flag === '=') return { status: 'up-to-date' }
    if (flag === '!') {
      const reason = /\(([^)]*)\)\s*$/.exec(summary ?? '')?.[1]
      return { status: 'rejected', reason: reason ?? summary?.trim() ?? 'rejected' }
    }
    return { status: 'pushed' }
  }
  return null
}

/**
 * The {@link Git} port over the git CLI, bound to one work tree. Every command runs with terminal
 * prompts and askpass disabled (git fails instead of waiting for a password) and without hooks.
 * Tokens go to git only as an `http.extraHeader` in the environment: never in arguments, never in
 * `.git/config`, and redacted from every error this adapter raises.
 */
export class GitWorkTree implements Git {
  readonly dir: string
  private readonly baseEnv: Record<string, string>
  private readonly log: ((line: string) => void) | undefined
  private readonly secrets = new Set<string>()

  /** @param dir the work tree every command runs in */
  constructor(dir: string, options: GitWorkTreeOptions = {}) {
    this.dir = resolve(dir)
    this.log = options.log
    const env: Record<string, string> = { ...(options.env ?? inheritedEnvironment()) }
    for (const name of REPOSITORY_LOCATING_VARIABLES) delete env[name]
    env.GIT_TERMINAL_PROMPT = '0'
    // An empty GIT_ASKPASS stops git from trying core.askPass and SSH_ASKPASS as well.
    env.GIT_ASKPASS = ''
    env.GIT_TRACE_REDACT = '1'
    env.LC_ALL = 'C'
    if (options.identity) {
      env.GIT_AUTHOR_NAME = options.identity.name
      env.GIT_AUTHOR_EMAIL = options.identity.email
      env.GIT_COMMITTER_NAME = options.identity.name
      env.GIT_COMMITTER_EMAIL = options.identity.email
    }
    this.baseEnv = env
  }

  /** Replaces every token this adapter has been given (and its header form) with `***`. */
  redact(text: string): string {
    return redactSecrets(text, this.secrets)
  }

  async exec(args: readonly string[], options: { input?: string } = {}): Promise<ExecResult> {
    return this.run(args, options)
  }

  async revParse(revision: string): Promise<string> {
    const sha = await this.resolveCommit(revision)
    if (sha === null) {
      throw new Error(
        `Revision '${revision}' names no commit in ${this.dir}. Check the name, or fetch it first.`
      )
    }
    return sha
  }

  async hasRevision(revision: string): Promise<boolean> {
    return (await this.resolveCommit(revision)) !== null
  }

  async checkoutBranch(
    branch: string,
    startPoint: string,
    options: { reset?: boolean } = {}
  ): Promise<void> {
    assertNotOption('branch', branch)
    assertNotOption('start point', startPoint)
    if (options.reset) {
      await this.checked(['checkout', '--quiet', '--no-track', '-B', branch, startPoint, '--'])
    } else if (await this.hasRevision(`refs/heads/${branch}`)) {
      await this.checked(['checkout', '--quiet', branch, '--'])
    } else {
      await this.checked(['checkout', '--quiet', '--no-track', '-b', branch, startPoint, '--'])
    }
  }

  async status(): Promise<GitStatusEntry[]> {
    const result = await this.checked(['status', '--porcelain=v1', '-z', '--untracked-files=all'])
    return parsePorcelainStatus(result.stdout)
  }

  async treeHash(): Promise<string> {
    const indexPath = resolve(
      this.dir,
      (await this.checked(['rev-parse', '--git-path', 'index'])).stdout.trim()
    )
    const scratch = await mkdtemp(join(tmpdir(), 'git-tree-hash-'))
    const throwawayIndex = join(scratch, 'index')
    try {
      await seedIndex(indexPath, throwawayIndex)
      const env = { GIT_INDEX_FILE: throwawayIndex }
      await this.checked(['add', '--all'], { env })
      return (await this.checked(['write-tree'], { env })).stdout.trim()
    } finally {
      await rm(scratch, { recursive: true, force: true })
    }
  }

  async commitAll(message: CommitMessage): Promise<string | null> {
    const text = renderCommitMessage(message)
    await this.checked(['add', '--all'])
    const staged = await this.run(['diff', '--cached', '--quiet', '--no-ext-diff'])
    if (staged.exitCode === 0) return null
    if (staged.exitCode !== 1) throw this.failure(['diff', '--cached', '--quiet'], staged)
    // The message goes in as an argument, not on stdin: git may fail before reading stdin.
    await this.checked([
      'commit',
      '--quiet',
      '--no-verify',
      '--cleanup=whitespace',
      `--message=${text}`
    ])
    return this.revParse('HEAD')
  }

  async push(options: PushOptions): Promise<PushOutcome> {
    assertNotOption('remote', options.remote)
    assertNotOption('source', options.source)
    const target = `refs/heads/${options.branch}`
    const args = ['push', '--porcelain']
    if (options.forceWithLeaseSha !== undefined) {
      args.push(`--force-with-lease=${target}:${options.forceWithLeaseSha}`)
    }
    args.push(options.remote, `${options.source}:${target}`)
    const result = await this.run(args, { auth: options.auth })
    const outcome = parsePushOutcome(result.stdout, options.branch)
    if (outcome) return outcome
    throw this.failure(args, result)
  }

  async fetch(remote: string, refspecs: readonly string[], auth?: GitAuth): Promise<void> {
    assertNotOption('remote', remote)
    await this.checked(['fetch', '--quiet', remote, ...refspecs], { auth })
  }

  async patchId(base: string, head: string): Promise<string | null> {
    const diff = await this.diffOutput(['--binary'], base, head)
    if (diff.trim() === '') return null
    const result = await this.checked(['patch-id', '--stable'], { input: diff })
    return result.stdout.trim().split(/\s+/)[0] || null
  }

  async diff(base: string, head: string): Promise<string> {
    return this.diffOutput([], base, head)
  }

  async changedFiles(base: string, head: string): Promise<string[]> {
    const output = await this.diffOutput(['--name-only', '-z', '--no-renames'], base, head)
    return output.split('\0').filter(path => path !== '')
  }

  async show(revision: string, path: string): Promise<string | null> {
    const object = `${revision}:${path.replace(/^\/+/, '')}`
    const type = await this.run(['cat-file', '-t', object])
    if (type.exitCode !== 0) {
      await this.revParse(revision)
      return null
    }
    if (type.stdout.trim() !== 'blob') return null
    return (await this.checked(['cat-file', 'blob', object])).stdout
  }

  private async resolveCommit(revision: string): Promise<string | null> {
    assertNotOption('revision', revision)
    const result = await this.run(['rev-parse', '--verify', '--quiet', `${revision}^{commit}`])
    return result.exitCode === 0 ? result.stdout.trim() : null
  }

  private async diffOutput(extra: readonly string[], base: string, head: string): Promise<string> {
    assertNotOption('revision', base)
    assertNotOption('revision', head)
    const args = [
      'diff',
      '--no-color',
      '--no-ext-diff',
      '--no-textconv',
      ...extra,
      base,
      head,
      '--'
    ]
    return (await this.checked(args)).stdout
  }

  private async run(args: readonly string[], options: RunOptions = {}): Promise<ExecResult> {
    const config: ConfigEntry[] = [NO_HOOKS]
    if (options.auth) {
      const header = basicAuthHeaderValue(options.auth.token)
      this.secrets.add(options.auth.token)
      this.secrets.add(header)
      config.push(['http.extraHeader', `Authorization: Basic ${header}`])
    }
    const env = withGitConfig({ ...this.baseEnv, ...options.env }, config)
    this.log?.(this.redact(`git ${args.join(' ')}`))
    return runProcess('git', args, { cwd: this.dir, env, input: options.input })
  }

  private async checked(args: readonly string[], options: RunOptions = {}): Promise<ExecResult> {
    const result = await this.run(args, options)
    if (result.exitCode !== 0) throw this.failure(args, result)
    return result
  }

  private failure(args: readonly string[], result: ExecResult): GitCommandError {
    const stderr = this.redact(result.stderr.trim())
    const command = this.redact(`git ${args.join(' ')}`)
    const hint = /Authentication failed|could not read Username|terminal prompts disabled|401/.test(
      stderr
    )
      ? ' The remote refused the credentials: pass a token with contents read (fetch) or write (push) access.'
      : ''
    return new GitCommandError(
      `'${command}' failed with exit code ${result.exitCode} in ${this.dir}: ${stderr || '(no output)'}.${hint}`,
      args.map(arg => this.redact(arg)),
      result.exitCode,
      stderr
    )
  }
}

/**
 * Copies the real index to seed the throwaway one, so `git add` re-hashes only what changed, and
 * keeps the copy's modification time no later than the original's: git's check for "racily
 * clean" entries compares file times with the index time, and a newer index would hide an edit
 * made in the same instant the real index was written. Without a real index, git starts empty.
 */
async function seedIndex(realIndex: string, throwawayIndex: string): Promise<void> {
  try {
    const original = await stat(realIndex)
    await copyFile(realIndex, throwawayIndex)
    await utimes(throwawayIndex, original.atime, original.mtime)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
}

function assertNotOption(what: string, value: string): void {
  if (value.startsWith('-')) {
    throw new Error(
      `Git ${what} '${value}' starts with '-' and would be read as an option. Pass a ref name or SHA.`
    )
  }
}
