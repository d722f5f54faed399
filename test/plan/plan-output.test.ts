import { sealPlan } from '../../src/contracts/index.js'
import { planArtifactName, planOutput } from '../../src/plan/index.js'

const plan = sealPlan({
  v: 1,
  issues: [{ number: 12, title: 'Ünïcode title', labels: [], state: 'open' }],
  groups: [{ id: 'g12', issues: [12], branchType: 'feat', title: 'T', openQuestions: [] }],
  sequence: [],
  skips: [],
  findings: [],
  needsConfirmation: false
})

describe('plan output', () => {
  test('the artifact is named after the plan and the attempt', () => {
    expect(planArtifactName('0123456789ab', 2)).toBe('waves-plan-0123456789ab-2')
  })

  test('the output is the plan JSON when it fits', () => {
    expect(planOutput(plan, 'waves-plan-x-1')).toEqual({
      text: JSON.stringify(plan),
      warning: null
    })
  })

  test('a plan larger than the limit (in UTF-8 bytes) leaves the output empty and names the artifact', () => {
    const bytes = new TextEncoder().encode(JSON.stringify(plan)).length
    expect(planOutput(plan, 'a', bytes).warning).toBeNull()
    const over = planOutput(plan, 'waves-plan-x-1', bytes - 1)
    expect(over.text).toBe('')
    expect(over.warning).toBe(
      `The plan is ${bytes} bytes, more than the ${bytes - 1} the 'plan' output may take (a job's outputs share 1 MB); the output is empty and the whole plan is in the artifact 'waves-plan-x-1'.`
    )
  })
})
