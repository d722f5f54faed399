/**
 * What happens to a PR after another one merged and its branch was brought up to date: its approval
 * carries over, it goes back to review, or it gets a correction order (a conflict, or a numbered
 * file whose number the merged PR took).
 */
import type { CorrectionItem } from '../contracts/index.js'

/** A numbered file this PR adds whose number a merged PR already took in the same place. */
export interface NumberingCollision {
  /** The numbered-path glob both files match, e.g. `docs/adr/*.md`. */
  pattern: string
  /** The number as written in the file name, e.g. `0005`. */
  number: string
  /** The file the merged PR added. */
  taken: string
  /** The file this PR adds with the same number. */
  ours: string
}

/**
 * Finds the files this PR adds under a numbered path (config `numbered-paths`) whose leading number
 * a merged PR already used in the same directory: `docs/adr/0005-use-redis.md` against a merged
 * `docs/adr/0005-use-postgres.md`. Numbers compare by value (`0005` = `5`).
 * @param mergedPaths files the merged PR added.
 * @param prPaths files this PR adds.
 * @param numberedPatterns globs such as `docs/adr/*.md`, `migrations/*`.
 */
export function findNumberingCollision(
  mergedPaths: readonly string[],
  prPaths: readonly string[],
  numberedPatterns: readonly string[]
): NumberingCollision[] {
  const collisions: NumberingCollision[] = []
  for (const pattern of numberedPatterns) {
    const matcher = globToRegExp(pattern)
    const taken = numbered(mergedPaths.filter(path => matcher.test(path)))
    for (const ours of numbered(prPaths.filter(path => matcher.test(path)))) {
      const clash = taken.find(
        other => other.directory === ours.directory && other.value === ours.value
      )
      if (clash !== undefined) {
        collisions.push({ pattern, number: ours.number, taken: clash.path, ours: ours.path })
      }
    }
  }
  const unique = new Map(collisions.map(collision => [collision.ours, collision]))
  return [...unique.values()].sort((a, b) => (a.ours < b.ours ? -1 : a.ours > b.ours ? 1 : 0))
}

interface NumberedFile {
  path: string
  directory: string
  number: string
  value: bigint
}

function numbered(paths: readonly string[]): NumberedFile[] {
  return paths.flatMap(path => {
    const slash = path.lastIndexOf('/')
    const digits = /^\d+/.exec(path.slice(slash + 1))?.[0]
    if (digits === undefined) return []
    return [{ path, directory: path.slice(0, slash + 1), number: digits, value: BigInt(digits) }]
  })
}

/** A glob as a whole-path pattern: `*` within one path segment, `**` across segments, `?` one character. */
export function globToRegExp(glob: string): RegExp {
  let source = ''
  for (let i = 0; i < glob.length; i++) {
    const character = glob[i] as string
    if (character === '*' && glob[i + 1] === '*') {
      source += '.*'
      i++
      if (glob[i + 1] === '/') i++
    } else if (character === '*') source += '[^/]*'
    else if (character === '?') source += '[^/]'
    else source += character.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${source}$`)
}

/** The input of {@link afterUpdate}. */
export interface AfterUpdateInput {
  /** `git patch-id --stable` of the PR's own change before the update (base...old head). */
  oldPatchId: string | null
  /** The same after the update (new base...new head). */
  newPatchId: string | null
  /** True when the update could not merge the base in (conflicting files, when known, below). */
  conflict: boolean
  conflictFiles?: readonly string[]
  /** From {@link findNumberingCollision}; empty when there is none. */
  numberedCollision: readonly NumberingCollision[]
  /** The PR that merged and caused the update, for the wording. */
  mergedPr?: number
}

/** What to do with a PR after its branch was updated. */
export type AfterUpdateDecision =
  | { action: 'carry-approval'; reason: string }
  | { action: 'review'; reason: string }
  | { action: 'correct'; kind: 'conflict' | 'numbering'; items: CorrectionItem[]; reason: string }

/**
 * Decides after an update: a conflict becomes a correction order to resolve it; a taken number a
 * renumbering order; otherwise an unchanged patch id (the PR's own diff is the one approved)
 * carries the approval to the new head, and a changed or unknown one sends the PR back to review.
 */
export function afterUpdate(input: AfterUpdateInput): AfterUpdateDecision {
  const by = input.mergedPr === undefined ? 'a merged PR' : `#${input.mergedPr}`
  if (input.conflict) {
    const files = [...(input.conflictFiles ?? [])].sort()
    const where = files.length === 0 ? '' : ` in ${files.join(', ')}`
    return {
      action: 'correct',
      kind: 'conflict',
      reason: `the branch conflicts with the base after ${by} merged${where}`,
      items: [
        {
          id: 'merge-conflict',
          category: 'merge_conflict',
          title: `Resolve the conflict with the base after ${by} merged`,
          detail: `The correction moves the branch onto the current base and leaves conflict markers where both changed the same lines${where}; resolve every one, keeping both the merged change and this PR's intent; change nothing else.`
        }
      ]
    }
  }
  if (input.numberedCollision.length > 0) {
    return {
      action: 'correct',
      kind: 'numbering',
      reason: `${by} took ${input.numberedCollision.map(c => c.number).join(', ')}: renumber ${input.numberedCollision.map(c => c.ours).join(', ')}`,
      items: input.numberedCollision.map((collision, index) => ({
        id: `renumber-${index + 1}`,
        category: 'numbering',
        title: `Renumber ${collision.ours}: ${by} took number ${collision.number}`,
        detail: `${by} added ${collision.taken}. Give ${collision.ours} the next free number in ${collision.ours.slice(0, collision.ours.lastIndexOf('/') + 1) || 'its directory'} (matching ${collision.pattern}) and update every reference to it.`
      }))
    }
  }
  if (input.oldPatchId !== null && input.oldPatchId === input.newPatchId) {
    return {
      action: 'carry-approval',
      reason: `the PR's own patch is unchanged by the update (patch id ${input.newPatchId.slice(0, 12)}); the approval carries to the new head`
    }
  }
  return {
    action: 'review',
    reason:
      input.oldPatchId === null || input.newPatchId === null
        ? "the PR's own patch could not be compared (empty diff); it goes back to review"
        : "the PR's own patch changed with the update; it goes back to review"
  }
}
