/**
 * Building blocks shared by the contracts: numbers, SHAs, names and usage figures, each with the
 * wording its errors use.
 */
import { z } from 'zod'

/**
 * A whole number in `[min, max]` whose every failure reads the same:
 * `expected a whole number from 1 to 10` (or `... of at least 0` without an upper bound).
 */
export function wholeNumber(min: number, max?: number) {
  const error =
    max === undefined
      ? `expected a whole number of at least ${min}`
      : `expected a whole number from ${min} to ${max}`
  const atLeast = z.int({ error }).min(min, { error })
  return max === undefined ? atLeast : atLeast.max(max, { error })
}

/** A count of things: a whole number, zero or more. */
export const Count = wholeNumber(0)

/**
 * A string with at least one non-space character. Expressed as a pattern (not `minLength`) so the
 * strict JSON Schemas handed to codex stay within what structured outputs accept.
 */
export function nonBlank(error = 'expected a non-empty string') {
  return z.string({ error }).regex(/\S/, { error })
}

function positiveId(noun: string) {
  const error = `expected ${noun} (a whole number of at least 1)`
  return z.int({ error }).min(1, { error })
}

/** A GitHub issue number. */
export const IssueNumber = positiveId('an issue number')

/** A GitHub pull request number. */
export const PullNumber = positiveId('a pull request number')

/** A GitHub Actions workflow run id (or a local run's number outside Actions). */
export const RunId = positiveId('a run id')

/** How many times a phase's job ran for the same run id (`GITHUB_RUN_ATTEMPT`), from 1. */
export const Attempt = positiveId('an attempt number')

const shaError = 'expected a full commit SHA (40 lowercase hexadecimal characters)'

/** A full commit SHA: 40 lowercase hex characters (64 in a SHA-256 repository). */
export const GitSha = z
  .string({ error: shaError })
  .regex(/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/, { error: shaError })

const timestampError = 'expected an ISO 8601 UTC timestamp such as "2025-01-31T12:00:00.000Z"'

/** A point in time as `Date.prototype.toISOString()` writes it (UTC, `Z`). */
export const Timestamp = z.iso.datetime({ error: timestampError })

const branchError = 'expected a git branch name such as "fix/12-null-title"'

/**
 * A branch name git accepts: no spaces, control characters, `..`, `~^:?*[\`, `@{`, no leading `-`
 * or `/`, no trailing `/`, `.` or `.lock`.
 */
export const BranchName = z
  .string({ error: branchError })
  .regex(/^(?![-/])(?!.*(?:\.\.|\/\/|@\{|\/\.|\.lock(?:\/|$)))[^\s~^:?*[\\\p{Cc}]+(?<![/.])$/u, {
    error: branchError
  })

const groupIdError = 'expected a group id: lowercase letters, digits and dashes, such as "g12-15"'

/**
 * A group's id: short, lowercase, dash-separated, so it fits branch, artifact and matrix names.
 */
export const GroupId = z
  .string({ error: groupIdError })
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, { error: groupIdError })

const artifactError =
  'expected an artifact name without the characters " : < > | * ? \\ / or line breaks'

/** A name `@actions/artifact` accepts. The pipeline's own follow {@link artifactName}. */
export const ArtifactName = z
  .string({ error: artifactError })
  .regex(/^[^":<>|*?\\/\r\n]+$/, { error: artifactError })
  .max(256, { error: artifactError })

const relativePathError =
  'expected a relative path inside the repository (no leading "/", no ".." segments)'

/**
 * A relative path or glob that stays inside the directory it is resolved against: no leading `/`
 * or drive letter, no `..` segment, no backslash, no control character. Used for repository paths from config
 * and for the members of downloaded artifacts (path traversal is refused here).
 */
export const SafeRelativePath = z
  .string({ error: relativePathError })
  .regex(/^(?![/\\])(?![A-Za-z]:)(?!.*(?:^|\/)\.\.(?:\/|$))[^\\\p{Cc}]+$/u, {
    error: relativePathError
  })

/** The phases of the pipeline that run as their own job. */
export const Phase = z.enum(['dispatch', 'review', 'correct', 'merge'])
/** @see Phase */
export type Phase = z.output<typeof Phase>

/** The phases that run codex. */
export const CodexPhase = z.enum(['dispatch', 'review', 'correct'])
/** @see CodexPhase */
export type CodexPhase = z.output<typeof CodexPhase>

/** Branch types, from issue labels: the branch is `<type>/<issue>-<slug>`. */
export const BranchType = z.enum(['fix', 'refactor', 'feat'])
/** @see BranchType */
export type BranchType = z.output<typeof BranchType>

/**
 * What codex runs cost: tokens as `turn.completed.usage` reports them, summed over the run, and the
 * run's wall time.
 */
export const CodexUsageRecord = z.strictObject({
  inputTokens: Count,
  cachedInputTokens: Count,
  outputTokens: Count,
  durationMs: Count
})
/** @see CodexUsageRecord */
export type CodexUsageRecord = z.output<typeof CodexUsageRecord>

/** The usage of no run at all, the start of every sum. */
export const NO_USAGE: Readonly<CodexUsageRecord> = Object.freeze({
  inputTokens: 0,
  cachedInputTokens: 0,
  outputTokens: 0,
  durationMs: 0
})

/** Adds two usage records field by field. */
export function addUsage(a: CodexUsageRecord, b: CodexUsageRecord): CodexUsageRecord {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    durationMs: a.durationMs + b.durationMs
  }
}

/**
 * The name of a phase's artifact: `waves-<phase>-<pr or group>-<attempt>`, e.g.
 * `waves-dispatch-g12-1`, `waves-review-41-2`.
 */
export function artifactName(phase: Phase, subject: number | string, attempt: number): string {
  return `waves-${phase}-${subject}-${attempt}`
}
