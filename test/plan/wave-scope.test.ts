import { describe, expect, it } from '@jest/globals'
import { sealPlan, type WaveGroup } from '../../src/contracts/index.js'
import { groupMismatch, otherWaveIssues } from '../../src/plan/wave-scope.js'

const g1: WaveGroup = { id: 'g1', issues: [1], branchType: 'fix', title: 'One', openQuestions: [] }
const g23: WaveGroup = {
  id: 'g2-3',
  issues: [2, 3],
  branchType: 'feat',
  title: 'Two',
  openQuestions: []
}
const plan = sealPlan({
  v: 1,
  issues: [1, 2, 3, 4].map(number => ({
    number,
    title: `Issue ${number}`,
    labels: [],
    state: 'open' as const
  })),
  groups: [g1, g23],
  sequence: [],
  skips: [{ issue: 4, reason: 'umbrella', detail: 'has sub-issues' }],
  findings: [],
  needsConfirmation: false
})

describe('wave scope', () => {
  it('lists the other groups’ issues, not the group’s own nor the skipped ones', () => {
    expect(otherWaveIssues(plan, g1).map(issue => issue.number)).toEqual([2, 3])
    expect(otherWaveIssues(plan, g23).map(issue => issue.number)).toEqual([1])
  })

  it('accepts the group as the plan has it, and names what differs otherwise', () => {
    expect(groupMismatch(plan, g1)).toBeNull()
    expect(groupMismatch(plan, { ...g1, id: 'g9' })).toBe(
      `group "g9" is not in plan ${plan.id} (its groups: "g1", "g2-3")`
    )
    expect(groupMismatch(plan, { ...g1, issues: [1, 4] })).toBe(
      `group "g1" differs from the group of that id in plan ${plan.id}`
    )
  })
})
