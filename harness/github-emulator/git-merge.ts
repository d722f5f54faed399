/**
 * Real merges in a bare repository, the way GitHub's merge button and update-branch make them:
 * `git merge-tree --write-tree` computes the result (or the conflicts), `git commit-tree` records it.
 */
import type { Identity } from './git.js'
import { commitTree, gitOk, identityEnv, runGit, treeOf } from './git.js'

export type MergeAttempt = { clean: true; tree: string } | { clean: false; conflicts: string[] }

/** Three-way merges two commits over their merge base without touching any ref. */
export async function mergeTrees(
  gitDir: string,
  ours: string,
  theirs: string
): Promise<MergeAttempt> {
  const result = await runGit(gitDir, [
    'merge-tree',
    '--write-tree',
    '--name-only',
    '--no-messages',
    ours,
    theirs
  ])
  const lines = result.stdout.split('\n').filter(Boolean)
  if (result.code === 0 && lines[0]) return { clean: true, tree: lines[0] }
  if (result.code === 1) return { clean: false, conflicts: [...new Set(lines.slice(1))] }
  throw new Error(`git merge-tree ${ours} ${theirs} failed in ${gitDir}: ${result.stderr.trim()}`)
}

/** Who the forge writes commits as: the acting user authors, GitHub commits. */
export interface CommitPeople {
  author: Identity
  committer: Identity
}

/** A merge commit with parents (base, head); null when the two conflict. */
export function createMergeCommit(
  gitDir: string,
  base: string,
  head: string,
  message: string,
  people: CommitPeople
): Promise<string | null> {
  return commitMergedTree(gitDir, base, head, [base, head], message, people)
}

/** One commit on top of `base` holding the merged result of `head`; null on conflict. */
export function createSquashCommit(
  gitDir: string,
  base: string,
  head: string,
  message: string,
  people: CommitPeople
): Promise<string | null> {
  return commitMergedTree(gitDir, base, head, [base], message, people)
}

async function commitMergedTree(
  gitDir: string,
  base: string,
  head: string,
  parents: readonly string[],
  message: string,
  people: CommitPeople
): Promise<string | null> {
  const attempt = await mergeTrees(gitDir, base, head)
  if (!attempt.clean) return null
  return commitTree(
    gitDir,
    attempt.tree,
    parents,
    message,
    identityEnv(people.author, people.committer)
  )
}

interface ReplayedCommit {
  sha: string
  parent: string
  authorName: string
  authorEmail: string
  authorDate: string
  message: string
}

async function commitsToReplay(
  gitDir: string,
  base: string,
  head: string
): Promise<ReplayedCommit[]> {
  const format = '%H%x00%P%x00%an%x00%ae%x00%aI%x00%B%x1e'
  const out = await gitOk(gitDir, [
    'log',
    '--reverse',
    '--topo-order',
    '--no-merges',
    `--format=${format}`,
    `${base}..${head}`
  ])
  return out
    .split('\x1e')
    .map(record => record.replace(/^\n/, ''))
    .filter(Boolean)
    .map(record => {
      const [sha, parents, authorName, authorEmail, authorDate, message] = record.split(
        '\x00'
      ) as string[]
      return {
        sha: sha!,
        parent: parents!.split(' ')[0]!,
        authorName: authorName!,
        authorEmail: authorEmail!,
        authorDate: authorDate!,
        message: message!
      }
    })
}

/**
 * Cherry-picks one commit onto `onto`. git 2.39's merge-tree has no `--merge-base`, so the
 * three-way merge is framed with throwaway commits whose only common ancestor is the picked
 * commit's parent tree.
 */
async function pickOnto(
  gitDir: string,
  onto: string,
  commit: ReplayedCommit,
  committer: Identity
): Promise<string | null> {
  const env = identityEnv(committer, committer)
  const frameBase = await commitTree(gitDir, await treeOf(gitDir, commit.parent), [], 'base', env)
  const ours = await commitTree(gitDir, await treeOf(gitDir, onto), [frameBase], 'ours', env)
  const theirs = await commitTree(
    gitDir,
    await treeOf(gitDir, commit.sha),
    [frameBase],
    'theirs',
    env
  )
  const attempt = await mergeTrees(gitDir, ours, theirs)
  if (!attempt.clean) return null
  const author = { name: commit.authorName, email: commit.authorEmail }
  return commitTree(gitDir, attempt.tree, [onto], commit.message, {
    ...identityEnv(author, committer),
    GIT_AUTHOR_DATE: commit.authorDate
  })
}

/** Replays every commit of `head` since `base` onto `base`; returns the new tip, null on conflict. */
export async function createRebasedCommits(
  gitDir: string,
  base: string,
  head: string,
  committer: Identity
): Promise<string | null> {
  let tip = base
  for (const commit of await commitsToReplay(gitDir, base, head)) {
    const next = await pickOnto(gitDir, tip, commit, committer)
    if (next === null) return null
    tip = next
  }
  return tip
}
