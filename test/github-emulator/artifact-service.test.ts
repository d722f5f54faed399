/**
 * The artifact service as the forge serves it: the real `@actions/artifact` client, in jobs of two
 * workflow runs, uploads through Twirp and the blob store and finds and downloads through the
 * forge's REST artifact routes; then the protocol edges of each part.
 */
import { execFile } from 'node:child_process'
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { components } from '@octokit/openapi-types'
import { startEmulator } from '../../harness/github-emulator/index.js'
import type {
  ArtifactService,
  GitHubEmulator,
  JobEnvironment
} from '../../harness/github-emulator/index.js'
import { client } from './helpers.js'

type RestArtifactList = { total_count: number; artifacts: components['schemas']['artifact'][] }

const JOB_SCRIPT = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'fixtures',
  'artifact-jobs',
  'job.mjs'
)
const OWNER = 'octo-org'
const REPO = 'waves-demo'
const OTHER_REPO = 'other-demo'
const ARTIFACT = 'waves-dispatch-7-1'
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
let forge: GitHubEmulator
let baseUrl: string
let service: ArtifactService
const requestLog: LoggedRequest[] = []
let runIdA: number
let runIdB: number
let runA: { runBackendId: string }
let runB: { runBackendId: string }
let mainSha: string
let workspaceA: string
let uploadedFiles: string[]
let uploadedId: number

/** Mounted ahead of everything else, it sees each request (with its query) and its status. */
async function recordRequest(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  res.on('finish', () => {
    const url = new URL(req.url ?? '/', 'http://x')
    requestLog.push({
      method: req.method ?? '',
      path: url.pathname + url.search,
      status: res.statusCode
    })
  })
  return false
}

function newRun(repo: string): number {
  return forge.createWorkflowRun(repo, {
    workflow: 'dispatch.yml',
    event: 'workflow_dispatch',
    headBranch: 'main',
    headSha: mainSha,
    actor: 'github-actions[bot]'
  })
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'artifact-service-'))
  forge = await startEmulator({ extraHandlers: [recordRequest] })
  baseUrl = forge.apiUrl
  service = forge.artifactService!
  for (const name of [REPO, OTHER_REPO]) {
    await forge.createRepo({ name, files: { 'README.md': `# ${name}\n` } })
  }
  const ref = await client(baseUrl, forge.tokens.read).rest.git.getRef({
    owner: OWNER,
    repo: REPO,
    ref: 'heads/main'
  })
  mainSha = ref.data.object.sha
  runIdA = newRun(REPO)
  runIdB = newRun(REPO)
  // registering is idempotent: these are the records the forge made when it created the runs
  runA = service.registerRun({ owner: OWNER, repo: REPO, runId: runIdA })
  runB = service.registerRun({ owner: OWNER, repo: REPO, runId: runIdB })

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
  await forge.close()
  await rm(root, { recursive: true, force: true })
})

/** Runs one simulated job in its own process, with only the environment a runner would give it. */
async function runJob(environment: JobEnvironment, steps: object[]): Promise<StepResult[]> {
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
      GITHUB_WORKSPACE: dir,
      ...environment
    }
  })
  return JSON.parse(await readFile(resultsFile, 'utf8')) as StepResult[]
}

function findBy(runId: number): object {
  const token = forge.tokens.read
  return { token, workflowRunId: runId, repositoryOwner: OWNER, repositoryName: REPO }
}

function jobOf(runId: number): JobEnvironment {
  return forge.jobEnvironment(REPO, runId)
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

describe('artifact service mounted in the forge, with the real @actions/artifact client', () => {
  test(
    'a job uploads through CreateArtifact, staged blocks, a block list and FinalizeArtifact',
    async () => {
      const start = requestLog.length
      const [upload] = await runJob(jobOf(runIdA), [
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
      expect(service.listArtifacts(OWNER, REPO, runIdA)).toEqual([
        expect.objectContaining({ id: uploadedId, name: ARTIFACT, sizeInBytes: stored.length })
      ])
    },
    JOB_TEST_TIMEOUT_MS
  )

  test(
    'another run finds it with findBy through the forge’s REST routes and downloads identical bytes',
    async () => {
      const start = requestLog.length
      const logStart = forge.requests().length
      const target = join(root, 'download-b')
      const digest = service.getArtifact(uploadedId)?.digest
      const [found, download] = await runJob(jobOf(runIdB), [
        { op: 'get', name: ARTIFACT, findBy: findBy(runIdA) },
        {
          op: 'download',
          artifactId: uploadedId,
          path: target,
          findBy: findBy(runIdA),
          expectedHash: digest
        }
      ])

      expect(found?.value?.artifact).toEqual(
        expect.objectContaining({ id: uploadedId, name: ARTIFACT, digest })
      )
      expect(download?.value).toEqual({ downloadPath: target, digestMismatch: false })
      expect(await filesUnder(target)).toEqual(await filesUnder(workspaceA))
      expect(requestsSince(start)).toEqual([
        `GET /repos/${OWNER}/${REPO}/actions/runs/${runIdA}/artifacts 200`,
        `GET /repos/${OWNER}/${REPO}/actions/artifacts/${uploadedId}/zip 302`,
        `GET /_blob/artifacts/${uploadedId} 200`
      ])
      expect(requestLog[start]?.path).toContain(`name=${ARTIFACT}`)
      const logged = forge
        .requests()
        .slice(logStart)
        .map(({ method, route, tokenKind }) => ({ method, route, tokenKind }))
      expect(logged).toEqual([
        {
          method: 'GET',
          route: '/repos/{owner}/{repo}/actions/runs/{run_id}/artifacts',
          tokenKind: 'read'
        },
        {
          method: 'GET',
          route: '/repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}',
          tokenKind: 'read'
        },
        // the signed blob URL carries no token, as Azure's SAS URLs carry none
        { method: 'GET', route: `/_blob/artifacts/${uploadedId}`, tokenKind: 'anonymous' }
      ])
    },
    JOB_TEST_TIMEOUT_MS
  )

  test(
    'another run lists the first run’s artifacts with findBy, and its own run as empty',
    async () => {
      const [listA, listB] = await runJob(jobOf(runIdB), [
        { op: 'list', findBy: findBy(runIdA) },
        { op: 'list', findBy: findBy(runIdB) }
      ])

      const stored = await service.zipOf(uploadedId)
      expect(listA?.value?.artifacts).toEqual([
        expect.objectContaining({ id: uploadedId, name: ARTIFACT, size: stored.length })
      ])
      expect(listB?.value?.artifacts).toEqual([])
    },
    JOB_TEST_TIMEOUT_MS
  )

  test(
    'another job of the same run, set up through the control API, lists and downloads it through the results service',
    async () => {
      const admin = client(baseUrl, forge.tokens.admin)
      const jobs = `/_sandbox/repos/${OWNER}/${REPO}/runs/${runIdA}/jobs`
      const { data: environment } = await admin.request(`POST ${jobs}`)
      const start = requestLog.length
      const target = join(root, 'download-a2')
      const [list, download] = await runJob(environment as JobEnvironment, [
        { op: 'list' },
        { op: 'download', artifactId: uploadedId, path: target }
      ])

      expect(environment).toEqual(
        expect.objectContaining({
          GITHUB_API_URL: baseUrl,
          GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
          GITHUB_RUN_ID: String(runIdA),
          ACTIONS_RESULTS_URL: `${baseUrl}/`
        })
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
      const [again] = await runJob(jobOf(runIdA), [
        { op: 'upload', name: ARTIFACT, files: [file], rootDirectory: workspaceA }
      ])
      const [inRunB] = await runJob(jobOf(runIdB), [
        { op: 'upload', name: ARTIFACT, files: [file], rootDirectory: workspaceA }
      ])

      expect(again?.error?.message).toBe(
        'Failed to CreateArtifact: Received non-retryable error: Failed request: (409) Conflict: an artifact with this name already exists on the workflow run'
      )
      expect(inRunB?.ok).toBe(true)
      expect(service.listArtifacts(OWNER, REPO, runIdA).map(a => a.id)).toEqual([uploadedId])
      expect(service.listArtifacts(OWNER, REPO, runIdB).map(a => a.name)).toEqual([ARTIFACT])
    },
    JOB_TEST_TIMEOUT_MS
  )

  test(
    'an unknown name and an unknown id give clear errors through findBy',
    async () => {
      const [byName, byId] = await runJob(jobOf(runIdB), [
        { op: 'get', name: 'waves-dispatch-9-1', findBy: findBy(runIdA) },
        { op: 'download', artifactId: 999_999, path: join(root, 'never'), findBy: findBy(runIdA) }
      ])

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
  test('REST: unknown artifact, run or repository is 404 with GitHub’s body; a bad token is 401', async () => {
    const auth = { authorization: `token ${forge.tokens.read}` }
    const zip = await fetch(`${baseUrl}/repos/${OWNER}/${REPO}/actions/artifacts/999999/zip`, {
      headers: auth,
      redirect: 'manual'
    })
    const run = await fetch(`${baseUrl}/repos/${OWNER}/${REPO}/actions/runs/9999/artifacts`, {
      headers: auth
    })
    const otherRepo = await fetch(
      `${baseUrl}/repos/${OWNER}/${OTHER_REPO}/actions/artifacts/${uploadedId}`,
      { headers: auth }
    )
    const sameRepo = await fetch(
      `${baseUrl}/repos/${OWNER}/${REPO}/actions/artifacts/${uploadedId}`,
      {
        headers: auth
      }
    )
    const listing = `${baseUrl}/repos/${OWNER}/${REPO}/actions/runs/${runIdA}/artifacts`
    const anonymous = await fetch(listing)
    const badToken = await fetch(listing, { headers: { authorization: 'token ghp_not-a-token' } })

    expect(zip.status).toBe(404)
    expect(await zip.json()).toEqual({
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest/actions/artifacts#download-an-artifact',
      status: '404'
    })
    expect(zip.headers.get('x-ratelimit-limit')).toBe('5000')
    expect(run.status).toBe(404)
    expect(otherRepo.status).toBe(404)
    expect(sameRepo.status).toBe(200)
    // a private repository is hidden from a caller without a token, as on GitHub
    expect(anonymous.status).toBe(404)
    expect(badToken.status).toBe(401)
    expect(((await badToken.json()) as { message: string }).message).toBe('Bad credentials')
  })

  test(
    'REST: a run listing pages with a Link header and filters by name',
    async () => {
      const [second] = await runJob(jobOf(runIdB), [
        {
          op: 'upload',
          name: 'waves-review-7-1',
          files: [join(workspaceA, 'prompt.md')],
          rootDirectory: workspaceA
        }
      ])
      expect(second?.ok).toBe(true)
      const list = `${baseUrl}/repos/${OWNER}/${REPO}/actions/runs/${runIdB}/artifacts`
      const headers = { authorization: `token ${forge.tokens.read}` }

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
      expect(named.artifacts[0]?.workflow_run).toEqual(
        expect.objectContaining({ id: runIdB, head_branch: 'main', head_sha: mainSha })
      )
      expect(named.artifacts[0]?.expired).toBe(false)
    },
    JOB_TEST_TIMEOUT_MS
  )

  test('REST: an injected fault answers the artifact route instead of the service', async () => {
    const route = 'GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts'
    forge.injectFault({ route, kind: 'error', status: 503, times: 1 })
    const list = `${baseUrl}/repos/${OWNER}/${REPO}/actions/runs/${runIdA}/artifacts`
    const headers = { authorization: `token ${forge.tokens.read}` }

    const faulted = await fetch(list, { headers })
    const recovered = await fetch(list, { headers })

    expect(faulted.status).toBe(503)
    expect(((await recovered.json()) as RestArtifactList).total_count).toBe(1)
    expect(
      forge
        .requests()
        .slice(-2)
        .map(({ status, fault }) => ({ status, fault }))
    ).toEqual([
      { status: 503, fault: 'error' },
      { status: 200, fault: null }
    ])
  })

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
    expect(() => forge.jobEnvironment(REPO, 424242)).toThrow(
      /no workflow run 424242 in octo-org\/waves-demo; create it with createWorkflowRun/
    )
  })

  test('Blob: a download URL with a changed signature or artifact id is refused', async () => {
    const redirect = await fetch(
      `${baseUrl}/repos/${OWNER}/${REPO}/actions/artifacts/${uploadedId}/zip`,
      { headers: { authorization: `token ${forge.tokens.read}` }, redirect: 'manual' }
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

describe('a forge without the artifact service', () => {
  test('serves no Twirp route and gives no job environment', async () => {
    const bare = await startEmulator({ artifactService: false })
    try {
      await bare.createRepo({ name: REPO, files: { 'README.md': '# bare\n' } })
      const runId = bare.createWorkflowRun(REPO, {
        workflow: 'dispatch.yml',
        event: 'workflow_dispatch',
        headBranch: 'main',
        headSha: mainSha,
        actor: 'github-actions[bot]'
      })
      const twirpCall = await fetch(
        `${bare.apiUrl}/twirp/github.actions.results.api.v1.ArtifactService/ListArtifacts`,
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }
      )
      const listing = await client(
        bare.apiUrl,
        bare.tokens.read
      ).rest.actions.listWorkflowRunArtifacts({ owner: OWNER, repo: REPO, run_id: runId })

      expect(bare.artifactService).toBeNull()
      expect(twirpCall.status).toBe(404)
      expect(listing.data).toEqual({ total_count: 0, artifacts: [] })
      expect(() => bare.jobEnvironment(REPO, runId)).toThrow(/the artifact service is off/)
    } finally {
      await bare.close()
    }
  })
})
