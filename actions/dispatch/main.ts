/**
 * The dispatch action: `step: plan` triages a batch of issues into a wave plan; `step: implement`
 * runs codex for one group of it. Both read every input before doing anything.
 */
import * as core from '@actions/core'
import { DISPATCH_INPUTS } from '../../src/action-io.js'
import {
  choiceInput,
  InputError,
  readCommonSettings,
  type InputReader
} from '../../src/actions-runtime/inputs.js'
import { runAction } from '../../src/actions-runtime/run.js'
import { runImplementStep } from './implement-step.js'
import { runPlanStep } from './plan-step.js'

/** The steps of the dispatch action. */
export const DISPATCH_STEPS = ['plan', 'implement'] as const

/** Reads the required `step` input; empty or anything else is an error naming both steps. */
export function readStep(read: InputReader): (typeof DISPATCH_STEPS)[number] {
  if (read(DISPATCH_INPUTS.step) === '') {
    throw new InputError(
      `Input '${DISPATCH_INPUTS.step}' is empty. Use ${DISPATCH_STEPS.map(step => `'${step}'`).join(' or ')}.`
    )
  }
  return choiceInput(read, DISPATCH_INPUTS.step, DISPATCH_STEPS, 'plan')
}

/** Runs the step the inputs ask for; any error fails the step with its message. */
export async function run(): Promise<void> {
  await runAction(async () => {
    const read: InputReader = name => core.getInput(name)
    const step = readStep(read)
    const settings = readCommonSettings(read)
    if (step === 'plan') await runPlanStep(settings, read)
    else await runImplementStep(settings, read)
  })
}
