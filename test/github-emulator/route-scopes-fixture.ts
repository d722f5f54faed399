/**
 * The world the route-by-route scope test runs in: the sample repository (private) with open,
 * merged, mergeable and out-of-date pull requests, comments, labels, refs, a check run, a
 * workflow run and a run artifact, so that every REST route of the forge has something to act on.
 */
import { writeFile } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { join } from 'node:path'
import { seedSampleRepo, startEmulator } from '../../harness/github-emulator/index.js'
import type {
  GitHubEmulator,
  RunArtifactSource,
  StoredArtifact,
  TokenPermissions
} from '../../harness/github-emulator/index.js'
import type { Client } from './helpers.js'
import { bareClient, client, gitOk, remoteWithToken, tempDir, waitFor } from './helpers.js'

export const owner = 'octo-org'
export const repo = 'tiny-lib'
export const ARTIFACT_ID = 77

/** What the rows act on; numbers and ids made in {@link startRouteWorld}. */
export interface RouteWorld {
  forge: GitHubEmulator
  /** The write token's client, for checks that are not under test. */
  api: Client
  runId: number
  mainSha: string
  /** An open pull request nothing merges. */
  pr: number
  /** A mergeable pull request for the merge row. */
  mergePr: number
  /** A pull request merged during setup. */
  mergedPr: number
  /** A pull request whose base has moved on. */
  behindPr: number
  issueComment: number
  prComment: number
  checkRun: number
  /** The `id` (not the number) of an issue to attach as a sub-issue. */
  childIssueId: number
  /** A client for a fresh job token holding exactly `permissions`. */
  jobClient(permissions: TokenPermissions): Client
  close(): Promise<void>
}

function artifactSource(runId: () => number): RunArtifactSource {
  const artifact = (): StoredArtifact => ({
    id: ARTIFACT_ID,
    name: 'waves-review-1-1',
    sizeInBytes: 4,
    runId: runId(),
    createdAt: '2024-05-01T10:00:00Z',
    updatedAt: '2024-05-01T10:00:05Z',
    expiresAt: null,
    digest: null
  })
  return {
    listRunArtifacts: async query => (query.runId === runId() ? [artifact()] : []),
    getArtifact: async query => (query.artifactId === ARTIFACT_ID ? artifact() : null),
    downloadUrl: async ({ apiUrl }) => `${apiUrl}/_blobs/${ARTIFACT_ID}.zip`
  }
}

async function blobs(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (!req.url?.startsWith('/_blobs/')) return false
  res.writeHead(200, { 'content-type': 'application/zip' })
  res.end('PK\u0003\u0004')
  return true
}

/** Pushes `branch` from `from` with one new file; returns its SHA. */
async function pushBranch(dir: string, branch: string, file: string): Promise<void> {
  await gitOk(dir, ['checkout', '--quiet', '-B', branch, 'origin/main'])
  await writeFile(join(dir, file), `${branch}\n`)
  await gitOk(dir, ['add', '--all'])
  await gitOk(dir, ['commit', '--quiet', '-m', `Add ${file}`])
  await gitOk(dir, ['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`])
}

async function openPull(api: Client, head: string): Promise<number> {
  const { data } = await api.rest.pulls.create({ owner, repo, head, base: 'main', title: head })
  return data.number
}

async function settled(api: Client, pull_number: number): Promise<void> {
  await waitFor(async () => {
    const { data } = await api.rest.pulls.get({ owner, repo, pull_number })
    return data.mergeable === null ? undefined : true
  }, `mergeability of PR #${pull_number}`)
}

/** The pull requests: open, mergeable, merged during setup, and behind its base. */
async function pullRequests(api: Client, dir: string) {
  for (const name of ['open', 'merge', 'merged', 'behind', 'new'])
    await pushBranch(dir, `tok/${name}`, `${name}.txt`)
  const [pr, mergePr, mergedPr, behindPr] = [
    await openPull(api, 'tok/open'),
    await openPull(api, 'tok/merge'),
    await openPull(api, 'tok/merged'),
    await openPull(api, 'tok/behind')
  ]
  await settled(api, mergedPr)
  // merging moves main, which leaves tok/behind behind its base
  await api.rest.pulls.merge({ owner, repo, pull_number: mergedPr })
  await settled(api, mergePr)
  await gitOk(dir, ['push', '--quiet', 'origin', 'origin/main:refs/heads/tok/patch'])
  await gitOk(dir, ['push', '--quiet', 'origin', 'origin/main:refs/heads/tok/delete'])
  return { pr, mergePr, mergedPr, behindPr }
}

/** Comments, a check run, a sub-issue candidate and labels. */
async function records(api: Client, bot: Client, pr: number, mainSha: string) {
  const on = (issue_number: number, body: string) =>
    api.rest.issues.createComment({ owner, repo, issue_number, body })
  const issueComment = (await on(1, 'on an issue')).data.id
  const prComment = (await on(pr, 'on a PR')).data.id
  const check = await bot.rest.checks.create({ owner, repo, name: 'build', head_sha: mainSha })
  const child = await api.rest.issues.create({ owner, repo, title: 'A sub-task' })
  for (const name of ['tok-update', 'tok-delete'])
    await api.rest.issues.createLabel({ owner, repo, name, color: 'ededed' })
  await api.rest.issues.addLabels({ owner, repo, issue_number: 2, labels: ['bug', 'tok-update'] })
  return { issueComment, prComment, checkRun: check.data.id, childIssueId: child.data.id }
}

/** Starts the forge and builds everything the rows act on. */
export async function startRouteWorld(): Promise<RouteWorld> {
  let runId = 0
  const forge = await startEmulator({
    extraHandlers: [blobs],
    artifacts: artifactSource(() => runId)
  })
  await seedSampleRepo(forge)
  const api = client(forge.apiUrl, forge.tokens.write)
  const work = await tempDir('forge-route-scopes-')
  const dir = join(work.path, 'clone')
  const remote = remoteWithToken(forge.cloneUrl(repo), forge.tokens.write)
  await gitOk(work.path, ['clone', '--quiet', remote, dir])
  const pulls = await pullRequests(api, dir)
  const mainSha = (await api.rest.git.getRef({ owner, repo, ref: 'heads/main' })).data.object.sha
  runId = forge.createWorkflowRun(repo, {
    workflow: 'ci.yml',
    event: 'push',
    headBranch: 'main',
    headSha: mainSha,
    actor: 'github-actions[bot]'
  })
  const bot = client(forge.apiUrl, forge.tokens.actions)
  return {
    forge,
    api,
    runId,
    mainSha,
    ...pulls,
    ...(await records(api, bot, pulls.pr, mainSha)),
    jobClient(permissions) {
      const env = forge.jobEnvironment(repo, runId, { permissions })
      return bareClient(forge.apiUrl, env.GITHUB_TOKEN)
    },
    async close() {
      await forge.close()
      await work.remove()
    }
  }
}
