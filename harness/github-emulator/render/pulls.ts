/**
 * Pull requests in GitHub's REST shapes (`pull-request` for one, `pull-request-simple` in lists),
 * typed against `@octokit/openapi-types`.
 */
import type { components } from '@octokit/openapi-types'
import type { ForgeCore } from '../core.js'
import type { IssueRecord, PullRecord, RepoState } from '../state.js'
import { issueLabels } from './issues.js'
import { apiBase, authorAssociation, htmlBase, nodeId, repository, simpleUser } from './repo.js'

type Schemas = components['schemas']
type PullIssue = IssueRecord & { pull: PullRecord }

/** What a single-PR answer adds to a list entry: mergeability and size. */
export interface PullDetails {
  mergeable: boolean | null
  mergeableState: string
  commits: number
  additions: number
  deletions: number
  changedFiles: number
}

function branchSide(core: ForgeCore, repo: RepoState, ref: string, sha: string) {
  return {
    label: `${repo.owner}:${ref}`,
    ref,
    sha,
    repo: repository(core, repo),
    user: simpleUser(core, repo.owner)
  }
}

function links(core: ForgeCore, repo: RepoState, issue: PullIssue) {
  const api = apiBase(core, repo)
  const pull = `${api}/pulls/${issue.number}`
  return {
    self: { href: pull },
    html: { href: `${htmlBase(core, repo)}/pull/${issue.number}` },
    issue: { href: `${api}/issues/${issue.number}` },
    comments: { href: `${api}/issues/${issue.number}/comments` },
    review_comments: { href: `${pull}/comments` },
    review_comment: { href: `${api}/pulls/comments{/number}` },
    commits: { href: `${pull}/commits` },
    statuses: { href: `${api}/statuses/${issue.pull.headSha}` }
  }
}

/** A PR as list routes show it (`pull-request-simple`). */
export function renderPullSimple(
  core: ForgeCore,
  repo: RepoState,
  issue: PullIssue
): Schemas['pull-request-simple'] {
  const api = apiBase(core, repo)
  const html = `${htmlBase(core, repo)}/pull/${issue.number}`
  const pull = issue.pull
  return {
    url: `${api}/pulls/${issue.number}`,
    id: issue.id,
    node_id: nodeId('PR_', issue.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${api}/issues/${issue.number}`,
    commits_url: `${api}/pulls/${issue.number}/commits`,
    review_comments_url: `${api}/pulls/${issue.number}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${issue.number}/comments`,
    statuses_url: `${api}/statuses/${pull.headSha}`,
    number: issue.number,
    state: issue.state,
    locked: issue.locked,
    title: issue.title,
    user: simpleUser(core, issue.author),
    body: issue.body,
    labels: issueLabels(core, repo, issue).map(label => ({
      ...label,
      description: label.description ?? ''
    })),
    milestone: null,
    active_lock_reason: issue.lockReason,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.closedAt,
    merged_at: pull.mergedAt,
    merge_commit_sha: pull.mergeCommitSha,
    assignee: issue.assignees[0] ? simpleUser(core, issue.assignees[0]) : null,
    assignees: issue.assignees.map(login => simpleUser(core, login)),
    requested_reviewers: [],
    requested_teams: [],
    head: branchSide(core, repo, pull.headRef, pull.headSha),
    base: branchSide(core, repo, pull.baseRef, pull.baseSha),
    _links: links(core, repo, issue),
    author_association: authorAssociation(core, issue.author),
    auto_merge: null,
    draft: pull.draft
  }
}

/** A PR as the single-PR routes show it (`pull-request`), with mergeability and size. */
export function renderPull(
  core: ForgeCore,
  repo: RepoState,
  issue: PullIssue,
  details: PullDetails
): Schemas['pull-request'] {
  const simple = renderPullSimple(core, repo, issue)
  const pull = issue.pull
  return {
    ...simple,
    state: issue.state,
    user: simpleUser(core, issue.author),
    labels: issueLabels(core, repo, issue),
    head: { ...simple.head, user: simpleUser(core, repo.owner) },
    base: { ...simple.base, user: simpleUser(core, repo.owner) },
    requested_teams: [],
    merged: pull.merged,
    mergeable: details.mergeable,
    rebaseable: details.mergeable,
    mergeable_state: details.mergeableState,
    merged_by: pull.mergedBy ? simpleUser(core, pull.mergedBy) : null,
    comments: repo.commentCount(issue.number),
    review_comments: 0,
    maintainer_can_modify: pull.maintainerCanModify,
    commits: details.commits,
    additions: details.additions,
    deletions: details.deletions,
    changed_files: details.changedFiles
  }
}
