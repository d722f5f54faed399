import { execFile } from 'node:child_process'
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import type { Server } from 'node:http'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type {
  ArtifactService,
  JobBackendIds,
  RestArtifactList
} from '../../src/sandbox/artifact-service.js'
import { createArtifactService } from '../../src/sandbox/artifact-service.js'

const JOB_SCRIPT = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'fixtures',
  'artifact-jobs',
  'job.mjs'
)
const OWNER = 'octo-org'
const REPO = 'waves-demo'
const READ_TOKEN = 'ghs_sandbox_actions_read'
const ARTIFACT = 'waves-dispatch-7-1'
const RUN_A = 4101
const RUN_B = 4102
/** Each simulated job is a fresh node process loading the client: slow on a loaded machine. */
const JOB_TEST_TIMEOUT_MS = 120_000

interface StepResult {
  ok: boolean
  value?: Record<string, unknown>
  error?: { name: string; message: string }
}

interface LoggedRequest {
  method: string
  path: string
  status: number
}

let root: string
let server: Server
let baseUrl: string
let service: ArtifactService
const requestLog: LoggedRequest[] = []
let runA: { runBackendId: string }
let runB: { runBackendId: string }
let uploaderJob: JobBackendIds
let workspaceA: string
let uploadedFiles: string[]
let uploadedId: number

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'artifact-service-'))
  service = createArtifactService({
    publicUrl: () => baseUrl,
    storageDir: join(root, 'storage'),
    authorizeRest: req =>
      req.headers.authorization === `token ${READ_TOKEN}`
        ? null
        : {
            status: 401,
            body: {
              message: 'Bad credentials',
              documentation_url: 'https://docs.github.com/rest',
              status: '401'
            }
          }
  })
  server = createServer((req, res) => {
    res.on('finish', () => {
      const url = new URL(req.url ?? '/', 'http://x')
      requestLog.push({
        method: req.method ?? '',
        path: url.pathname + url.search,
        status: res.statusCode
      })
    })
    service
      .handle(req, res)
      .then(handled => {
        if (!handled) res.writeHead(404).end()
      })
      .catch(() => res.destroy())
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  runA = service.registerRun({ owner: OWNER, repo: REPO, runId: RUN_A, headBranch: 'main' })
  runB = service.registerRun({ owner: OWNER, repo: REPO, runId: RUN_B, headBranch: 'main' })
  uploaderJob = { runBackendId: runA.runBackendId, jobBackendId: randomUUID() }

  workspaceA = join(root, 'workspace-a')
  const contents: Record<string, Buffer> = {
    'prompt.md': Buffer.from('# Dispatch prompt\n\nFix issue #7.\n'),
    'logs/codex/events.jsonl': Buffer.from('{"type":"turn.completed"}\n'.repeat(500)),
    'bin/every-byte.bin': Buffer.from(Array.from({ length: 256 * 8 }, (_, i) => i % 256)),
    // Over the client's 8 MiB block size, so the zip goes up in two blocks staged concurrently.
    'bin/random.bin': randomBytes(9 * 1024 * 1024 + 17)
  }
  uploadedFiles = []
  for (const [path, bytes] of Object.entries(contents)) {
    const file = join(workspaceA, path)
    await mkdir(dirname(file), { recursive: true })
    await writeFile(file, bytes)
    uploadedFiles.push(file)
  }
})

afterAll(async () => {
  await new Promise(resolve => server.close(resolve))
  await rm(root, { recursive: true, force: true })
})

/** Runs one simulated job in its own process, with only the environment a runner would give it. */
async function runJob(job: JobBackendIds, steps: object[]): Promise<StepResult[]> {
  const dir = await mkdtemp(join(root, 'job-'))
  const stepsFile = join(dir, 'steps.json')
  const resultsFile = join(dir, 'results.json')
  await writeFile(stepsFile, JSON.stringify(steps))
  await promisify(execFile)(process.execPath, [JOB_SCRIPT, stepsFile, resultsFile], {
    cwd: dir,
    timeout: 90_000,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      GITHUB_API_URL: baseUrl,
      GITHUB_WORKSPACE: dir,
      ...service.jobEnvironment(job)
    }
  })
  return JSON.parse(await readFile(resultsFile, 'utf8')) as StepResult[]
}

function findBy(runId: number): object {
  return { token: READ_TOKEN, workflowRunId: runId, repositoryOwner: OWNER, repositoryName: REPO }
}

function requestsSince(start: number): string[] {
  return requestLog.slice(start).map(r => `${r.method} ${r.path.replace(/\?.*$/, '')} ${r.status}`)
}

async function filesUnder(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>()
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const path = join(entry.parentPath, entry.name)
    files.set(relative(dir, path), sha256(await readFile(path)))
  }
  return files
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex')
}

async function twirp(method: string, token: string, body: object): Promise<Response> {
  return fetch(`${baseUrl}/twirp/github.actions.results.api.v1.ArtifactService/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body)
  })
}

describe('artifact service with the real @actions/artifact client', () => {
  test(
    'a job uploads through CreateArtifact, staged blocks, a block list and FinalizeArtifact',
    async () => {
      const start = requestLog.length
      const [upload] = await runJob(uploaderJob, [
        { op: 'upload', name: ARTIFACT, files: uploadedFiles, rootDirectory: workspaceA }
      ])

      expect(upload?.error).toBeUndefined()
      uploadedId = upload?.value?.id as number
      const stored = await service.zipOf(uploadedId)
      expect(upload?.value?.size).toBe(stored.length)
      expect(upload?.value?.digest).toBe(sha256(stored))
      expect(stored.subarray(0, 4)).toEqual(Buffer.from('PK\x03\x04', 'latin1'))
      const twirpPath = '/twirp/github.actions.results.api.v1.ArtifactService'
      expect(requestsSince(start)).toEqual([
        `POST ${twirpPath}/CreateArtifact 200`,
        `PUT /_blob/artifacts/${uploadedId} 201`,
        `PUT /_blob/artifacts/${uploadedId} 201`,
        `PUT /_blob/artifacts/${uploadedId} 201`,
        `POST ${twirpPath}/FinalizeArtifact 200`
      ])
      const blobWrites = requestLog.slice(start + 1, start + 4).map(r => new URL(r.path, baseUrl))
      expect(blobWrites.map(url => url.searchParams.get('comp'))).toEqual([
        'block',
        'block',
        'blocklist'
      ])
      expect(new Set(blobWrites.slice(0, 2).map(url => url.searchParams.get('blockid'))).size).toBe(
        2
      )
      expect(service.listArtifacts(OWNER, REPO, RUN_A)).toEqual([
        expect.objectContaining({ id: uploadedId, name: ARTIFACT, size_in_bytes: stored.length })
      ])
    },
    JOB_TEST_TIMEOUT_MS
  )

  test(
    'another run finds it with findBy and downloads identical bytes into a fresh directory',
    async () => {
      const start = requestLog.length
      const target = join(root, 'download-b')
      const digest = service.getArtifact(uploadedId)?.digest
      const [found, download] = await runJob(
        { runBackendId: runB.runBackendId, jobBackendId: randomUUID() },
        [
          { op: 'get', name: ARTIFACT, findBy: findBy(RUN_A) },
          {
            op: 'download',
            artifactId: uploadedId,
            path: target,
            findBy: findBy(RUN_A),
            expectedHash: digest
          }
        ]
      )

      expect(found?.value?.artifact).toEqual(
        expect.objectContaining({ id: uploadedId, name: ARTIFACT, digest })
      )
      expect(download?.value).toEqual({ downloadPath: target, digestMismatch: false })
      expect(await filesUnder(target)).toEqual(await filesUnder(workspaceA))
      expect(requestsSince(start)).toEqual([
        `GET /repos/${OWNER}/${REPO}/actions/runs/${RUN_A}/artifacts 200`,
        `GET /repos/${OWNER}/${REPO}/actions/artifacts/${uploadedId}/zip 302`,
        `GET /_blob/artifacts/${uploadedId} 200`
      ])
      expect(requestLog[start]?.path).toContain(`name=${ARTIFACT}`)
    },
    JOB_TEST_TIMEOUT_MS
  )

  test(
    'another run lists the first run’s artifacts with findBy, and its own run as empty',
    async () => {
      const [listA, listB] = await runJob(
        { runBackendId: runB.runBackendId, jobBackendId: randomUUID() },
        [
          { op: 'list', findBy: findBy(RUN_A) },
          { op: 'list', findBy: findBy(RUN_B) }
        ]
      )

      const stored = await service.zipOf(uploadedId)
      expect(listA?.value?.artifacts).toEqual([
        expect.objectContaining({ id: uploadedId, name: ARTIFACT, size: stored.length })
      ])
      expect(listB?.value?.artifacts).toEqual([])
    },
    JOB_TEST_TIMEOUT_MS
  )

  test(
    'another job of the same run lists and downloads it through the results service',
    async () => {
      const start = requestLog.length
      const target = join(root, 'download-a2')
      const [list, download] = await runJob(
        { runBackendId: runA.runBackendId, jobBackendId: randomUUID() },
        [{ op: 'list' }, { op: 'download', artifactId: uploadedId, path: target }]
      )

      expect(list?.value?.artifacts).toEqual([
        expect.objectContaining({ id: uploadedId, name: ARTIFACT })
      ])
      expect(download?.value).toEqual({ downloadPath: target, digestMismatch: false })
      expect(await filesUnder(target)).toEqual(await filesUnder(workspaceA))
      const twirpPath = '/twirp/github.actions.results.api.v1.ArtifactService'
      expect(requestsSince(start)).toEqual([
        `POST ${twirpPath}/ListArtifacts 200`,
        `POST ${twirpPath}/ListArtifacts 200`,
        `POST ${twirpPath}/GetSignedArtifactURL 200`,
        `GET /_blob/artifacts/${uploadedId} 200`
      ])
    },
    JOB_TEST_TIMEOUT_MS
  )

  test(
    'a name already used in the run is refused with GitHub’s 409, and stays free in other runs',
    async () => {
      const file = join(workspaceA, 'prompt.md')
      const [again] = await runJob(
        { runBackendId: runA.runBackendId, jobBackendId: randomUUID() },
        [{ op: 'upload', name: ARTIFACT, files: [file], rootDirectory: workspaceA }]
      )
      const [inRunB] = await runJob(
        { runBackendId: runB.runBackendId, jobBackendId: randomUUID() },
        [{ op: 'upload', name: ARTIFACT, files: [file], rootDirectory: workspaceA }]
      )

      expect(again?.error?.message).toBe(
        'Failed to CreateArtifact: Received non-retryable error: Failed request: (409) Conflict: an artifact with this name already exists on the workflow run'
      )
      expect(inRunB?.ok).toBe(true)
      expect(service.listArtifacts(OWNER, REPO, RUN_A).map(a => a.id)).toEqual([uploadedId])
      expect(service.listArtifacts(OWNER, REPO, RUN_B).map(a => a.name)).toEqual([ARTIFACT])
    },
    JOB_TEST_TIMEOUT_MS
  )

  test(
    'an unknown name and an unknown id give clear errors through findBy',
    async () => {
      const [byName, byId] = await runJob(
        { runBackendId: runB.runBackendId, jobBackendId: randomUUID() },
        [
          { op: 'get', name: 'waves-dispatch-9-1', findBy: findBy(RUN_A) },
          { op: 'download', artifactId: 999_999, path: join(root, 'never'), findBy: findBy(RUN_A) }
        ]
      )

      expect(byName?.error?.name).toBe('ArtifactNotFoundError')
      expect(byName?.error?.message).toContain('Artifact not found for name: waves-dispatch-9-1')
      expect(byId?.error?.message).toContain('Not Found')
      expect(byId?.error?.message).toContain(
        'https://docs.github.com/rest/actions/artifacts#download-an-artifact'
      )
    },
    JOB_TEST_TIMEOUT_MS
  )
})

describe('artifact service protocol checks', () => {
  test('REST: unknown artifact and unknown run are 404 with GitHub’s body; no token is 401', async () => {
    const auth = { authorization: `token ${READ_TOKEN}` }
    const zip = await fetch(`${baseUrl}/repos/${OWNER}/${REPO}/actions/artifacts/999999/zip`, {
      headers: auth,
      redirect: 'manual'
    })
    const run = await fetch(`${baseUrl}/repos/${OWNER}/${REPO}/actions/runs/9999/artifacts`, {
      headers: auth
    })
    const otherRepo = await fetch(
      `${baseUrl}/repos/${OWNER}/other/actions/artifacts/${uploadedId}`,
      { headers: auth }
    )
    const anonymous = await fetch(
      `${baseUrl}/repos/${OWNER}/${REPO}/actions/runs/${RUN_A}/artifacts`
    )

    expect(zip.status).toBe(404)
    expect(await zip.json()).toEqual({
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest/actions/artifacts#download-an-artifact',
      status: '404'
    })
    expect(run.status).toBe(404)
    expect(otherRepo.status).toBe(404)
    expect(anonymous.status).toBe(401)
  })

  test(
    'REST: a run listing pages with a Link header and filters by name',
    async () => {
      const job = { runBackendId: runB.runBackendId, jobBackendId: randomUUID() }
      const [second] = await runJob(job, [
        {
          op: 'upload',
          name: 'waves-review-7-1',
          files: [join(workspaceA, 'prompt.md')],
          rootDirectory: workspaceA
        }
      ])
      expect(second?.ok).toBe(true)
      const list = `${baseUrl}/repos/${OWNER}/${REPO}/actions/runs/${RUN_B}/artifacts`
      const headers = { authorization: `token ${READ_TOKEN}` }

      const first = await fetch(`${list}?per_page=1`, { headers })
      const firstBody = (await first.json()) as RestArtifactList
      const named = (await (
        await fetch(`${list}?name=waves-review-7-1`, { headers })
      ).json()) as RestArtifactList

      expect(firstBody.total_count).toBe(2)
      expect(firstBody.artifacts.map(a => a.name)).toEqual([ARTIFACT])
      expect(first.headers.get('link')).toBe(
        `<${list}?per_page=1&page=2>; rel="next", <${list}?per_page=1&page=2>; rel="last"`
      )
      expect(named.artifacts.map(a => a.name)).toEqual(['waves-review-7-1'])
      expect(named.artifacts[0]?.workflow_run).toEqual({ id: RUN_B, head_branch: 'main' })
    },
    JOB_TEST_TIMEOUT_MS
  )

  test('Twirp: FinalizeArtifact for an artifact never created is not_found', async () => {
    const job = { runBackendId: runA.runBackendId, jobBackendId: randomUUID() }
    const response = await twirp('FinalizeArtifact', service.runtimeTokenFor(job), {
      workflow_run_backend_id: job.runBackendId,
      workflow_job_run_backend_id: job.jobBackendId,
      name: 'never-created',
      size: '10'
    })

    expect(response.status).toBe(404)
    expect(await response.json()).toEqual({
      code: 'not_found',
      msg: 'artifact "never-created" was never created on this workflow run'
    })
  })

  test('Twirp: a token for another job, or with edited claims, is refused', async () => {
    const job = { runBackendId: runA.runBackendId, jobBackendId: randomUUID() }
    const token = service.runtimeTokenFor(job)
    const intoRunB = {
      workflow_run_backend_id: runB.runBackendId,
      workflow_job_run_backend_id: job.jobBackendId
    }
    const [header, payload, signature] = token.split('.') as [string, string, string]
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { scp: string }
    claims.scp = claims.scp.replaceAll(runA.runBackendId, runB.runBackendId)
    const edited = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`

    const crossRun = await twirp('ListArtifacts', token, intoRunB)
    const forged = await twirp('ListArtifacts', edited, intoRunB)

    expect(crossRun.status).toBe(403)
    expect(((await crossRun.json()) as { code: string }).code).toBe('permission_denied')
    expect(forged.status).toBe(401)
    expect(await forged.json()).toEqual({
      code: 'unauthenticated',
      msg: 'invalid runtime token: the token was not issued by this service'
    })
    expect(() =>
      service.runtimeTokenFor({ runBackendId: randomUUID(), jobBackendId: randomUUID() })
    ).toThrow(/is not registered with the artifact service; call registerRun first/)
  })

  test('Blob: a download URL with a changed signature or artifact id is refused', async () => {
    const redirect = await fetch(
      `${baseUrl}/repos/${OWNER}/${REPO}/actions/artifacts/${uploadedId}/zip`,
      { headers: { authorization: `token ${READ_TOKEN}` }, redirect: 'manual' }
    )
    const location = new URL(redirect.headers.get('location') ?? '')
    const good = await fetch(location)
    const badSignature = new URL(location)
    badSignature.searchParams.set('sig', 'A'.repeat(43))
    const otherArtifact = new URL(location)
    otherArtifact.pathname = `/_blob/artifacts/${uploadedId + 1}`
    const upload = new URL(location)
    upload.searchParams.set('comp', 'block')
    upload.searchParams.set('blockid', 'AAAA')

    expect(redirect.status).toBe(302)
    expect(sha256(Buffer.from(await good.arrayBuffer()))).toBe(
      sha256(await service.zipOf(uploadedId))
    )
    expect(good.headers.get('content-type')).toBe('application/zip')
    for (const refused of [badSignature, otherArtifact]) {
      const response = await fetch(refused)
      expect(response.status).toBe(403)
      expect(await response.text()).toContain('<Code>AuthenticationFailed</Code>')
    }
    const write = await fetch(upload, { method: 'PUT', body: 'x' })
    expect(write.status).toBe(403)
  })
})
