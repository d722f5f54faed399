import type { components } from '@octokit/openapi-types'
import type { BlobContext } from './blob.js'
import { signedBlobUrl } from './blob.js'
import type { Reply } from './http.js'
import type { ArtifactRecord } from './store.js'

/** An artifact as GitHub's REST API shows it. */
export type RestArtifact = components['schemas']['artifact']

/** The body of `GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts`. */
export interface RestArtifactList {
  total_count: number
  artifacts: RestArtifact[]
}

/** What the REST replies need beyond the blob context: the API's base URL, for links. */
export interface RestContext extends BlobContext {
  apiUrl: () => string
}

/** The REST routes this module answers, with their parameters. */
export type ArtifactRestRoute =
  | { route: 'list-run-artifacts'; owner: string; repo: string; runId: number }
  | { route: 'get-artifact'; owner: string; repo: string; artifactId: number }
  | {
      route: 'download-artifact'
      owner: string
      repo: string
      artifactId: number
      archiveFormat: string
    }

const DOCS = 'https://docs.github.com/rest/actions/artifacts'
const DEFAULT_PER_PAGE = 30
const MAX_PER_PAGE = 100

/**
 * Which artifact route a `GET` path (relative to the API base path) names, or null. Owner and repo
 * are URL-decoded.
 */
export function matchArtifactRestRoute(method: string, path: string): ArtifactRestRoute | null {
  if (method !== 'GET') return null
  const list = /^\/repos\/([^/]+)\/([^/]+)\/actions\/runs\/(\d+)\/artifacts$/.exec(path)
  if (list) {
    const [, owner, repo, runId] = list as unknown as [string, string, string, string]
    return { route: 'list-run-artifacts', ...names(owner, repo), runId: Number(runId) }
  }
  const one = /^\/repos\/([^/]+)\/([^/]+)\/actions\/artifacts\/(\d+)(?:\/([^/]+))?$/.exec(path)
  if (!one) return null
  const [, owner, repo, artifactId, archiveFormat] = one as unknown as [
    string,
    string,
    string,
    string,
    string | undefined
  ]
  return archiveFormat === undefined
    ? { route: 'get-artifact', ...names(owner, repo), artifactId: Number(artifactId) }
    : {
        route: 'download-artifact',
        ...names(owner, repo),
        artifactId: Number(artifactId),
        archiveFormat: decodeURIComponent(archiveFormat)
      }
}

/** Answers a matched route; `query` is the request's query string (for `name`, `page`, `per_page`). */
export function answerArtifactRestRoute(
  context: RestContext,
  route: ArtifactRestRoute,
  query: URLSearchParams
): Reply {
  switch (route.route) {
    case 'list-run-artifacts':
      return listRunArtifacts(context, route, query)
    case 'get-artifact': {
      const record = artifactOfRepository(context, route.owner, route.repo, route.artifactId)
      return record
        ? { status: 200, body: restArtifact(context, record) }
        : notFound('get-an-artifact')
    }
    case 'download-artifact': {
      const record = artifactOfRepository(context, route.owner, route.repo, route.artifactId)
      if (!record || route.archiveFormat !== 'zip') return notFound('download-an-artifact')
      return { status: 302, headers: { location: signedBlobUrl(context, record.id, 'r') } }
    }
  }
}

/** The REST view of an artifact, typed against GitHub's published schema. */
export function restArtifact(context: RestContext, record: ArtifactRecord): RestArtifact {
  const base = `${context.apiUrl()}/repos/${record.run.owner}/${record.run.repo}/actions/artifacts/${record.id}`
  return {
    id: record.id,
    node_id: Buffer.from(`010:Artifact${record.id}`).toString('base64'),
    name: record.name,
    size_in_bytes: record.size,
    url: base,
    archive_download_url: `${base}/zip`,
    expired: record.expiresAt.getTime() <= context.now().getTime(),
    created_at: isoSeconds(record.createdAt),
    expires_at: isoSeconds(record.expiresAt),
    updated_at: isoSeconds(record.updatedAt),
    digest: record.digest,
    workflow_run: {
      id: record.run.runId,
      ...(record.run.repositoryId === undefined
        ? {}
        : { repository_id: record.run.repositoryId, head_repository_id: record.run.repositoryId }),
      ...(record.run.headBranch === undefined ? {} : { head_branch: record.run.headBranch }),
      ...(record.run.headSha === undefined ? {} : { head_sha: record.run.headSha })
    }
  }
}

function listRunArtifacts(
  context: RestContext,
  route: Extract<ArtifactRestRoute, { route: 'list-run-artifacts' }>,
  query: URLSearchParams
): Reply {
  const run = context.store.runByPublicId(route.owner, route.repo, route.runId)
  if (!run) return notFound('list-workflow-run-artifacts')
  const name = query.get('name')
  const matching = context.store
    .finalizedInRun(run.runBackendId)
    .filter(record => name === null || record.name === name)
  const perPage = Math.min(MAX_PER_PAGE, positiveInteger(query.get('per_page')) ?? DEFAULT_PER_PAGE)
  const page = positiveInteger(query.get('page')) ?? 1
  const lastPage = Math.max(1, Math.ceil(matching.length / perPage))
  const body: RestArtifactList = {
    total_count: matching.length,
    artifacts: matching
      .slice((page - 1) * perPage, page * perPage)
      .map(record => restArtifact(context, record))
  }
  const listUrl = `${context.apiUrl()}/repos/${run.owner}/${run.repo}/actions/runs/${run.runId}/artifacts`
  const link = paginationLink(listUrl, query, page, perPage, lastPage)
  return { status: 200, headers: link ? { link } : {}, body }
}

/** GitHub's `Link` header: next and last while there are more pages, first and prev after the first. */
function paginationLink(
  listUrl: string,
  query: URLSearchParams,
  page: number,
  perPage: number,
  lastPage: number
): string | null {
  const pageUrl = (target: number): string => {
    const params = new URLSearchParams(query)
    params.set('per_page', String(perPage))
    params.set('page', String(target))
    return `<${listUrl}?${params.toString()}>`
  }
  const links: string[] = []
  if (page > 1) links.push(`${pageUrl(Math.min(page - 1, lastPage))}; rel="prev"`)
  if (page < lastPage)
    links.push(`${pageUrl(page + 1)}; rel="next"`, `${pageUrl(lastPage)}; rel="last"`)
  if (page > 1) links.push(`${pageUrl(1)}; rel="first"`)
  return links.length > 0 ? links.join(', ') : null
}

function artifactOfRepository(
  context: RestContext,
  owner: string,
  repo: string,
  artifactId: number
): ArtifactRecord | undefined {
  const record = context.store.get(artifactId)
  const sameRepository =
    record?.run.owner.toLowerCase() === owner.toLowerCase() &&
    record.run.repo.toLowerCase() === repo.toLowerCase()
  return sameRepository && record.state === 'finalized' ? record : undefined
}

/** GitHub's 404 body for a route of the artifacts API. */
function notFound(anchor: string): Reply {
  return {
    status: 404,
    body: { message: 'Not Found', documentation_url: `${DOCS}#${anchor}`, status: '404' }
  }
}

function names(owner: string, repo: string): { owner: string; repo: string } {
  return { owner: decodeURIComponent(owner), repo: decodeURIComponent(repo) }
}

function positiveInteger(value: string | null): number | undefined {
  return value !== null && /^[1-9]\d*$/.test(value) ? Number(value) : undefined
}

/** GitHub writes timestamps to the second. */
function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z')
}
