/**
 * ActionsArtifacts end to end: two jobs of two workflow runs on the sandbox forge, each a child
 * process run the way the Actions runner runs a step, one uploading and the other downloading
 * with `findBy` through the real `@actions/artifact` client. A hostile artifact, whose zip no
 * archiver would write, is stored through the artifact service's own protocol.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { getOctokit } from '@actions/github'
import { seedSampleRepo, startEmulator } from '../../harness/github-emulator/index.js'
import type { GitHubEmulator, RequestLogEntry } from '../../harness/github-emulator/index.js'
import type { ActionRunResult } from '../../harness/actions-engine/action-runner.js'
import { runAction } from '../../harness/actions-engine/action-runner.js'
import { craftZip } from '../fixtures/artifact-jobs/crafted-zip.js'

const JOB_ENTRY = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'fixtures',
  'artifact-jobs',
  'actions-artifacts-job.mjs'
)
const ARTIFACT = 'waves-dispatch-7-1'
/** Each job is a fresh node process that compiles the adapter: slow on a loaded machine. */
const JOB_TIMEOUT_MS = 120_000
const LIST_ROUTE = 'GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts'
const ZIP_ROUTE = 'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}'

let forge: GitHubEmulator
let repo: string
let scratch: string
let source: string
let runA: number
let runB: number

/** One step of a job of `runId`, with the environment the runner and the forge give it. */
function runJob(
  runId: number,
  inputs: Record<string, string>,
  options: { keepFiles?: boolean } = {}
): Promise<ActionRunResult> {
  const { GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID, ...artifactEnv } = forge.jobEnvironment(
    repo,
    runId
  )
  return runAction({
    entry: JOB_ENTRY,
    inputs: { name: ARTIFACT, ...inputs },
    apiUrl: GITHUB_API_URL,
    repository: GITHUB_REPOSITORY,
    runId: Number(GITHUB_RUN_ID),
    // any other host makes the client take the server for GitHub Enterprise Server and refuse
    serverUrl: 'https://github.com',
    token: forge.tokens.actions,
    env: artifactEnv,
    timeoutMs: JOB_TIMEOUT_MS - 10_000,
    ...options
  })
}

/**
 * Stores `zip` as the artifact `name` of run `runId` the way the client uploads one, over plain
 * HTTP: CreateArtifact, one staged block and its block list on the signed URL, FinalizeArtifact
 * with the size and digest. Returns the artifact id.
 */
async function uploadRawArtifact(runId: number, name: string, zip: Buffer): Promise<number> {
  const service = forge.artifactService!
  const { runBackendId } = service.registerRun({ owner: forge.owner, repo, runId })
  const job = { runBackendId, jobBackendId: randomUUID() }
  const ids = {
    workflow_run_backend_id: runBackendId,
    workflow_job_run_backend_id: job.jobBackendId
  }
  const twirp = async (method: string, body: object): Promise<Record<string, string>> => {
    const response = await fetch(
      `${forge.apiUrl}/twirp/github.actions.results.api.v1.ArtifactService/${method}`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${service.runtimeTokenFor(job)}`,
          'content-type': 'application/json'
        },
        body: JSON.stringify({ ...ids, ...body })
      }
    )
    expect(response.status).toBe(200)
    return (await response.json()) as Record<string, string>
  }
  const created = await twirp('CreateArtifact', { name, version: 4, mime_type: 'application/zip' })
  const blockId = Buffer.from(randomUUID()).toString('base64')
  const block = new URL(created.signed_upload_url ?? '')
  block.searchParams.set('comp', 'block')
  block.searchParams.set('blockid', blockId)
  expect((await fetch(block, { method: 'PUT', body: zip })).status).toBe(201)
  const blockList = new URL(created.signed_upload_url ?? '')
  blockList.searchParams.set('comp', 'blocklist')
  const committed = await fetch(blockList, {
    method: 'PUT',
    headers: { 'x-ms-blob-content-type': 'application/zip' },
    body: `<?xml version="1.0" encoding="utf-8"?><BlockList><Latest>${blockId}</Latest></BlockList>`
  })
  expect(committed.status).toBe(201)
  const finalized = await twirp('FinalizeArtifact', {
    name,
    size: String(zip.length),
    hash: `sha256:${createHash('sha256').update(zip).digest('hex')}`
  })
  return Number(finalized.artifact_id)
}

/** Relative path → sha256 of every file under `directory`. */
async function digestsUnder(directory: string): Promise<Record<string, string>> {
  const digests: Record<string, string> = {}
  for (const entry of await readdir(directory, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const path = join(entry.parentPath, entry.name)
    const key = relative(directory, path).split(sep).join('/')
    digests[key] = createHash('sha256')
      .update(await readFile(path))
      .digest('hex')
  }
  return digests
}

function restArtifactCalls(
  since: number
): Array<Pick<RequestLogEntry, 'status' | 'tokenKind'> & { route: string }> {
  return forge
    .requests()
    .slice(since)
    .filter(entry => entry.route.includes('/actions/'))
    .map(({ method, route, status, tokenKind }) => ({
      route: `${method} ${route}`,
      status,
      tokenKind
    }))
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'artifacts-e2e-'))
  forge = await startEmulator()
  repo = await seedSampleRepo(forge)
  const bot = getOctokit(forge.tokens.actions, { baseUrl: forge.apiUrl })
  await bot.rest.actions.createWorkflowDispatch({
    owner: forge.owner,
    repo,
    workflow_id: 'ci.yml',
    ref: 'main'
  })
  const dispatched = await bot.rest.actions.listWorkflowRunsForRepo({ owner: forge.owner, repo })
  runA = dispatched.data.workflow_runs[0]!.id
  runB = forge.createWorkflowRun(repo, {
    workflow: 'review.yml',
    event: 'workflow_run',
    headBranch: 'main',
    headSha: dispatched.data.workflow_runs[0]!.head_sha,
    actor: 'github-actions[bot]'
  })

  source = join(scratch, 'source')
  const files: Record<string, Buffer> = {
    'prompt.md': Buffer.from('# Dispatch\n\nFix issue #7.\n'),
    'codex/events.jsonl': Buffer.from('{"type":"turn.completed"}\n'.repeat(200)),
    'codex/logs/deep/every-byte.bin': Buffer.from(Array.from({ length: 1024 }, (_, i) => i % 256)),
    'codex/logs/deep/random.bin': randomBytes(300_000)
  }
  for (const [path, bytes] of Object.entries(files)) {
    await mkdir(dirname(join(source, path)), { recursive: true })
    await writeFile(join(source, path), bytes)
  }
}, JOB_TIMEOUT_MS)

afterAll(async () => {
  await forge.close()
  await rm(scratch, { recursive: true, force: true })
})

describe('ActionsArtifacts across two workflow runs on the sandbox forge', () => {
  let artifactId: string

  it(
    'run A uploads nested text and binary files as one artifact',
    async () => {
      const upload = await runJob(runA, { operation: 'upload', source })

      expect(upload.annotations).toEqual([])
      expect(upload.exitCode).toBe(0)
      artifactId = upload.outputs['artifact-id'] ?? ''
      expect(JSON.parse(upload.outputs.files ?? '[]')).toEqual(
        Object.keys(await digestsUnder(source)).sort()
      )
      expect(forge.artifactService?.listArtifacts(forge.owner, repo, runA)).toEqual([
        expect.objectContaining({ id: Number(artifactId), name: ARTIFACT, runId: runA })
      ])
    },
    JOB_TIMEOUT_MS
  )

  it(
    'run B downloads it with findBy and run A’s id, byte for byte, through the REST artifact routes',
    async () => {
      const since = forge.requests().length
      const destination = join(scratch, 'downloaded')
      await mkdir(destination)

      const download = await runJob(runB, {
        operation: 'download',
        'run-id': String(runA),
        destination
      })

      expect(download.annotations).toEqual([])
      expect(download.exitCode).toBe(0)
      expect(await digestsUnder(destination)).toEqual(await digestsUnder(source))
      expect(restArtifactCalls(since)).toEqual([
        { route: LIST_ROUTE, status: 200, tokenKind: 'actions' },
        { route: ZIP_ROUTE, status: 302, tokenKind: 'actions' }
      ])
      // the signed blob URL of the 302 needs no token, as Azure's SAS URLs need none
      const blobReads = forge
        .requests()
        .slice(since)
        .filter(entry => entry.route.startsWith('/_blob/'))
        .map(({ method, route, status, tokenKind }) => ({ method, route, status, tokenKind }))
      expect(blobReads).toEqual([
        {
          method: 'GET',
          route: `/_blob/artifacts/${artifactId}`,
          status: 200,
          tokenKind: 'anonymous'
        }
      ])
    },
    JOB_TIMEOUT_MS
  )

  it(
    'a name run A never uploaded fails the step with an error naming the artifact and the run',
    async () => {
      const since = forge.requests().length
      const destination = join(scratch, 'never')
      await mkdir(destination)

      const download = await runJob(runB, {
        operation: 'download',
        name: 'waves-dispatch-9-1',
        'run-id': String(runA),
        destination
      })

      expect(download.exitCode).toBe(1)
      expect(download.annotations).toHaveLength(1)
      expect(download.annotations[0]?.message).toMatch(
        new RegExp(
          `^Artifact 'waves-dispatch-9-1' of run ${runA} could not be found: Artifact not found for name: waves-dispatch-9-1`
        )
      )
      expect(await readdir(destination)).toEqual([])
      expect(restArtifactCalls(since)).toEqual([
        { route: LIST_ROUTE, status: 200, tokenKind: 'actions' }
      ])
    },
    JOB_TIMEOUT_MS
  )

  it(
    'a fault injected on the list route is answered by the forge and retried by the client',
    async () => {
      forge.injectFault({ route: LIST_ROUTE, kind: 'error', status: 502, times: 1 })
      const since = forge.requests().length
      const destination = join(scratch, 'after-fault')
      await mkdir(destination)

      const download = await runJob(runB, {
        operation: 'download',
        'run-id': String(runA),
        destination
      })

      expect(download.exitCode).toBe(0)
      expect(await digestsUnder(destination)).toEqual(await digestsUnder(source))
      expect(restArtifactCalls(since)).toEqual([
        { route: LIST_ROUTE, status: 502, tokenKind: 'actions' },
        { route: LIST_ROUTE, status: 200, tokenKind: 'actions' },
        { route: ZIP_ROUTE, status: 302, tokenKind: 'actions' }
      ])
    },
    JOB_TIMEOUT_MS
  )

  it(
    'a hostile artifact holding ../record.json fails the step with a clear error and writes nothing',
    async () => {
      const hostile = 'waves-dispatch-66-1'
      const zip = craftZip(
        [
          { name: 'prompt.md', content: '# Dispatch\n' },
          { name: '../record.json', content: '{"issues":[66],"hostile":true}' }
        ],
        { dataDescriptors: true }
      )
      const hostileId = await uploadRawArtifact(runA, hostile, zip)
      expect(await forge.artifactService?.zipOf(hostileId)).toEqual(zip)
      const destination = join(scratch, 'hostile')
      await mkdir(destination)

      const download = await runJob(
        runB,
        { operation: 'download', name: hostile, 'run-id': String(runA), destination },
        { keepFiles: true }
      )

      try {
        expect(download.exitCode).toBe(1)
        expect(download.annotations.map(a => a.message)).toEqual([
          `Artifact '${hostile}' of run ${runA} holds the path '../record.json', which escapes the artifact. It was not extracted; the artifact may have been tampered with.`
        ])
        expect(await readdir(destination)).toEqual([])
        // the client's own extraction would have written '../record.json' as record.json inside its
        // download folder, or next to it had the '..' been followed: neither happened
        expect(await readdir(download.runnerTemp)).toEqual([])
        expect(await readdir(dirname(download.runnerTemp))).not.toContain('record.json')
        expect(await readdir(download.workspace)).toEqual([])
      } finally {
        await rm(dirname(download.runnerTemp), { recursive: true, force: true })
      }
    },
    JOB_TIMEOUT_MS
  )
})
