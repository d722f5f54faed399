/**
 * What the merge phase learns from git rather than from the REST API: the PR's own change (files,
 * sizes, added paths, commits, patch id) between the merge base and its head, when its head was
 * committed, and where the base branch stands. Git requests cost nothing against the API budget.
 */
import type { Git, GitAuth } from '../../ports.js'

/** A PR's change as git sees it, from the merge base with the base branch to its head. */
export interface PullChange {
  headSha: string
  mergeBase: string
  /** Changed files with added + deleted lines (a binary file counts as one line). */
  files: Array<{ path: string; changes: number }>
  /** Paths the change adds. */
  added: string[]
  /** Commits on the branch, oldest first, with their parent counts. */
  commits: Array<{ sha: string; message: string; parents: number }>
  /** The head's committer date (ISO 8601): when the wait for CI on it starts. */
  committedAt: string
}

/** Where fetched refs live in the work tree, apart from the checkout's own refs. */
const REF_SPACE = 'refs/codex-waves/merge'

/** The separators of one `git log` record: unit between fields, record between commits. */
const FIELD = '\x1f'
const RECORD = '\x1e'

/** The git side of the merge phase over one work tree whose `remote` is the repository. */
export class MergeGit {
  private readonly changes = new Map<string, PullChange>()
  private readonly patchIds = new Map<string, string | null>()

  constructor(
    private readonly git: Pick<Git, 'exec' | 'fetch' | 'patchId'>,
    private readonly remote: string,
    private readonly auth: GitAuth
  ) {}

  /**
   * Fetches the base branch and the given head commits (by SHA, which GitHub serves for any
   * commit reachable from a ref); returns the base branch's tip.
   */
  async fetch(base: string, heads: readonly string[] = []): Promise<string> {
    const baseRef = `${REF_SPACE}/base/${base}`
    const wanted = [...new Set(heads)]
    await this.git.fetch(this.remote, [`+refs/heads/${base}:${baseRef}`, ...wanted], this.auth)
    return this.text(['rev-parse', '--verify', `${baseRef}^{commit}`])
  }

  /**
   * Whether the branch still exists on the remote: a fetch of it either finds it or says the ref
   * is missing (any other failure is thrown).
   */
  async branchExists(branch: string): Promise<boolean> {
    try {
      await this.git.fetch(
        this.remote,
        [`+refs/heads/${branch}:${REF_SPACE}/probe/${branch}`],
        this.auth
      )
      return true
    } catch (error) {
      if (/couldn't find remote ref|not our ref|no such ref/i.test(String(error))) return false
      throw error
    }
  }

  /** The PR's change from its merge base with `baseTip` to `headSha` (both fetched). */
  async change(baseTip: string, headSha: string): Promise<PullChange> {
    const key = `${baseTip}..${headSha}`
    const known = this.changes.get(key)
    if (known !== undefined) return known
    const mergeBase = await this.text(['merge-base', baseTip, headSha])
    const [numstat, added, log, committedAt] = await Promise.all([
      this.text(['diff', '--numstat', '--no-renames', '-z', mergeBase, headSha, '--']),
      this.text([
        'diff',
        '--name-only',
        '--no-renames',
        '--diff-filter=A',
        '-z',
        mergeBase,
        headSha
      ]),
      this.text([
        'log',
        '--reverse',
        `--format=%H${FIELD}%P${FIELD}%B${RECORD}`,
        `${mergeBase}..${headSha}`
      ]),
      this.text(['show', '-s', '--format=%cI', headSha])
    ])
    const change: PullChange = {
      headSha,
      mergeBase,
      files: parseNumstat(numstat),
      added: added.split('\0').filter(path => path !== ''),
      commits: parseLog(log),
      committedAt: new Date(committedAt).toISOString()
    }
    this.changes.set(key, change)
    return change
  }

  /** `git patch-id --stable` of the change (merge base to head); null for an empty change. */
  async patchId(change: PullChange): Promise<string | null> {
    const key = `${change.mergeBase}..${change.headSha}`
    if (!this.patchIds.has(key)) {
      this.patchIds.set(key, await this.git.patchId(change.mergeBase, change.headSha))
    }
    return this.patchIds.get(key) ?? null
  }

  private async text(args: readonly string[]): Promise<string> {
    const result = await this.git.exec(args)
    if (result.exitCode !== 0) {
      throw new Error(
        `'git ${args.join(' ')}' failed (exit ${result.exitCode}): ${result.stderr.trim() || '(no output)'}. Check out the repository with its full history (actions/checkout with fetch-depth: 0).`
      )
    }
    return result.stdout.trim()
  }
}

/** Parses `git diff --numstat -z` (renames off): `added\tdeleted\tpath\0` per file. */
export function parseNumstat(output: string): Array<{ path: string; changes: number }> {
  return output
    .split('\0')
    .filter(entry => entry.trim() !== '')
    .map(entry => {
      const [added = '-', deleted = '-', ...path] = entry.split('\t')
      const lines = (value: string) => (value === '-' ? 0 : Number(value))
      return {
        path: path.join('\t').trim(),
        changes: Math.max(lines(added.trim()) + lines(deleted), added.trim() === '-' ? 1 : 0)
      }
    })
}

/** Parses the `git log` records written with {@link MergeGit.change}'s format. */
export function parseLog(output: string): Array<{ sha: string; message: string; parents: number }> {
  return output
    .split(RECORD)
    .map(record => record.replace(/^\s+/, ''))
    .filter(record => record !== '')
    .map(record => {
      const [sha = '', parents = '', ...message] = record.split(FIELD)
      return {
        sha: sha.trim(),
        message: message.join(FIELD).trim(),
        parents: parents.trim() === '' ? 0 : parents.trim().split(/\s+/).length
      }
    })
}
