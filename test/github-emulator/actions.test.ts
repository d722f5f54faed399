import type { IncomingMessage, ServerResponse } from 'node:http'
import { startEmulator, seedSampleRepo } from '../../harness/github-emulator/index.js'
import type {
  GitHubEmulator,
  RunArtifactSource,
  StoredArtifact
} from '../../harness/github-emulator/index.js'
import type { Client } from './helpers.js'
import { client, statusOf } from './helpers.js'

const owner = 'octo-org'
const repo = 'tiny-lib'
const ZIP_BYTES = Buffer.from('PK\u0003\u0004 pretend zip')
let forge: GitHubEmulator
let api: Client
let bot: Client
let mainSha: string
const mountedPaths: string[] = []

const artifact: StoredArtifact = {
  id: 77,
  name: 'waves-dispatch-1-1',
  sizeInBytes: ZIP_BYTES.length,
  runId: 0,
  createdAt: '2024-05-01T10:00:00Z',
  updatedAt: '2024-05-01T10:00:05Z',
  expiresAt: null,
  digest: 'sha256:abc'
}

/** A stand-in for the artifact service, plugged in through the forge's mount point. */
const artifacts: RunArtifactSource = {
  listRunArtifacts: async ({ runId }) => (runId === artifact.runId ? [artifact] : []),
  getArtifact: async ({ artifactId }) => (artifactId === artifact.id ? artifact : null),
  downloadUrl: async ({ apiUrl, artifactId }) => `${apiUrl}/_blobs/${artifactId}.zip?sig=test`
}

async function blobHandler(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (!req.url?.startsWith('/_blobs/')) return false
  mountedPaths.push(req.url)
  res.writeHead(200, { 'content-type': 'application/zip' })
  res.end(ZIP_BYTES)
  return true
}

beforeAll(async () => {
  forge = await startEmulator({ extraHandlers: [blobHandler], artifacts })
  await seedSampleRepo(forge)
  api = client(forge.apiUrl, forge.tokens.write)
  bot = client(forge.apiUrl, forge.tokens.actions)
  mainSha = (await api.rest.git.getRef({ owner, repo, ref: 'heads/main' })).data.object.sha
})

afterAll(async () => {
  await forge.close()
})

describe('workflow dispatch and runs', () => {
  it('records a dispatch as a queued run and an event caused by the actions token', async () => {
    const dispatched = await bot.rest.actions.createWorkflowDispatch({
      owner,
      repo,
      workflow_id: 'ci.yml',
      ref: 'main'
    })
    expect(dispatched.status).toBe(204)
    const runs = await api.rest.actions.listWorkflowRunsForRepo({
      owner,
      repo,
      event: 'workflow_dispatch'
    })
    expect(runs.data.total_count).toBe(1)
    const run = runs.data.workflow_runs[0]!
    expect(run).toMatchObject({
      name: 'ci',
      path: '.github/workflows/ci.yml',
      head_branch: 'main',
      status: 'queued'
    })
    expect(run.actor?.login).toBe('github-actions[bot]')
    const same = await api.rest.actions.getWorkflowRun({ owner, repo, run_id: run.id })
    expect(same.data.id).toBe(run.id)
    const byWorkflow = await api.rest.actions.listWorkflowRuns({
      owner,
      repo,
      workflow_id: run.workflow_id
    })
    expect(byWorkflow.data.workflow_runs.map(r => r.id)).toEqual([run.id])

    const admin = client(forge.apiUrl, forge.tokens.admin)
    const { data } = await admin.request('GET /_sandbox/events', { repository: `${owner}/${repo}` })
    const events = (
      data as {
        events: Array<{
          type: string
          causedByActionsToken: boolean
          payload: Record<string, unknown>
        }>
      }
    ).events
    expect(events.find(e => e.type === 'workflow_dispatch')).toMatchObject({
      causedByActionsToken: true,
      payload: {
        workflow: '.github/workflows/ci.yml',
        ref: 'main',
        inputs: {},
        run_id: run.id
      }
    })
  })

  it('answers a missing workflow with 404 and a missing ref with 422', async () => {
    expect(
      (
        await statusOf(
          bot.rest.actions.createWorkflowDispatch({
            owner,
            repo,
            workflow_id: 'nope.yml',
            ref: 'main'
          })
        )
      )?.status
    ).toBe(404)
    expect(
      (
        await statusOf(
          bot.rest.actions.createWorkflowDispatch({
            owner,
            repo,
            workflow_id: 'ci.yml',
            ref: 'gone'
          })
        )
      )?.status
    ).toBe(422)
  })
})

describe('run artifacts through the mount point', () => {
  it('lists a run artifacts and redirects the zip download to the mounted handler', async () => {
    artifact.runId = forge.createWorkflowRun(repo, {
      workflow: 'ci.yml',
      event: 'push',
      headBranch: 'main',
      headSha: mainSha,
      actor: 'github-actions[bot]'
    })
    const listed = await bot.rest.actions.listWorkflowRunArtifacts({
      owner,
      repo,
      run_id: artifact.runId,
      name: artifact.name
    })
    expect(listed.data.total_count).toBe(1)
    expect(listed.data.artifacts[0]).toMatchObject({
      id: 77,
      name: artifact.name,
      size_in_bytes: ZIP_BYTES.length,
      digest: 'sha256:abc'
    })
    expect(listed.data.artifacts[0]?.workflow_run).toMatchObject({
      id: artifact.runId,
      head_branch: 'main',
      head_sha: mainSha
    })
    const none = await bot.rest.actions.listWorkflowRunArtifacts({
      owner,
      repo,
      run_id: artifact.runId,
      name: 'other'
    })
    expect(none.data.total_count).toBe(0)

    const redirect = await bot.rest.actions.downloadArtifact({
      owner,
      repo,
      artifact_id: 77,
      archive_format: 'zip',
      request: { redirect: 'manual' }
    })
    expect(redirect.status).toBe(302)
    const location = String(redirect.headers.location)
    expect(location).toBe(`${forge.apiUrl}/_blobs/77.zip?sig=test`)
    const followed = await bot.rest.actions.downloadArtifact({
      owner,
      repo,
      artifact_id: 77,
      archive_format: 'zip'
    })
    expect(Buffer.from(followed.data as ArrayBuffer).equals(ZIP_BYTES)).toBe(true)
    expect(mountedPaths).toEqual(['/_blobs/77.zip?sig=test'])
    expect(
      (await statusOf(bot.rest.actions.getArtifact({ owner, repo, artifact_id: 78 })))?.status
    ).toBe(404)
  })
})
