/**
 * Reading history and diffs out of a bare repository in the terms GitHub's REST API reports them:
 * commits with their people and parents, and per-file changes with counts and patches.
 */
import { gitOk } from './git.js'

export interface GitPerson {
  name: string
  email: string
  date: string
}

export interface CommitInfo {
  sha: string
  tree: string
  parents: string[]
  author: GitPerson
  committer: GitPerson
  message: string
}

export type FileStatus = 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed'

export interface FileChange {
  filename: string
  previousFilename: string | null
  status: FileStatus
  additions: number
  deletions: number
  /** The file's blob SHA after the change (before it, for a removal). */
  blobSha: string
  /** The unified diff hunks, absent for binary files. */
  patch: string | null
}

const COMMIT_FORMAT = '%H%x00%T%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B%x1e'

function parseCommit(record: string): CommitInfo {
  const fields = record.split('\x00')
  const [sha, tree, parents, an, ae, ad, cn, ce, cd] = fields as string[]
  return {
    sha: sha!,
    tree: tree!,
    parents: parents ? parents.split(' ') : [],
    author: { name: an!, email: ae!, date: ad! },
    committer: { name: cn!, email: ce!, date: cd! },
    message: (fields[9] ?? '').replace(/\n+$/, '')
  }
}

/** Commits `git log` selects with `args` (e.g. a range), oldest first unless `newestFirst`. */
export async function readCommits(
  gitDir: string,
  args: readonly string[],
  newestFirst = false
): Promise<CommitInfo[]> {
  const order = newestFirst ? [] : ['--reverse']
  const out = await gitOk(gitDir, [
    'log',
    ...order,
    '--topo-order',
    `--format=${COMMIT_FORMAT}`,
    ...args,
    '--'
  ])
  return out
    .split('\x1e')
    .map(record => record.replace(/^\n/, ''))
    .filter(Boolean)
    .map(parseCommit)
}

/** One commit by SHA. */
export async function readCommit(gitDir: string, sha: string): Promise<CommitInfo> {
  const [commit] = await readCommits(gitDir, ['--no-walk', sha])
  if (!commit) throw new Error(`No commit ${sha} in ${gitDir}`)
  return commit
}

const STATUS_BY_LETTER: Record<string, FileStatus> = {
  A: 'added',
  D: 'removed',
  M: 'modified',
  R: 'renamed',
  C: 'copied',
  T: 'changed'
}

interface RawEntry {
  status: FileStatus
  oldSha: string
  newSha: string
  filename: string
  previousFilename: string | null
}

function parseRaw(out: string): RawEntry[] {
  const tokens = out.split('\x00')
  const entries: RawEntry[] = []
  for (let i = 0; i + 1 < tokens.length;) {
    const meta = tokens[i]!.slice(1).split(' ')
    const letter = (meta[4] ?? 'M').charAt(0)
    const twoPaths = letter === 'R' || letter === 'C'
    const first = tokens[i + 1]!
    const second = twoPaths ? tokens[i + 2]! : null
    entries.push({
      status: STATUS_BY_LETTER[letter] ?? 'changed',
      oldSha: meta[2]!,
      newSha: meta[3]!,
      filename: second ?? first,
      previousFilename: second === null ? null : first
    })
    i += twoPaths ? 3 : 2
  }
  return entries
}

function parseNumstat(out: string): Array<{ additions: number; deletions: number }> {
  const counts: Array<{ additions: number; deletions: number }> = []
  const tokens = out.split('\x00')
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!
    if (!token.includes('\t')) continue
    const [add, del, path] = token.split('\t') as [string, string, string]
    counts.push({ additions: Number(add) || 0, deletions: Number(del) || 0 })
    if (path === '') i += 2
  }
  return counts
}

function splitPatches(out: string): Array<string | null> {
  return out
    .split(/^diff --git /m)
    .slice(1)
    .map(chunk => {
      const hunkStart = chunk.search(/^@@/m)
      return hunkStart < 0 ? null : chunk.slice(hunkStart).replace(/\n$/, '')
    })
}

/** The files changed from one commit to another, in git's order. */
export async function diffFiles(gitDir: string, from: string, to: string): Promise<FileChange[]> {
  const range = [from, to]
  const [raw, numstat, patches] = await Promise.all([
    gitOk(gitDir, ['diff', '--raw', '-z', '-M', '--no-abbrev', ...range]),
    gitOk(gitDir, ['diff', '--numstat', '-z', '-M', ...range]),
    gitOk(gitDir, ['diff', '-M', '--no-color', '--no-ext-diff', ...range], { trim: false })
  ])
  const counts = parseNumstat(numstat)
  const hunks = splitPatches(patches)
  return parseRaw(raw).map((entry, index) => ({
    filename: entry.filename,
    previousFilename: entry.previousFilename,
    status: entry.status,
    additions: counts[index]?.additions ?? 0,
    deletions: counts[index]?.deletions ?? 0,
    blobSha: entry.status === 'removed' ? entry.oldSha : entry.newSha,
    patch: hunks[index] ?? null
  }))
}
