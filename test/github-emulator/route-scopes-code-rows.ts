/**
 * The route rows for pull requests and merges, refs and commits, statuses and checks, and
 * Actions; see `route-scopes-rows.ts`.
 */
import type { RouteRow } from './route-scopes-rows.js'
import { ARTIFACT_ID, owner, repo } from './route-scopes-fixture.js'

const o = { owner, repo }
const R = '/repos/{owner}/{repo}'
const PULL = `${R}/pulls/{pull_number}`

export const pullRows: RouteRow[] = [
  {
    route: `GET ${R}/pulls`,
    needs: 'pull-requests:read',
    status: 200,
    call: k => k.rest.pulls.list(o)
  },
  {
    route: `POST ${R}/pulls`,
    needs: 'pull-requests:write',
    status: 201,
    call: k => k.rest.pulls.create({ ...o, head: 'tok/new', base: 'main', title: 'by a job' })
  },
  {
    route: `GET ${PULL}`,
    needs: 'pull-requests:read',
    also: ['contents:read'],
    status: 200,
    call: (k, w) => k.rest.pulls.get({ ...o, pull_number: w.pr })
  },
  {
    route: `GET ${PULL}`,
    needs: 'contents:read',
    also: ['pull-requests:read'],
    status: 200,
    call: (k, w) => k.rest.pulls.get({ ...o, pull_number: w.pr })
  },
  {
    route: `PATCH ${PULL}`,
    needs: 'pull-requests:write',
    status: 200,
    call: (k, w) => k.rest.pulls.update({ ...o, pull_number: w.pr, body: 'edited' })
  },
  {
    route: `GET ${PULL}/files`,
    needs: 'pull-requests:read',
    status: 200,
    call: (k, w) => k.rest.pulls.listFiles({ ...o, pull_number: w.pr })
  },
  {
    route: `GET ${PULL}/commits`,
    needs: 'pull-requests:read',
    status: 200,
    call: (k, w) => k.rest.pulls.listCommits({ ...o, pull_number: w.pr })
  },
  {
    route: `GET ${PULL}/merge`,
    needs: 'pull-requests:read',
    status: 204,
    call: (k, w) => k.rest.pulls.checkIfMerged({ ...o, pull_number: w.mergedPr })
  },
  {
    route: `PUT ${PULL}/merge`,
    needs: 'contents:write',
    status: 200,
    call: (k, w) => k.rest.pulls.merge({ ...o, pull_number: w.mergePr })
  },
  {
    route: `PUT ${PULL}/update-branch`,
    needs: 'pull-requests:write',
    status: 202,
    call: (k, w) => k.rest.pulls.updateBranch({ ...o, pull_number: w.behindPr })
  }
]

export const refRows: RouteRow[] = [
  {
    route: `GET ${R}/git/ref/{ref}`,
    needs: 'contents:read',
    status: 200,
    call: k => k.rest.git.getRef({ ...o, ref: 'heads/main' })
  },
  {
    route: `GET ${R}/git/matching-refs/{ref}`,
    needs: 'contents:read',
    status: 200,
    call: k => k.rest.git.listMatchingRefs({ ...o, ref: 'heads/tok' })
  },
  {
    route: `POST ${R}/git/refs`,
    needs: 'contents:write',
    status: 201,
    call: (k, w) => k.rest.git.createRef({ ...o, ref: 'refs/heads/tok/created', sha: w.mainSha })
  },
  {
    route: `PATCH ${R}/git/refs/{ref}`,
    needs: 'contents:write',
    status: 200,
    call: (k, w) => k.rest.git.updateRef({ ...o, ref: 'heads/tok/patch', sha: w.mainSha })
  },
  {
    route: `DELETE ${R}/git/refs/{ref}`,
    needs: 'contents:write',
    status: 204,
    call: k => k.rest.git.deleteRef({ ...o, ref: 'heads/tok/delete' })
  },
  {
    route: `GET ${R}/compare/{basehead}`,
    needs: 'contents:read',
    status: 200,
    call: k => k.rest.repos.compareCommitsWithBasehead({ ...o, basehead: 'main...tok/open' })
  },
  {
    route: `GET ${R}/commits/{ref}`,
    needs: 'contents:read',
    status: 200,
    call: k => k.rest.repos.getCommit({ ...o, ref: 'main' })
  }
]

export const statusRows: RouteRow[] = [
  {
    route: `POST ${R}/statuses/{sha}`,
    needs: 'statuses:write',
    status: 201,
    call: (k, w) =>
      k.rest.repos.createCommitStatus({
        ...o,
        sha: w.mainSha,
        state: 'success',
        context: 'codex-waves/review'
      })
  },
  {
    route: `GET ${R}/commits/{ref}/status`,
    needs: 'statuses:read',
    status: 200,
    call: k => k.rest.repos.getCombinedStatusForRef({ ...o, ref: 'main' })
  },
  {
    route: `GET ${R}/commits/{ref}/statuses`,
    needs: 'statuses:read',
    status: 200,
    call: k => k.rest.repos.listCommitStatusesForRef({ ...o, ref: 'main' })
  },
  {
    route: `GET ${R}/commits/{ref}/check-runs`,
    needs: 'checks:read',
    status: 200,
    call: k => k.rest.checks.listForRef({ ...o, ref: 'main' })
  },
  {
    route: `POST ${R}/check-runs`,
    needs: 'checks:write',
    status: 201,
    call: (k, w) => k.rest.checks.create({ ...o, name: 'lint', head_sha: w.mainSha })
  },
  {
    route: `GET ${R}/check-runs/{check_run_id}`,
    needs: 'checks:read',
    status: 200,
    call: (k, w) => k.rest.checks.get({ ...o, check_run_id: w.checkRun })
  },
  {
    route: `PATCH ${R}/check-runs/{check_run_id}`,
    needs: 'checks:write',
    status: 200,
    call: (k, w) =>
      k.rest.checks.update({
        ...o,
        check_run_id: w.checkRun,
        status: 'completed',
        conclusion: 'success'
      })
  }
]

const A = `${R}/actions`
export const actionRows: RouteRow[] = [
  {
    route: `POST ${A}/workflows/{workflow_id}/dispatches`,
    needs: 'actions:write',
    status: 204,
    call: k => k.rest.actions.createWorkflowDispatch({ ...o, workflow_id: 'ci.yml', ref: 'main' })
  },
  {
    route: `GET ${A}/workflows/{workflow_id}/runs`,
    needs: 'actions:read',
    status: 200,
    call: k => k.rest.actions.listWorkflowRuns({ ...o, workflow_id: 'ci.yml' })
  },
  {
    route: `GET ${A}/runs`,
    needs: 'actions:read',
    status: 200,
    call: k => k.rest.actions.listWorkflowRunsForRepo(o)
  },
  {
    route: `GET ${A}/runs/{run_id}`,
    needs: 'actions:read',
    status: 200,
    call: (k, w) => k.rest.actions.getWorkflowRun({ ...o, run_id: w.runId })
  },
  {
    route: `GET ${A}/runs/{run_id}/artifacts`,
    needs: 'actions:read',
    status: 200,
    call: (k, w) => k.rest.actions.listWorkflowRunArtifacts({ ...o, run_id: w.runId })
  },
  {
    route: `GET ${A}/artifacts/{artifact_id}`,
    needs: 'actions:read',
    status: 200,
    call: k => k.rest.actions.getArtifact({ ...o, artifact_id: ARTIFACT_ID })
  },
  {
    route: `GET ${A}/artifacts/{artifact_id}/{archive_format}`,
    needs: 'actions:read',
    status: 302,
    call: k =>
      k.rest.actions.downloadArtifact({
        ...o,
        artifact_id: ARTIFACT_ID,
        archive_format: 'zip',
        request: { redirect: 'manual' }
      })
  }
]
