import {
  batchFromEvent,
  senderCheck,
  senderRefusal,
  WAVE_STARTER_ROLES,
  type TriggerEvent
} from '../../src/plan/index.js'

const labelled = (label: string | null): TriggerEvent => ({
  name: 'issues',
  action: 'labeled',
  issue: 42,
  label,
  sender: 'octo'
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
      { name: 'workflow_dispatch', action: null, issue: null, label: null, sender: 'octo' },
      'codex-waves'
    )
    expect(dispatch).toEqual({
      outcome: 'error',
      message:
        "Input 'issues' is empty and the triggering event 'workflow_dispatch' is not an issue labelled 'codex-waves'. Pass the issue numbers in 'issues', e.g. '12, 15, 17'."
    })
    const opened = batchFromEvent(
      { name: 'issues', action: 'opened', issue: 42, label: null, sender: 'octo' },
      'codex-waves'
    )
    expect(opened).toMatchObject({ outcome: 'error' })
    expect(opened.outcome === 'error' && opened.message).toContain("'issues (opened)'")
  })
})

describe('who may start a wave', () => {
  test("a labelled issue needs its labeller's permission; nothing else needs a check", () => {
    expect(senderCheck(labelled('codex-waves'))).toEqual({ check: 'permission', login: 'octo' })
    expect(senderCheck(labelled('bug'))).toEqual({ check: 'permission', login: 'octo' })
    expect(senderCheck(null)).toEqual({ check: 'none' })
    expect(
      senderCheck({
        name: 'workflow_dispatch',
        action: null,
        issue: null,
        label: null,
        sender: 'x'
      })
    ).toEqual({ check: 'none' })
  })

  test('a labelled event without a sender is refused', () => {
    expect(senderCheck({ ...labelled('codex-waves'), sender: null })).toMatchObject({
      check: 'refuse',
      message: expect.stringContaining('names no sender')
    })
  })

  test.each(['admin', 'maintain', 'write'])('%s may start a wave', permission => {
    expect(WAVE_STARTER_ROLES).toContain(permission)
    expect(senderRefusal('octo', permission, 'acme/widgets')).toBeNull()
  })

  test.each([
    ['triage', "octo has 'triage' access to acme/widgets"],
    ['read', "octo has 'read' access to acme/widgets"],
    ['none', 'octo has no access to acme/widgets']
  ])('%s may not, and the refusal says who lacks which access', (permission, who) => {
    expect(senderRefusal('octo', permission, 'acme/widgets')).toBe(
      `${who}, not write, maintain or admin: a label starts a wave only when the person who set it may write to the repository. Nothing was done; someone with write access can set the label again or run the dispatch workflow by hand.`
    )
  })
})
