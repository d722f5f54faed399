import { createHash, randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, readFile, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { finished, pipeline } from 'node:stream/promises'

/** A workflow run the service knows: its public identity and the backend id its jobs carry. */
export interface RunRecord {
  owner: string
  repo: string
  /** The public, numeric run id (`github.run_id`, `findBy.workflowRunId`). */
  runId: number
  /** The id the results service knows the run by, carried in the runtime token. */
  runBackendId: string
}

/** How an artifact moves from created to downloadable. */
export type ArtifactState = 'created' | 'committed' | 'finalized'

/** One artifact as the service holds it. */
export interface ArtifactRecord {
  id: number
  name: string
  run: RunRecord
  jobBackendId: string
  mimeType: string
  state: ArtifactState
  /** Bytes of the committed blob; 0 until the block list is committed. */
  size: number
  /** `sha256:<hex>` of the committed blob, computed here; null until committed. */
  digest: string | null
  createdAt: Date
  updatedAt: Date
  expiresAt: Date
}

/** What registering a run needs: everything but the backend id, which the store assigns. */
export type RunRegistration = Omit<RunRecord, 'runBackendId'>

/**
 * Artifact metadata in memory and blob bytes on disk under `storageDir`: staged blocks in
 * `blocks/<artifact id>/`, committed blobs as `blobs/<artifact id>`. The bytes served back are
 * exactly the bytes committed.
 */
export class ArtifactStore {
  private readonly runsByBackendId = new Map<string, RunRecord>()
  private readonly runsByPublicId = new Map<string, RunRecord>()
  private readonly artifacts = new Map<number, ArtifactRecord>()
  /** GitHub's artifact ids are large numbers; starting away from 1 keeps them from passing for run ids. */
  private nextArtifactId = 7001

  constructor(private readonly storageDir: string) {}

  /** Registers a run (idempotent per owner/repo/run id) and returns it with its backend id. */
  registerRun(registration: RunRegistration): RunRecord {
    const key = publicRunKey(registration.owner, registration.repo, registration.runId)
    const known = this.runsByPublicId.get(key)
    if (known) return known
    const run: RunRecord = { ...registration, runBackendId: randomUUID() }
    this.runsByPublicId.set(key, run)
    this.runsByBackendId.set(run.runBackendId, run)
    return run
  }

  runByBackendId(runBackendId: string): RunRecord | undefined {
    return this.runsByBackendId.get(runBackendId)
  }

  runByPublicId(owner: string, repo: string, runId: number): RunRecord | undefined {
    return this.runsByPublicId.get(publicRunKey(owner, repo, runId))
  }

  /** Creates an artifact record; the caller has checked that the name is free in the run. */
  create(fields: {
    name: string
    run: RunRecord
    jobBackendId: string
    mimeType: string
    createdAt: Date
    expiresAt: Date
  }): ArtifactRecord {
    const record: ArtifactRecord = {
      ...fields,
      id: this.nextArtifactId++,
      state: 'created',
      size: 0,
      digest: null,
      updatedAt: fields.createdAt
    }
    this.artifacts.set(record.id, record)
    return record
  }

  get(id: number): ArtifactRecord | undefined {
    return this.artifacts.get(id)
  }

  /** The artifact of a run with this name, in any state. */
  findInRun(runBackendId: string, name: string): ArtifactRecord | undefined {
    return [...this.artifacts.values()].find(
      artifact => artifact.run.runBackendId === runBackendId && artifact.name === name
    )
  }

  /** The finalized artifacts of a run, oldest first. */
  finalizedInRun(runBackendId: string): ArtifactRecord[] {
    return [...this.artifacts.values()]
      .filter(artifact => artifact.run.runBackendId === runBackendId)
      .filter(artifact => artifact.state === 'finalized')
      .sort((a, b) => a.id - b.id)
  }

  /** Writes one staged block (Azure `Put Block`); a block staged again under the same id is replaced. */
  async stageBlock(artifactId: number, blockId: string, body: Readable): Promise<void> {
    const dir = this.blocksDir(artifactId)
    await mkdir(dir, { recursive: true })
    await pipeline(body, createWriteStream(join(dir, blockFileName(blockId))))
  }

  /**
   * Concatenates the staged blocks in the listed order into the blob (Azure `Put Block List`),
   * records its size and digest, and drops the staged blocks. Returns the ids that were never
   * staged, committing nothing when there are any.
   */
  async commitBlocks(record: ArtifactRecord, blockIds: readonly string[]): Promise<string[]> {
    const dir = this.blocksDir(record.id)
    const missing: string[] = []
    for (const blockId of blockIds) {
      const found = await stat(join(dir, blockFileName(blockId))).catch(() => null)
      if (!found) missing.push(blockId)
    }
    if (missing.length > 0) return missing
    await mkdir(join(this.storageDir, 'blobs'), { recursive: true })
    const hash = createHash('sha256')
    let size = 0
    const out = createWriteStream(this.blobPath(record.id))
    for (const blockId of blockIds) {
      for await (const chunk of createReadStream(join(dir, blockFileName(blockId)))) {
        const bytes = chunk as Buffer
        hash.update(bytes)
        size += bytes.length
        if (!out.write(bytes)) await once(out, 'drain')
      }
    }
    out.end()
    await finished(out)
    await rm(dir, { recursive: true, force: true })
    record.size = size
    record.digest = `sha256:${hash.digest('hex')}`
    record.state = 'committed'
    return []
  }

  /** A stream of the committed blob's bytes. */
  blobStream(artifactId: number): Readable {
    return createReadStream(this.blobPath(artifactId))
  }

  /** The committed blob's bytes. */
  blobBytes(artifactId: number): Promise<Buffer> {
    return readFile(this.blobPath(artifactId))
  }

  private blocksDir(artifactId: number): string {
    return join(this.storageDir, 'blocks', String(artifactId))
  }

  private blobPath(artifactId: number): string {
    return join(this.storageDir, 'blobs', String(artifactId))
  }
}

/** GitHub matches owner and repository names without regard to case. */
function publicRunKey(owner: string, repo: string, runId: number): string {
  return `${owner.toLowerCase()}/${repo.toLowerCase()}#${runId}`
}

/** Block ids are base64 and may hold `/`: name the file after a hash of the id instead. */
function blockFileName(blockId: string): string {
  return createHash('sha256').update(blockId).digest('hex')
}
