/**
 * Users and repositories in GitHub's REST shapes, typed against `@octokit/openapi-types`.
 */
import type { components } from '@octokit/openapi-types'
import type { ForgeCore } from '../core.js'
import type { RepoState } from '../state.js'
import type { SandboxUser } from '../types.js'
import { permits } from '../auth.js'

type Schemas = components['schemas']

/** Deterministic `node_id` values in GitHub's style (base64 of kind and id). */
export function nodeId(kind: string, id: number | string): string {
  return Buffer.from(`0:${kind}${id}`).toString('base64').replace(/=+$/, '')
}

/** The web address of a repository (the forge serves no pages there; links stay well formed). */
export function htmlBase(core: ForgeCore, repo: RepoState): string {
  return `${core.baseUrl}/${repo.fullName}`
}

/** The API address of a repository. */
export function apiBase(core: ForgeCore, repo: RepoState): string {
  return `${core.baseUrl}/repos/${repo.fullName}`
}

const GHOST: SandboxUser = {
  id: 10137,
  login: 'ghost',
  type: 'User',
  permission: 'read',
  tokenKind: null,
  email: 'ghost@users.noreply.github.com'
}

/** The account behind a login (GitHub's `ghost` when the forge does not know it). */
export function account(core: ForgeCore, login: string): SandboxUser {
  return core.state.user(login) ?? GHOST
}

/** An account as nested in other objects (`simple-user`). */
export function simpleUser(core: ForgeCore, login: string): Schemas['simple-user'] {
  const user = account(core, login)
  const api = `${core.baseUrl}/users/${user.login}`
  return {
    login: user.login,
    id: user.id,
    node_id: nodeId('U', user.id),
    avatar_url: `${core.baseUrl}/avatars/${user.login}`,
    gravatar_id: '',
    url: api,
    html_url: `${core.baseUrl}/${user.login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: user.type,
    site_admin: false,
    user_view_type: 'public'
  }
}

/** The association GitHub shows next to an author's comments in this repository. */
export function authorAssociation(core: ForgeCore, login: string): Schemas['author-association'] {
  const user = account(core, login)
  if (user.type === 'Bot' || user === GHOST) return 'NONE'
  if (user.permission === 'admin') return 'MEMBER'
  return user.permission === 'write' ? 'COLLABORATOR' : 'CONTRIBUTOR'
}

function repoUrls(api: string) {
  return {
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    hooks_url: `${api}/hooks`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`
  }
}

function identityFields(core: ForgeCore, repo: RepoState) {
  const api = apiBase(core, repo)
  return {
    id: repo.id,
    node_id: nodeId('R', repo.id),
    name: repo.name,
    full_name: repo.fullName,
    owner: simpleUser(core, repo.owner),
    private: repo.settings.private,
    html_url: htmlBase(core, repo),
    description: null,
    fork: false,
    url: api,
    ...repoUrls(api)
  }
}

/** The `minimal-repository` shape nested in statuses and workflow runs. */
export function minimalRepository(core: ForgeCore, repo: RepoState): Schemas['minimal-repository'] {
  return identityFields(core, repo)
}

/** The `repository` shape, with the caller's permissions when a caller is given. */
export function repository(
  core: ForgeCore,
  repo: RepoState,
  caller: SandboxUser | null = null
): Schemas['repository'] {
  const html = htmlBase(core, repo)
  const openIssues = [...repo.issues.values()].filter(issue => issue.state === 'open').length
  return {
    ...identityFields(core, repo),
    license: null,
    forks: 0,
    ...(caller
      ? {
          permissions: {
            admin: permits(caller, 'admin'),
            maintain: permits(caller, 'admin'),
            push: permits(caller, 'write'),
            triage: permits(caller, 'write'),
            pull: permits(caller, 'read')
          }
        }
      : {}),
    git_url: `${html}.git`.replace(/^http/, 'git'),
    ssh_url: `git@127.0.0.1:${repo.fullName}.git`,
    clone_url: `${html}.git`,
    svn_url: html,
    mirror_url: null,
    homepage: null,
    language: 'JavaScript',
    forks_count: 0,
    stargazers_count: 0,
    watchers_count: 0,
    size: 1,
    default_branch: repo.settings.defaultBranch,
    open_issues_count: openIssues,
    topics: [],
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: false,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: repo.settings.private ? 'private' : 'public',
    pushed_at: repo.pushedAt,
    created_at: repo.createdAt,
    updated_at: repo.pushedAt,
    allow_merge_commit: true,
    allow_squash_merge: true,
    allow_rebase_merge: true,
    allow_update_branch: true,
    delete_branch_on_merge: repo.settings.deleteBranchOnMerge,
    open_issues: openIssues,
    watchers: 0
  }
}

/** `GET /repos/{owner}/{repo}` answers the `full-repository` shape. */
export function fullRepository(
  core: ForgeCore,
  repo: RepoState,
  caller: SandboxUser | null
): Schemas['full-repository'] {
  const base = repository(core, repo, caller)
  return {
    ...base,
    pushed_at: repo.pushedAt,
    created_at: repo.createdAt,
    updated_at: repo.pushedAt,
    has_discussions: false,
    subscribers_count: 0,
    network_count: 0
  }
}
