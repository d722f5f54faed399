/**
 * One row per REST route of the forge (and a few per accepted alternative): the scope GitHub's
 * "Permissions required for GitHub Apps" names for it, the status a token holding that scope
 * gets, and the real Octokit call. Rows run in order; later rows may rely on earlier ones. The
 * repository, issue, label and comment rows are here; the code, status and Actions rows are in
 * `route-scopes-code-rows.ts`.
 */
import type { ScopeNeed } from '../../harness/github-emulator/index.js'
import type { Client } from './helpers.js'
import { actionRows, pullRows, refRows, statusRows } from './route-scopes-code-rows.js'
import type { RouteWorld } from './route-scopes-fixture.js'
import { owner, repo } from './route-scopes-fixture.js'

export interface RouteRow {
  /** `METHOD template`, as the request log names the route. */
  route: string
  /** The scope that suffices on its own. */
  needs: ScopeNeed
  /** Other scopes the route accepts on this target; the refused token lacks them too. */
  also?: readonly ScopeNeed[]
  /** The status a token holding `needs` gets. */
  status: number
  call(octokit: Client, w: RouteWorld): Promise<{ status: number }>
}

const o = { owner, repo }
const R = '/repos/{owner}/{repo}'
const ISSUE = `${R}/issues/{issue_number}`

const repoRows: RouteRow[] = [
  { route: `GET ${R}`, needs: 'metadata:read', status: 200, call: k => k.rest.repos.get(o) },
  {
    route: `GET ${R}/collaborators/{username}/permission`,
    needs: 'metadata:read',
    status: 200,
    call: k => k.rest.repos.getCollaboratorPermissionLevel({ ...o, username: 'forge-writer' })
  }
]

const issueRows: RouteRow[] = [
  {
    route: `GET ${R}/issues`,
    needs: 'issues:read',
    status: 200,
    call: k => k.rest.issues.listForRepo(o)
  },
  {
    route: `POST ${R}/issues`,
    needs: 'issues:write',
    status: 201,
    call: k => k.rest.issues.create({ ...o, title: 'by a job' })
  },
  {
    route: `GET ${ISSUE}`,
    needs: 'issues:read',
    status: 200,
    call: k => k.rest.issues.get({ ...o, issue_number: 1 })
  },
  {
    route: `PATCH ${ISSUE}`,
    needs: 'issues:write',
    status: 200,
    call: k => k.rest.issues.update({ ...o, issue_number: 1, body: 'edited' })
  },
  {
    route: `PATCH ${ISSUE}`,
    needs: 'pull-requests:write',
    also: ['issues:write'],
    status: 200,
    call: (k, w) => k.rest.issues.update({ ...o, issue_number: w.pr, body: 'edited PR' })
  },
  {
    route: `PUT ${ISSUE}/lock`,
    needs: 'issues:write',
    status: 204,
    call: k => k.rest.issues.lock({ ...o, issue_number: 3 })
  },
  {
    route: `DELETE ${ISSUE}/lock`,
    needs: 'issues:write',
    status: 204,
    call: k => k.rest.issues.unlock({ ...o, issue_number: 3 })
  },
  {
    route: `GET ${ISSUE}/sub_issues`,
    needs: 'issues:read',
    status: 200,
    call: k => k.request(`GET ${ISSUE}/sub_issues`, { ...o, issue_number: 4 })
  },
  {
    route: `POST ${ISSUE}/sub_issues`,
    needs: 'issues:write',
    status: 201,
    call: (k, w) =>
      k.request(`POST ${ISSUE}/sub_issues`, { ...o, issue_number: 4, sub_issue_id: w.childIssueId })
  }
]

const labelRows: RouteRow[] = [
  {
    route: `GET ${R}/labels`,
    needs: 'issues:read',
    also: ['pull-requests:read'],
    status: 200,
    call: k => k.rest.issues.listLabelsForRepo(o)
  },
  {
    route: `GET ${R}/labels`,
    needs: 'pull-requests:read',
    also: ['issues:read'],
    status: 200,
    call: k => k.rest.issues.listLabelsForRepo(o)
  },
  {
    route: `POST ${R}/labels`,
    needs: 'issues:write',
    also: ['pull-requests:write'],
    status: 201,
    call: k => k.rest.issues.createLabel({ ...o, name: 'tok-created', color: 'ededed' })
  },
  {
    route: `GET ${R}/labels/{name}`,
    needs: 'issues:read',
    also: ['pull-requests:read'],
    status: 200,
    call: k => k.rest.issues.getLabel({ ...o, name: 'bug' })
  },
  {
    route: `PATCH ${R}/labels/{name}`,
    needs: 'pull-requests:write',
    also: ['issues:write'],
    status: 200,
    call: k => k.rest.issues.updateLabel({ ...o, name: 'tok-update', description: 'updated' })
  },
  {
    route: `DELETE ${R}/labels/{name}`,
    needs: 'issues:write',
    also: ['pull-requests:write'],
    status: 204,
    call: k => k.rest.issues.deleteLabel({ ...o, name: 'tok-delete' })
  },
  {
    route: `GET ${ISSUE}/labels`,
    needs: 'issues:read',
    status: 200,
    call: k => k.rest.issues.listLabelsOnIssue({ ...o, issue_number: 2 })
  },
  {
    route: `POST ${ISSUE}/labels`,
    needs: 'issues:write',
    status: 200,
    call: k => k.rest.issues.addLabels({ ...o, issue_number: 2, labels: ['enhancement'] })
  },
  {
    route: `POST ${ISSUE}/labels`,
    needs: 'pull-requests:write',
    also: ['issues:write'],
    status: 200,
    call: (k, w) => k.rest.issues.addLabels({ ...o, issue_number: w.pr, labels: ['bug'] })
  },
  {
    route: `PUT ${ISSUE}/labels`,
    needs: 'issues:write',
    status: 200,
    call: k => k.rest.issues.setLabels({ ...o, issue_number: 2, labels: ['bug', 'tok-update'] })
  },
  {
    route: `DELETE ${ISSUE}/labels/{name}`,
    needs: 'issues:write',
    status: 200,
    call: k => k.rest.issues.removeLabel({ ...o, issue_number: 2, name: 'tok-update' })
  },
  {
    route: `DELETE ${ISSUE}/labels`,
    needs: 'issues:write',
    status: 204,
    call: k => k.rest.issues.removeAllLabels({ ...o, issue_number: 2 })
  }
]

const COMMENT = `${R}/issues/comments/{comment_id}`
const commentRows: RouteRow[] = [
  {
    route: `GET ${ISSUE}/comments`,
    needs: 'issues:read',
    status: 200,
    call: k => k.rest.issues.listComments({ ...o, issue_number: 1 })
  },
  {
    route: `POST ${ISSUE}/comments`,
    needs: 'issues:write',
    status: 201,
    call: k => k.rest.issues.createComment({ ...o, issue_number: 1, body: 'job' })
  },
  {
    route: `POST ${ISSUE}/comments`,
    needs: 'pull-requests:write',
    also: ['issues:write'],
    status: 201,
    call: (k, w) => k.rest.issues.createComment({ ...o, issue_number: w.pr, body: 'job on a PR' })
  },
  {
    route: `GET ${COMMENT}`,
    needs: 'issues:read',
    status: 200,
    call: (k, w) => k.rest.issues.getComment({ ...o, comment_id: w.issueComment })
  },
  {
    route: `GET ${COMMENT}`,
    needs: 'pull-requests:read',
    also: ['issues:read'],
    status: 200,
    call: (k, w) => k.rest.issues.getComment({ ...o, comment_id: w.prComment })
  },
  {
    route: `PATCH ${COMMENT}`,
    needs: 'issues:write',
    status: 200,
    call: (k, w) =>
      k.rest.issues.updateComment({ ...o, comment_id: w.issueComment, body: 'edited' })
  },
  {
    route: `DELETE ${COMMENT}`,
    needs: 'issues:write',
    status: 204,
    call: (k, w) => k.rest.issues.deleteComment({ ...o, comment_id: w.issueComment })
  }
]

/** Every row, in the order they run. */
export const ROUTE_ROWS: readonly RouteRow[] = [
  ...repoRows,
  ...issueRows,
  ...labelRows,
  ...commentRows,
  ...pullRows,
  ...refRows,
  ...statusRows,
  ...actionRows
]
