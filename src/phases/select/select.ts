/**
 * The select step of the review and correct actions: the pull requests the run's matrix takes on.
 * By hand it reads the one pull request; after a run of the phase before, one list of the open
 * pull requests (for a correction, first the triggering review run's artifact names) and one
 * status read per candidate. Nothing is written.
 */
import {
  reviewedPulls,
  selectAutomatically,
  selectByHand,
  statusCandidates,
  REVIEW_STATUS_CONTEXT,
  type AutomaticSelection,
  type ReviewState,
  type SelectingPhase,
  type SelectionEntry
} from '../../decide/index.js'
import type { Forge, Ui } from '../../ports.js'
import type { PhaseContext } from '../shared/context.js'

/** A selection after a run of the phase before, with no pull request given by hand. */
export type FollowingRequest =
  | { phase: 'review'; pr: null }
  /** `reviewRun`: the completed review run whose reviewed pull requests are candidates. */
  | { phase: 'correct'; pr: null; reviewRun: number }

/** What the step was asked: the pull request given by hand, or the run it follows. */
export type SelectRequest = { phase: SelectingPhase; pr: number } | FollowingRequest

/** What the step works with: it reads only. */
export type SelectContext = Pick<PhaseContext, 'config'> & {
  forge: Pick<Forge, 'getPull' | 'listOpenPulls' | 'getCommitStatus' | 'listRunArtifactNames'>
  ui: Pick<Ui, 'info'>
}

/**
 * The include list of the run's matrix. A pull request given by hand that is closed, a fork's or
 * missing is an error that says why.
 */
export async function selectPullRequests(
  context: SelectContext,
  request: SelectRequest
): Promise<SelectionEntry[]> {
  const { forge, ui } = context
  if (request.pr !== null) {
    const pull = await forge.getPull(request.pr)
    const selection = selectByHand(request.phase, request.pr, pull)
    if (!selection.ok) throw new Error(selection.message)
    return selection.include
  }
  const automatic = await automaticSelection(context, request)
  if (automatic === null) return []
  const states = new Map<number, ReviewState>()
  for (const pull of statusCandidates(automatic)) {
    states.set(pull.number, await forge.getCommitStatus(pull.headSha, REVIEW_STATUS_CONTEXT))
  }
  const include = selectAutomatically(automatic, states)
  ui.info(
    `${automatic.pulls.length} open pipeline pull request(s), ${states.size} candidate(s), ${include.length} to ${request.phase}.`
  )
  return include
}

/** The pull requests to choose from; null when a correction follows a run that reviewed none. */
async function automaticSelection(
  context: SelectContext,
  request: FollowingRequest
): Promise<AutomaticSelection | null> {
  const { forge, ui, config } = context
  const labels = { pullRequest: config.labels.pullRequest, needsHuman: config.labels.needsHuman }
  if (request.phase === 'review') {
    return {
      phase: 'review',
      pulls: await forge.listOpenPulls({ label: labels.pullRequest }),
      labels
    }
  }
  const reviewed = reviewedPulls(await forge.listRunArtifactNames(request.reviewRun))
  if (reviewed.length === 0) {
    ui.info(`Review run ${request.reviewRun} reviewed no pull request: nothing to correct.`)
    return null
  }
  ui.info(`Review run ${request.reviewRun} reviewed #${reviewed.join(', #')}.`)
  const pulls = await forge.listOpenPulls({ label: labels.pullRequest })
  return { phase: 'correct', pulls, labels, reviewed }
}
