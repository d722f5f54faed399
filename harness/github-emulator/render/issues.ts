/**
 * Issues, labels and comments in GitHub's REST shapes, typed against `@octokit/openapi-types`.
 */
import type { components } from '@octokit/openapi-types'
import type { ForgeCore } from '../core.js'
import type { CommentRecord, IssueRecord, LabelRecord, RepoState } from '../state.js'
import { apiBase, authorAssociation, htmlBase, nodeId, simpleUser } from './repo.js'

type Schemas = components['schemas']

/** A repository label (`label`). */
export function renderLabel(
  core: ForgeCore,
  repo: RepoState,
  label: LabelRecord
): Schemas['label'] {
  return {
    id: label.id,
    node_id: nodeId('LA', label.id),
    url: `${apiBase(core, repo)}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    description: label.description,
    color: label.color,
    default: false
  }
}

/** The labels of an issue, in the order they were added. */
export function issueLabels(
  core: ForgeCore,
  repo: RepoState,
  issue: IssueRecord
): Schemas['label'][] {
  return issue.labels.flatMap(name => {
    const label = repo.label(name)
    return label ? [renderLabel(core, repo, label)] : []
  })
}

function subIssuesSummary(repo: RepoState, issue: IssueRecord): Schemas['sub-issues-summary'] {
  const total = issue.subIssues.length
  const completed = issue.subIssues.filter(n => repo.issues.get(n)?.state === 'closed').length
  return { total, completed, percent_completed: total ? Math.round((completed * 100) / total) : 0 }
}

function pullRequestLinks(
  core: ForgeCore,
  repo: RepoState,
  issue: IssueRecord
): Schemas['issue']['pull_request'] {
  if (issue.pull === null) return undefined
  const html = `${htmlBase(core, repo)}/pull/${issue.number}`
  return {
    url: `${apiBase(core, repo)}/pulls/${issue.number}`,
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    merged_at: issue.pull.mergedAt
  }
}

/** An issue, or the issue side of a PR (`issue`). */
export function renderIssue(
  core: ForgeCore,
  repo: RepoState,
  issue: IssueRecord
): Schemas['issue'] {
  const url = `${apiBase(core, repo)}/issues/${issue.number}`
  const pullRequest = pullRequestLinks(core, repo, issue)
  return {
    id: issue.id,
    node_id: nodeId(issue.pull ? 'PR' : 'I', issue.id),
    url,
    repository_url: apiBase(core, repo),
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: `${htmlBase(core, repo)}/${issue.pull ? 'pull' : 'issues'}/${issue.number}`,
    number: issue.number,
    state: issue.state,
    state_reason: issue.stateReason,
    title: issue.title,
    body: issue.body,
    user: simpleUser(core, issue.author),
    labels: issueLabels(core, repo, issue),
    assignee: issue.assignees[0] ? simpleUser(core, issue.assignees[0]) : null,
    assignees: issue.assignees.map(login => simpleUser(core, login)),
    milestone: null,
    locked: issue.locked,
    active_lock_reason: issue.lockReason,
    comments: repo.commentCount(issue.number),
    ...(pullRequest ? { pull_request: pullRequest, draft: issue.pull?.draft ?? false } : {}),
    closed_at: issue.closedAt,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_by: issue.closedBy ? simpleUser(core, issue.closedBy) : null,
    timeline_url: `${url}/timeline`,
    author_association: authorAssociation(core, issue.author),
    sub_issues_summary: subIssuesSummary(repo, issue),
    parent_issue_url: issue.parent === null ? null : `${apiBase(core, repo)}/issues/${issue.parent}`
  }
}

/** An issue comment (`issue-comment`). */
export function renderComment(
  core: ForgeCore,
  repo: RepoState,
  comment: CommentRecord
): Schemas['issue-comment'] {
  return {
    id: comment.id,
    node_id: nodeId('IC', comment.id),
    url: `${apiBase(core, repo)}/issues/comments/${comment.id}`,
    html_url: `${htmlBase(core, repo)}/issues/${comment.issueNumber}#issuecomment-${comment.id}`,
    body: comment.body,
    user: simpleUser(core, comment.author),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    issue_url: `${apiBase(core, repo)}/issues/${comment.issueNumber}`,
    author_association: authorAssociation(core, comment.author)
  }
}
