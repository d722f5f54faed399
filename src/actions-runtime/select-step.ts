/**
 * `step: select` of the review and correct actions: reads the `pr` input and the triggering event,
 * chooses the pull requests the run's matrix takes on, and sets `include` and `count`. The step
 * only reads, so its job needs no write scope and no codex runner.
 */
import { CORRECT_INPUTS, REVIEW_INPUTS, SELECT_OUTPUTS } from '../action-io.js'
import { parsePullInput, type SelectingPhase } from '../decide/index.js'
import { workflowRunIdFromEvent } from '../phases/shared/event-pull.js'
import { selectPullRequests, type SelectRequest } from '../phases/select/select.js'
import { createActionsContext } from './context.js'
import { InputError, choiceInput, type CommonSettings, type InputReader } from './inputs.js'

const INPUTS = { review: REVIEW_INPUTS, correct: CORRECT_INPUTS } as const

/** The triggering event, as `@actions/github` gives it. */
export interface StepEvent {
  eventName: string
  payload: unknown
}

/** The `step` input: `select`, or the phase itself (the default, what the action always did). */
export function readPullStep<P extends SelectingPhase>(read: InputReader, phase: P): P | 'select' {
  return choiceInput<P | 'select'>(read, INPUTS[phase].step, [phase, 'select'], phase)
}

/**
 * What the select step is asked, checked before any request: the pull request given by hand, or
 * for a correction the review run of the triggering `workflow_run` event.
 */
export function readSelectRequest(
  read: InputReader,
  phase: SelectingPhase,
  event: StepEvent
): SelectRequest {
  const name = INPUTS[phase].pr
  const parsed = parsePullInput(name, read(name))
  if (!parsed.ok) throw new InputError(parsed.message)
  if (parsed.pr !== null) return { phase, pr: parsed.pr }
  if (phase === 'review') return { phase, pr: null }
  const reviewRun = workflowRunIdFromEvent(event)
  if (reviewRun === null) {
    throw new InputError(
      `Input '${name}' is empty and the '${event.eventName}' event is not a completed review run. Pass the pull request to correct, e.g. 'pr: 42', or run the step on the review workflow's workflow_run event.`
    )
  }
  return { phase, pr: null, reviewRun }
}

/** Runs `step: select` of the review or correct action. */
export async function runSelectStep(
  settings: CommonSettings,
  read: InputReader,
  phase: SelectingPhase,
  event: StepEvent
): Promise<void> {
  const request = readSelectRequest(read, phase, event)
  const { context } = await createActionsContext(settings)
  const include = await selectPullRequests(context, request)
  context.ui.setOutput(SELECT_OUTPUTS.include, JSON.stringify(include))
  context.ui.setOutput(SELECT_OUTPUTS.count, String(include.length))
  context.ui.info(`Pull requests to ${phase}: ${JSON.stringify(include.map(entry => entry.pr))}`)
}
