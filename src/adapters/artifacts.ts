/**
 * The Artifacts port over a plain directory (local runs, the sandbox) and over `@actions/artifact`
 * (Actions). Artifacts from other runs are untrusted (a run triggered by a fork writes them too): names and paths are checked
 * on the way in and out, downloads land in a fresh directory outside the workspace, and nothing but
 * regular files inside that directory is ever read. A downloaded zip is never extracted to disk:
 * its entries are checked and read in memory, and one unsafe entry refuses the whole artifact.
 */
import { createHash } from 'node:crypto'
import { constants } from 'node:fs'
import {
  lstat,
  mkdir,
  mkdtemp,
  open,
  readdir,
  realpath,
  rename,
  rm,
  writeFile
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { DefaultArtifactClient, type ArtifactClient, type FindOptions } from '@actions/artifact'
import type { ArtifactFile, ArtifactRef, Artifacts } from '../ports.js'
import { listZipEntries, readZipEntry, ZipFormatError, type ZipEntry } from './zip-entries.js'

const namingAdvice = "Use letters, digits, '-', '_' and '.', e.g. 'waves-review-12-1'."
const pathAdvice = "Use a relative path with '/' between segments, e.g. 'codex/events.jsonl'."

/**
 * Why a file path inside an artifact is unsafe or not accepted by GitHub, or null when it is fine.
 * Safe means relative, '/'-separated, without empty, '.' or '..' segments, backslashes, control
 * characters, or the characters GitHub refuses in artifact paths (`" : < > | * ?`).
 */
export function artifactPathProblem(path: string): string | null {
  if (path === '') return 'it is empty'
  if (/\p{Cc}/u.test(path)) return 'it contains a control character (NUL, newline, ...)'
  if (path.includes('\\')) return 'it contains a backslash'
  const refused = /["*:<>?|]/.exec(path)
  if (refused) return `it contains '${refused[0]}', which GitHub refuses in artifact paths`
  if (path.startsWith('/')) return 'it is absolute'
  for (const segment of path.split('/')) {
    if (segment === '') return 'it has an empty segment (a doubled or trailing slash)'
    if (segment === '.' || segment === '..') return `it has a '${segment}' segment`
  }
  return null
}

/** Why an artifact name is unsafe or not accepted by GitHub, or null when it is fine. */
export function artifactNameProblem(name: string): string | null {
  if (name.includes('/')) return 'it contains a slash'
  return artifactPathProblem(name)
}

/** Throws unless `name` is a safe artifact name. */
export function assertSafeArtifactName(name: string): void {
  const problem = artifactNameProblem(name)
  if (problem) {
    throw new Error(`Artifact name ${JSON.stringify(name)} is refused: ${problem}. ${namingAdvice}`)
  }
}

/** Throws unless `path` is a safe path for a file inside the artifact `name`. */
export function assertSafeArtifactPath(name: string, path: string): void {
  const problem = artifactPathProblem(path)
  if (problem) {
    throw new Error(
      `Artifact '${name}': file path ${JSON.stringify(path)} is refused: ${problem}. ${pathAdvice}`
    )
  }
}

/**
 * Writes `files` under `directory` after checking every path (safe, unique, no file that is also
 * another file's folder); refuses to overwrite. Returns the absolute paths written.
 */
export async function writeArtifactFiles(
  name: string,
  directory: string,
  files: readonly ArtifactFile[]
): Promise<string[]> {
  if (files.length === 0) {
    throw new Error(`Artifact '${name}': there are no files to upload. Pass at least one file.`)
  }
  const paths = new Set<string>()
  for (const file of files) {
    assertSafeArtifactPath(name, file.path)
    if (paths.has(file.path)) {
      throw new Error(
        `Artifact '${name}': file path '${file.path}' is given twice. Give each file once.`
      )
    }
    paths.add(file.path)
  }
  for (const path of paths) {
    const folders = path.split('/').slice(0, -1)
    const clash = folders.map((_, i) => folders.slice(0, i + 1).join('/')).find(f => paths.has(f))
    if (clash) {
      throw new Error(
        `Artifact '${name}': '${clash}' is both a file and the folder of '${path}'. Rename one of them.`
      )
    }
  }
  const written: string[] = []
  for (const file of files) {
    const target = join(directory, ...file.path.split('/'))
    await mkdir(dirname(target), { recursive: true })
    await writeFile(target, file.content, { flag: 'wx' })
    written.push(target)
  }
  return written
}

/**
 * Reads every regular file under `directory`, sorted by path. Refuses symbolic links, special files,
 * unsafe names and anything whose real location is outside `directory`, naming the offending path.
 */
export async function readArtifactDirectory(
  name: string,
  directory: string
): Promise<ArtifactFile[]> {
  const root = await realpath(directory)
  const files: ArtifactFile[] = []
  const refuse = (path: string, why: string) =>
    new Error(
      `Artifact '${name}': '${path}' is refused: ${why}. The artifact was not produced by this pipeline or was tampered with; it is not used.`
    )
  const walk = async (folder: string): Promise<void> => {
    const entries = await readdir(folder ? join(root, ...folder.split('/')) : root, {
      withFileTypes: true
    })
    for (const entry of entries) {
      const path = folder ? `${folder}/${entry.name}` : entry.name
      const problem = artifactPathProblem(path)
      if (problem) throw refuse(path, problem)
      const absolute = join(root, ...path.split('/'))
      if (entry.isSymbolicLink()) throw refuse(path, 'it is a symbolic link')
      if (entry.isDirectory()) {
        await walk(path)
        continue
      }
      if (!entry.isFile()) throw refuse(path, 'it is not a regular file')
      if (!isWithin(root, await realpath(absolute)))
        throw refuse(path, 'it resolves outside the artifact')
      files.push({ path, content: await readWithoutFollowingLinks(absolute) })
    }
  }
  await walk('')
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}

async function readWithoutFollowingLinks(path: string): Promise<Uint8Array> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW)
  try {
    return await handle.readFile()
  } finally {
    await handle.close()
  }
}

/** Whether `path` is `root` or lies below it (both absolute). */
function isWithin(root: string, path: string): boolean {
  const rel = relative(root, path)
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel))
}

export interface DirectoryArtifactsOptions {
  /**
   * The current run's id. With it, artifacts live in `root/<runId>/<name>` and other runs' artifacts
   * can be downloaded by run id; without it, in `root/<name>`.
   */
  runId?: number
}

/**
 * Artifacts in a plain directory, for local runs: `root/<name>/<files>`, or `root/<runId>/<name>/<files>`
 * when the current run id is given. Like GitHub's, an artifact is immutable once uploaded.
 */
export class DirectoryArtifacts implements Artifacts {
  private readonly root: string

  constructor(
    root: string,
    private readonly options: DirectoryArtifactsOptions = {}
  ) {
    this.root = resolve(root)
  }

  /**
   * Writes the files to the artifact's folder; refuses a name that already exists. The files are
   * written beside it first and the folder appears whole, so a process killed mid-upload leaves no
   * half artifact behind.
   */
  async upload(name: string, files: readonly ArtifactFile[]): Promise<ArtifactRef> {
    assertSafeArtifactName(name)
    const runId = this.options.runId
    const folder = this.folderOf(name, runId)
    await mkdir(dirname(folder), { recursive: true })
    const exists = () =>
      new Error(
        `Artifact '${name}' already exists in ${folder}: artifacts are immutable within a run, as on GitHub. Upload under a new name (add the attempt, e.g. '${name}-2'), or delete that folder to start the local run over.`
      )
    if (await lstat(folder).catch(() => null)) throw exists()
    const staging = await mkdtemp(join(dirname(folder), `.${name}.partial-`))
    try {
      await writeArtifactFiles(name, staging, files)
      await rename(staging, folder)
    } catch (error) {
      await rm(staging, { recursive: true, force: true })
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'EEXIST' || code === 'ENOTEMPTY') throw Object.assign(exists(), { cause: error })
      throw error
    }
    return {
      name,
      id: artifactIdOf(relative(this.root, folder)),
      ...(runId === undefined ? {} : { runId })
    }
  }

  /** Reads the artifact's files, from run `runId` when given, else from the current run. */
  async download(name: string, options: { runId?: number } = {}): Promise<ArtifactFile[]> {
    assertSafeArtifactName(name)
    if (options.runId !== undefined && this.options.runId === undefined) {
      throw new Error(
        `Artifact '${name}' of run ${options.runId}: the directory store at ${this.root} was created without a run id, so it keeps no other runs. Give DirectoryArtifacts the current run id to use the per-run layout.`
      )
    }
    const runId = options.runId ?? this.options.runId
    const folder = this.folderOf(name, runId)
    const stat = await lstat(folder).catch(() => null)
    if (stat?.isSymbolicLink()) {
      throw new Error(
        `Artifact '${name}': ${folder} is a symbolic link, which a directory store never makes. It is not used; remove it.`
      )
    }
    if (!stat?.isDirectory()) {
      const present = (await readdir(dirname(folder)).catch(() => [] as string[])).filter(
        entry => !entry.startsWith('.')
      )
      throw new Error(
        `Artifact '${name}' not found in ${dirname(folder)}${runId === undefined ? '' : ` (run ${runId})`}. Artifacts there: ${present.length ? present.join(', ') : 'none'}. Check the name and the run id.`
      )
    }
    return readArtifactDirectory(name, folder)
  }

  private folderOf(name: string, runId: number | undefined): string {
    if (runId !== undefined && !(Number.isSafeInteger(runId) && runId > 0)) {
      throw new Error(`Run id ${runId} is not a positive whole number. Pass the workflow run's id.`)
    }
    return runId === undefined ? join(this.root, name) : join(this.root, String(runId), name)
  }
}

/** The most an artifact may hold uncompressed; the pipeline's own are a few megabytes. */
const MAX_ARTIFACT_BYTES = 1024 * 1024 * 1024

const tamperedNote = 'It was not extracted; the artifact may have been tampered with.'

/**
 * The files of an artifact's zip (`artifact` names it in errors, e.g. "Artifact 'x' of run 12"),
 * sorted by path. Every entry is checked before any content is read: an unsafe or duplicate path,
 * a link or special file, or a damaged zip refuses the whole artifact. Nothing is written to disk.
 */
export function filesOfArtifactZip(artifact: string, zip: Uint8Array): ArtifactFile[] {
  const refuse = (why: string) => new Error(`${artifact} ${why}. ${tamperedNote}`)
  let entries: ZipEntry[]
  try {
    entries = listZipEntries(zip)
  } catch (error) {
    if (!(error instanceof ZipFormatError)) throw error
    throw refuse(`is not a zip that can be read: ${error.message}`)
  }
  const files = entries.filter(entry => !entry.name.endsWith('/'))
  for (const entry of entries) {
    const isFolder = entry.name.endsWith('/')
    const path = isFolder ? entry.name.slice(0, -1) : entry.name
    const problem = artifactPathProblem(path)
    if (problem)
      throw refuse(`holds the path ${shownPath(entry.name)}, which ${pathRefusal(path, problem)}`)
    const kindProblem = entryKindProblem(entry, isFolder)
    if (kindProblem) throw refuse(`holds ${shownPath(entry.name)}, which ${kindProblem}`)
  }
  const clash = pathClash(files.map(entry => entry.name))
  if (clash) throw refuse(`holds ${clash}`)
  const total = files.reduce((sum, entry) => sum + entry.size, 0)
  if (total > MAX_ARTIFACT_BYTES) {
    throw refuse(`would unpack to ${total} bytes, more than the ${MAX_ARTIFACT_BYTES} allowed`)
  }
  return files
    .map(entry => {
      try {
        return { path: entry.name, content: readZipEntry(zip, entry) }
      } catch (error) {
        if (!(error instanceof ZipFormatError)) throw error
        throw refuse(`is a damaged zip: ${error.message}`)
      }
    })
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}

/** Why an entry is not a plain file (or, named with a trailing '/', an empty folder), or null. */
function entryKindProblem(entry: ZipEntry, isFolder: boolean): string | null {
  const named = isFolder ? 'directory' : 'file'
  const kind = entry.unixFileType ?? named
  if (kind === 'symlink') return 'is a symbolic link'
  if (kind === 'other') return 'is a special file (a device, FIFO or socket)'
  if (kind !== named) return `is named as a ${named} but marked as a ${kind}`
  if (isFolder && entry.size !== 0) return 'is a folder with content'
  return null
}

/** Why a refused path is refused, in the words of the error that names it. */
function pathRefusal(path: string, problem: string): string {
  const escapes = path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.split('/').includes('..')
  return escapes ? 'escapes the artifact' : `is refused: ${problem}`
}

/** A path between single quotes, or JSON-quoted when it holds quotes or control characters. */
function shownPath(path: string): string {
  return /[\p{Cc}']/u.test(path) ? JSON.stringify(path) : `'${path}'`
}

/** Describes a path given twice, or a file that is also another path's folder; null if none. */
function pathClash(paths: readonly string[]): string | null {
  const seen = new Set<string>()
  for (const path of paths) {
    if (seen.has(path)) return `the path ${shownPath(path)} twice`
    seen.add(path)
  }
  for (const path of paths) {
    const folders = path.split('/').slice(0, -1)
    const folder = folders.map((_, i) => folders.slice(0, i + 1).join('/')).find(f => seen.has(f))
    if (folder) return `${shownPath(folder)} both as a file and as the folder of ${shownPath(path)}`
  }
  return null
}

/** The one file `downloadArtifact` saved in `folder` with `skipDecompress`. */
async function downloadedZip(artifact: string, folder: string): Promise<Uint8Array> {
  const entries = await readdir(folder, { withFileTypes: true })
  const [only] = entries
  if (entries.length !== 1 || !only?.isFile()) {
    throw new Error(
      `${artifact}: the download left ${entries.map(e => e.name).join(', ') || 'nothing'} in ${folder} instead of one zip file. Re-run the job; if it persists, check the @actions/artifact version.`
    )
  }
  return readWithoutFollowingLinks(join(folder, only.name))
}

/** A stable numeric id for a local artifact, so references look like GitHub's. */
function artifactIdOf(location: string): number {
  return parseInt(createHash('sha256').update(location).digest('hex').slice(0, 12), 16)
}

/** The calls ActionsArtifacts makes on `@actions/artifact`'s client. */
export type ArtifactServiceClient = Pick<
  ArtifactClient,
  'uploadArtifact' | 'getArtifact' | 'downloadArtifact'
>

export interface ActionsArtifactsOptions {
  /** A token with `actions: read`, used to find artifacts of other runs. */
  token: string
  owner: string
  repo: string
  /** The current run's id, reported in the references uploads return. */
  runId?: number
  /** Days GitHub keeps uploads; the repository's default when unset. */
  retentionDays?: number
  /** Where upload and download folders are made; defaults to `RUNNER_TEMP`, then the OS temp dir. */
  tempRoot?: string
  /** The checkout, which downloads must stay out of; defaults to `GITHUB_WORKSPACE`. */
  workspace?: string
  client?: ArtifactServiceClient
}

/** Artifacts through the Actions artifact service (`@actions/artifact`). */
export class ActionsArtifacts implements Artifacts {
  private readonly client: ArtifactServiceClient

  constructor(private readonly options: ActionsArtifactsOptions) {
    this.client = options.client ?? new DefaultArtifactClient()
  }

  /** Writes the files into a fresh temporary folder and uploads them as one artifact. */
  async upload(name: string, files: readonly ArtifactFile[]): Promise<ArtifactRef> {
    assertSafeArtifactName(name)
    const folder = await this.freshFolder('waves-upload-')
    try {
      const paths = await writeArtifactFiles(name, folder, files)
      const retention =
        this.options.retentionDays === undefined
          ? {}
          : { retentionDays: this.options.retentionDays }
      const response = await this.client.uploadArtifact(name, paths, folder, retention)
      if (response.id === undefined) {
        throw new Error(
          `Artifact '${name}': the artifact service reported no artifact id after the upload. Re-run the job; if it persists, check the runner's artifact service.`
        )
      }
      const runId = this.options.runId
      return { name, id: response.id, ...(runId === undefined ? {} : { runId }) }
    } finally {
      await rm(folder, { recursive: true, force: true })
    }
  }

  /**
   * Downloads an artifact (of run `runId` when given, found with the token; else of this run) into a
   * fresh folder outside the workspace, checks every path and returns the files.
   */
  async download(name: string, options: { runId?: number } = {}): Promise<ArtifactFile[]> {
    assertSafeArtifactName(name)
    const find: FindOptions =
      options.runId === undefined
        ? {}
        : {
            findBy: {
              token: this.options.token,
              repositoryOwner: this.options.owner,
              repositoryName: this.options.repo,
              workflowRunId: options.runId
            }
          }
    const where = options.runId === undefined ? 'this run' : `run ${options.runId}`
    const folder = await this.freshFolder('waves-download-')
    try {
      const { artifact } = await this.client.getArtifact(name, find).catch((error: Error) => {
        throw new Error(
          `Artifact '${name}' of ${where} could not be found: ${error.message}. Check the name and the run id; another run's artifacts need a token with 'actions: read'.`,
          { cause: error }
        )
      })
      // The client's own extraction rewrites '..' segments to '.', hiding a hostile artifact; the
      // zip is kept whole instead and every entry name checked before any content is read.
      const result = await this.client.downloadArtifact(artifact.id, {
        ...find,
        path: folder,
        skipDecompress: true,
        ...(artifact.digest ? { expectedHash: artifact.digest } : {})
      })
      if (result.digestMismatch) {
        throw new Error(
          `Artifact '${name}' of ${where}: the downloaded content does not match the digest recorded at upload. It is not used; re-run the job that made it.`
        )
      }
      const artifactLabel = `Artifact '${name}' of ${where}`
      return filesOfArtifactZip(artifactLabel, await downloadedZip(artifactLabel, folder))
    } finally {
      await rm(folder, { recursive: true, force: true })
    }
  }

  private async freshFolder(prefix: string): Promise<string> {
    const tempRoot = resolve(this.options.tempRoot ?? process.env['RUNNER_TEMP'] ?? tmpdir())
    const workspace = this.options.workspace ?? process.env['GITHUB_WORKSPACE']
    if (workspace) {
      if (isWithin(resolve(workspace), tempRoot)) {
        throw new Error(
          `The temporary folder ${tempRoot} is inside the workspace ${workspace}; artifacts must be handled outside the checkout. Point RUNNER_TEMP (or the tempRoot option) elsewhere.`
        )
      }
    }
    await mkdir(tempRoot, { recursive: true })
    return mkdtemp(join(tempRoot, prefix))
  }
}
