/**
 * Commits, file changes and refs in GitHub's REST shapes, typed against `@octokit/openapi-types`.
 */
import type { components } from '@octokit/openapi-types'
import type { ForgeCore } from '../core.js'
import type { CommitInfo, FileChange } from '../git-diff.js'
import type { RepoState } from '../state.js'
import { apiBase, htmlBase, nodeId, simpleUser } from './repo.js'

type Schemas = components['schemas']

function accountByEmail(core: ForgeCore, email: string): Schemas['simple-user'] | null {
  const user = core.state.users.find(candidate => candidate.email === email)
  return user ? simpleUser(core, user.login) : null
}

/** A commit (`commit`), with stats and files when `files` is given. */
export function renderCommit(
  core: ForgeCore,
  repo: RepoState,
  commit: CommitInfo,
  files?: readonly FileChange[]
): Schemas['commit'] {
  const api = apiBase(core, repo)
  const html = htmlBase(core, repo)
  return {
    url: `${api}/commits/${commit.sha}`,
    sha: commit.sha,
    node_id: nodeId('C', commit.sha),
    html_url: `${html}/commit/${commit.sha}`,
    comments_url: `${api}/commits/${commit.sha}/comments`,
    commit: {
      url: `${api}/git/commits/${commit.sha}`,
      author: commit.author,
      committer: commit.committer,
      message: commit.message,
      comment_count: 0,
      tree: { sha: commit.tree, url: `${api}/git/trees/${commit.tree}` }
    },
    author: accountByEmail(core, commit.author.email),
    committer: accountByEmail(core, commit.committer.email),
    parents: commit.parents.map(sha => ({
      sha,
      url: `${api}/commits/${sha}`,
      html_url: `${html}/commit/${sha}`
    })),
    ...(files
      ? {
          stats: {
            additions: files.reduce((sum, file) => sum + file.additions, 0),
            deletions: files.reduce((sum, file) => sum + file.deletions, 0),
            total: files.reduce((sum, file) => sum + file.additions + file.deletions, 0)
          },
          files: files.map(file => renderDiffEntry(core, repo, file, commit.sha))
        }
      : {})
  }
}

/** One changed file; URLs point at the file as of `commitSha`. */
export function renderDiffEntry(
  core: ForgeCore,
  repo: RepoState,
  file: FileChange,
  commitSha: string
): Schemas['diff-entry'] {
  const path = file.filename.split('/').map(encodeURIComponent).join('/')
  return {
    sha: file.blobSha,
    filename: file.filename,
    status: file.status,
    additions: file.additions,
    deletions: file.deletions,
    changes: file.additions + file.deletions,
    blob_url: `${htmlBase(core, repo)}/blob/${commitSha}/${path}`,
    raw_url: `${htmlBase(core, repo)}/raw/${commitSha}/${path}`,
    contents_url: `${apiBase(core, repo)}/contents/${path}?ref=${commitSha}`,
    ...(file.patch !== null ? { patch: file.patch } : {}),
    ...(file.previousFilename !== null ? { previous_filename: file.previousFilename } : {})
  }
}

/** A ref (`refs/heads/main`) and the commit it points at. */
export function renderRef(
  core: ForgeCore,
  repo: RepoState,
  ref: string,
  sha: string
): Schemas['git-ref'] {
  const api = apiBase(core, repo)
  return {
    ref,
    node_id: nodeId('REF', `${repo.id}:${ref}`),
    url: `${api}/git/${ref}`,
    object: { type: 'commit', sha, url: `${api}/git/commits/${sha}` }
  }
}
