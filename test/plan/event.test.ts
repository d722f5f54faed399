import { batchFromEvent, type TriggerEvent } from '../../src/plan/index.js'

const labelled = (label: string | null): TriggerEvent => ({
  name: 'issues',
  action: 'labeled',
  issue: 42,
  label
})

describe('batchFromEvent', () => {
  test('an issue labelled with the trigger label (any case) is the batch', () => {
    expect(batchFromEvent(labelled('codex-waves'), 'codex-waves')).toEqual({
      outcome: 'plan',
      issues: [42]
    })
    expect(batchFromEvent(labelled('Codex-Waves'), 'codex-waves')).toEqual({
      outcome: 'plan',
      issues: [42]
    })
  })

  test('another label plans nothing and says why', () => {
    expect(batchFromEvent(labelled('bug'), 'codex-waves')).toEqual({
      outcome: 'nothing',
      reason: "Issue #42 was labelled 'bug', not the trigger label 'codex-waves': nothing to plan."
    })
  })

  test('any other event is an error that says to pass issues', () => {
    const dispatch = batchFromEvent(
      { name: 'workflow_dispatch', action: null, issue: null, label: null },
      'codex-waves'
    )
    expect(dispatch).toEqual({
      outcome: 'error',
      message:
        "Input 'issues' is empty and the triggering event 'workflow_dispatch' is not an issue labelled 'codex-waves'. Pass the issue numbers in 'issues', e.g. '12, 15, 17'."
    })
    const opened = batchFromEvent(
      { name: 'issues', action: 'opened', issue: 42, label: null },
      'codex-waves'
    )
    expect(opened).toMatchObject({ outcome: 'error' })
    expect(opened.outcome === 'error' && opened.message).toContain("'issues (opened)'")
  })
})
