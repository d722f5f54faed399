import { readPullStep, readSelectRequest } from '../../src/actions-runtime/select-step.js'

const reader = (inputs: Record<string, string>) => (name: string) => inputs[name] ?? ''
const reviewRunCompleted = { eventName: 'workflow_run', payload: { workflow_run: { id: 4242 } } }
const dispatched = { eventName: 'workflow_dispatch', payload: { inputs: { pr: '' } } }

describe('readPullStep', () => {
  it('defaults to the phase itself, so callers without the input are unchanged', () => {
    expect(readPullStep(reader({}), 'review')).toBe('review')
    expect(readPullStep(reader({}), 'correct')).toBe('correct')
  })

  it('reads select, and refuses another phase, naming both steps', () => {
    expect(readPullStep(reader({ step: 'select' }), 'correct')).toBe('select')
    expect(() => readPullStep(reader({ step: 'correct' }), 'review')).toThrow(
      "Input 'step': 'correct' is not one of 'review', 'select'."
    )
  })
})

describe('readSelectRequest', () => {
  it('by hand: the pull request of the input, whatever the event', () => {
    expect(readSelectRequest(reader({ pr: '42' }), 'review', dispatched)).toEqual({
      phase: 'review',
      pr: 42
    })
    expect(readSelectRequest(reader({ pr: '42' }), 'correct', reviewRunCompleted)).toEqual({
      phase: 'correct',
      pr: 42
    })
  })

  it('refuses a pr input that is not one number', () => {
    expect(() => readSelectRequest(reader({ pr: '42, 43' }), 'review', dispatched)).toThrow(
      "Input 'pr': '42, 43' is not a pull request number. Give one number, e.g. 42."
    )
  })

  it('a review without a pull request chooses among the open ones', () => {
    expect(readSelectRequest(reader({}), 'review', reviewRunCompleted)).toEqual({
      phase: 'review',
      pr: null
    })
  })

  it('a correction without a pull request follows the review run of the event', () => {
    expect(readSelectRequest(reader({}), 'correct', reviewRunCompleted)).toEqual({
      phase: 'correct',
      pr: null,
      reviewRun: 4242
    })
  })

  it('a correction with neither is an error that says what to pass', () => {
    expect(() => readSelectRequest(reader({}), 'correct', dispatched)).toThrow(
      "Input 'pr' is empty and the 'workflow_dispatch' event is not a completed review run. Pass the pull request to correct, e.g. 'pr: 42', or run the step on the review workflow's workflow_run event."
    )
    const noId = { eventName: 'workflow_run', payload: { workflow_run: { id: 'x' } } }
    expect(() => readSelectRequest(reader({}), 'correct', noId)).toThrow(/Input 'pr' is empty/)
  })
})
