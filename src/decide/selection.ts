/**
 * Which pull requests a review or correction run takes on (`step: select` of those actions): by
 * hand, the one pull request named; after a run of the phase before, the pipeline's open pull
 * requests that wait for this phase. Never a fork's: its code must not reach a codex runner.
 */
import type { StatusFact } from './readiness.js'

/** The phases whose runs select pull requests. */
export type SelectingPhase = 'review' | 'correct'

/** What the selection needs of a pull request (from the pulls API). */
export interface SelectionPull {
  number: number
  headSha: string
  headRef: string
  /** Whether the head branch lives in another repository (a fork). */
  crossRepository: boolean
  state: 'open' | 'closed'
  labels: readonly string[]
}

/** One job of the review or correct matrix: the pull request, its head and its branch. */
export interface SelectionEntry {
  pr: number
  sha: string
  branch: string
}

/** The `codex-waves/review` status on a head: its state, or null when the head has none. */
export type ReviewState = StatusFact['state'] | null

/** The include list, or why the pull request asked for by hand is refused. */
export type Selection = { ok: true; include: SelectionEntry[] } | { ok: false; message: string }

/** The labels the selection reads (`labels` in the config). */
export interface SelectionLabels {
  /** The label of the pipeline's own pull requests. */
  pullRequest: string
  /** The label of a pull request that waits for a person. */
  needsHuman: string
}

/** The pull requests a run after the phase before chooses from. */
export type AutomaticSelection =
  | { phase: 'review'; pulls: readonly SelectionPull[]; labels: SelectionLabels }
  | {
      phase: 'correct'
      pulls: readonly SelectionPull[]
      labels: SelectionLabels
      /** The pull requests the triggering review run reviewed ({@link reviewedPulls}). */
      reviewed: readonly number[]
    }

/**
 * The newest pipeline pull requests a run considers: a matrix holds at most 256 jobs, and the
 * rest wait for the next run.
 */
export const MAX_CONSIDERED = 256

const VERB: Record<SelectingPhase, string> = { review: 'reviews', correct: 'corrects' }

/** The `pr` input: a pull request number, null when empty, or a refusal naming the input. */
export function parsePullInput(
  name: string,
  raw: string
): { ok: true; pr: number | null } | { ok: false; message: string } {
  if (raw === '') return { ok: true, pr: null }
  if (!/^\d{1,10}$/.test(raw) || Number(raw) < 1) {
    return {
      ok: false,
      message: `Input '${name}': '${raw.slice(0, 40)}' is not a pull request number. Give one number, e.g. 42.`
    }
  }
  return { ok: true, pr: Number(raw) }
}

/**
 * The pull request asked for by hand, whatever its labels and review status, as long as it is an
 * open pull request of this repository.
 * @param pull the pull request, or null when the number names none.
 */
export function selectByHand(
  phase: SelectingPhase,
  requested: number,
  pull: SelectionPull | null
): Selection {
  if (pull === null) {
    return {
      ok: false,
      message: `No pull request of this repository has the number ${requested} (an issue may have it). Give the number of an open pull request, e.g. 42.`
    }
  }
  if (pull.state !== 'open' || pull.crossRepository) {
    return {
      ok: false,
      message: `Pull request #${requested} is not open or comes from a fork; the pipeline ${VERB[phase]} only open pull requests of this repository.`
    }
  }
  return { ok: true, include: [entryOf(pull)] }
}

/**
 * The pull requests whose review status the selection needs: the open pipeline pull requests of
 * this repository that wait for no person and, for a correction, that the triggering review run
 * reviewed. Only these are worth a status read.
 */
export function statusCandidates(request: AutomaticSelection): SelectionPull[] {
  const { labels } = request
  const reviewed = request.phase === 'correct' ? new Set(request.reviewed) : null
  return request.pulls
    .filter(pull => pull.state === 'open' && hasLabel(pull, labels.pullRequest))
    .slice(0, MAX_CONSIDERED)
    .filter(
      pull =>
        !pull.crossRepository &&
        !hasLabel(pull, labels.needsHuman) &&
        (reviewed === null || reviewed.has(pull.number))
    )
}

/**
 * The automatic selection, in the order of `pulls`. A review takes the candidates whose head has
 * no final review yet (no status, or pending or error); a correction those whose review failed. A
 * candidate whose status was not read is left out: the selection never guesses.
 * @param states the review status of each candidate's head, by pull request number.
 */
export function selectAutomatically(
  request: AutomaticSelection,
  states: ReadonlyMap<number, ReviewState>
): SelectionEntry[] {
  const wanted = (state: ReviewState) =>
    request.phase === 'review' ? state !== 'success' && state !== 'failure' : state === 'failure'
  return statusCandidates(request)
    .filter(pull => {
      const state = states.get(pull.number)
      return state !== undefined && wanted(state)
    })
    .map(entryOf)
}

/**
 * The pull requests a review run reviewed, from its artifact names (`waves-review-<pr>-<attempt>`),
 * each once, in the order of the names.
 */
export function reviewedPulls(artifactNames: readonly string[]): number[] {
  const numbers = artifactNames
    .map(name => /^waves-review-(\d+)-\d+$/.exec(name)?.[1])
    .filter((digits): digits is string => digits !== undefined)
    .map(Number)
  return [...new Set(numbers)]
}

function hasLabel(pull: SelectionPull, label: string): boolean {
  // GitHub's label names are case-insensitive: a label created as 'Codex-Waves' is the same one.
  return pull.labels.some(name => name.toLowerCase() === label.toLowerCase())
}

function entryOf(pull: SelectionPull): SelectionEntry {
  return { pr: pull.number, sha: pull.headSha, branch: pull.headRef }
}
