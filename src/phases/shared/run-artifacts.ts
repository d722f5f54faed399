/**
 * Reading the artifacts one phase leaves for the next. They come from other workflow runs, so they
 * are untrusted (a run triggered by a fork writes them too): every path is checked (no `..`, nothing absolute), only the files
 * the pipeline writes are accepted, and each record is validated against its contract. Pure: the
 * files come from the Artifacts port.
 */
import {
  parseDispatchRecord,
  SafeRelativePath,
  type DispatchRecord
} from '../../contracts/index.js'
import { parseReviewRecordJson, type ReviewRecord } from '../../contracts/review-record.js'
import type { ArtifactFile } from '../../ports.js'

/** The files of a dispatch artifact (`waves-dispatch-<group>-<attempt>`). */
export const DISPATCH_ARTIFACT_FILES = {
  prompt: 'prompt.md',
  events: 'codex-events.jsonl',
  record: 'record.json'
} as const

/** The files of a review or correction artifact; earlier reviewer attempts go under `attempts/`. */
export const RUN_ARTIFACT_FILES = {
  review: 'review.json',
  order: 'order.json',
  prompt: 'prompt.md',
  events: 'codex-events.jsonl',
  result: 'result.json',
  patch: 'correction.patch',
  attempts: 'attempts/'
} as const

/** An artifact that is not what the pipeline uploaded: a bad path, a stranger file, a bad record. */
export class ArtifactContentError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ArtifactContentError'
  }
}

/** What the review and correct phases take from a dispatch artifact. */
export interface DispatchArtifact {
  record: DispatchRecord
  /** The prompt the implementer was given. */
  prompt: string
}

/** The text of a file's content (artifacts hold UTF-8 text). */
export function fileText(file: ArtifactFile): string {
  return typeof file.content === 'string'
    ? file.content
    : Buffer.from(file.content).toString('utf8')
}

const refusal = (name: string, why: string) =>
  new ArtifactContentError(
    `Artifact '${name}' is refused: ${why}. It was not produced by this pipeline or was tampered with; nothing from it is used. Re-run the job that made it.`
  )

/**
 * Checks every path of an artifact: relative, no `..` segment, and either one of `allowed` or under
 * one of `allowedFolders`.
 */
function checkPaths(
  name: string,
  files: readonly ArtifactFile[],
  allowed: readonly string[],
  allowedFolders: readonly string[] = []
): Map<string, ArtifactFile> {
  const byPath = new Map<string, ArtifactFile>()
  for (const file of files) {
    const normalized = file.path.replace(/\\/g, '/')
    if (
      !SafeRelativePath.safeParse(normalized).success ||
      normalized.split('/').some(segment => segment === '.' || segment === '')
    ) {
      throw refusal(
        name,
        `it holds the path ${JSON.stringify(file.path)}, which escapes the artifact`
      )
    }
    const known =
      allowed.includes(normalized) || allowedFolders.some(folder => normalized.startsWith(folder))
    if (!known) {
      throw refusal(
        name,
        `it holds ${JSON.stringify(file.path)}, which the pipeline never writes there (expected ${allowed.join(', ')})`
      )
    }
    byPath.set(normalized, file)
  }
  return byPath
}

function required(name: string, byPath: Map<string, ArtifactFile>, path: string): string {
  const file = byPath.get(path)
  if (file === undefined) throw refusal(name, `it has no ${path}`)
  return fileText(file)
}

/**
 * Reads a downloaded dispatch artifact: `record.json` valid against `DispatchRecord` and about pull
 * request `pr`, and the implementer's `prompt.md`.
 * @throws ArtifactContentError naming the artifact and what is wrong.
 */
export function readDispatchArtifact(
  name: string,
  files: readonly ArtifactFile[],
  pr: number
): DispatchArtifact {
  const byPath = checkPaths(name, files, Object.values(DISPATCH_ARTIFACT_FILES))
  const recordText = required(name, byPath, DISPATCH_ARTIFACT_FILES.record)
  let value: unknown
  try {
    value = JSON.parse(recordText)
  } catch (error) {
    throw refusal(
      name,
      `its ${DISPATCH_ARTIFACT_FILES.record} is not JSON (${(error as Error).message})`
    )
  }
  const parsed = parseDispatchRecord(value, `${name}/${DISPATCH_ARTIFACT_FILES.record}`)
  if (!parsed.ok) throw refusal(name, parsed.error.message)
  if (parsed.value.pr !== pr) {
    throw refusal(name, `its record is about PR ${String(parsed.value.pr)}, not PR #${pr}`)
  }
  return { record: parsed.value, prompt: required(name, byPath, DISPATCH_ARTIFACT_FILES.prompt) }
}

/**
 * Reads a downloaded review artifact's `review.json`, valid against `ReviewRecord` and about pull
 * request `pr`.
 * @throws ArtifactContentError naming the artifact and what is wrong.
 */
export function readReviewArtifact(
  name: string,
  files: readonly ArtifactFile[],
  pr: number
): ReviewRecord {
  const { review, prompt, events } = RUN_ARTIFACT_FILES
  const byPath = checkPaths(name, files, [review, prompt, events], [RUN_ARTIFACT_FILES.attempts])
  const parsed = parseReviewRecordJson(required(name, byPath, review), `${name}/${review}`)
  if (!parsed.ok) throw refusal(name, parsed.error.message)
  if (parsed.value.pr !== pr) {
    throw refusal(name, `its record is about PR #${parsed.value.pr}, not PR #${pr}`)
  }
  return parsed.value
}
