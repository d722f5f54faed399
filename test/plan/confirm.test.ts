import { sealPlan, type WaveGroup, type WavePlanContent } from '../../src/contracts/index.js'
import { confirmPlan, planMatrix } from '../../src/plan/index.js'

function group(id: string, issues: number[]): WaveGroup {
  return { id, issues, branchType: 'fix', title: `Group ${id}`, openQuestions: [] }
}

function content(overrides: Partial<WavePlanContent> = {}): WavePlanContent {
  return {
    v: 1,
    issues: [
      { number: 12, title: 'A', labels: [], state: 'open' },
      { number: 15, title: 'B', labels: [], state: 'open' },
      { number: 17, title: 'C', labels: [], state: 'open' }
    ],
    groups: [group('g12', [12]), group('g15', [15]), group('g17', [17])],
    sequence: [{ before: 'g17', after: 'g12', reason: '#12 depends on #17.' }],
    skips: [],
    findings: [],
    needsConfirmation: false,
    ...overrides
  }
}

describe('confirmPlan', () => {
  const plain = sealPlan(content())
  const gated = sealPlan(content({ needsConfirmation: true }))

  test('without an id, proceeds when no confirmation is needed', () => {
    expect(confirmPlan(plain, '')).toMatchObject({ outcome: 'proceed', confirmed: false })
    expect(confirmPlan(plain, null)).toMatchObject({ outcome: 'proceed', confirmed: false })
  })

  test('without an id, halts when a confirmation is needed, naming the id to confirm', () => {
    expect(confirmPlan(gated, '  ')).toEqual({
      outcome: 'halt',
      message: `The plan needs a confirmation. Review the proposal and re-dispatch with confirm: ${gated.id}.`
    })
  })

  test('with an environment, a plan that needs a confirmation waits for its approval instead', () => {
    expect(confirmPlan(gated, null, { environment: ' waves-go ' })).toEqual({
      outcome: 'await-approval',
      environment: 'waves-go',
      message: `The plan needs a confirmation: the implement jobs wait for a required reviewer of the environment 'waves-go' to approve them, or for a re-dispatch with confirm: ${gated.id}.`
    })
    expect(confirmPlan(gated, null, { environment: '  ' }).outcome).toBe('halt')
    expect(confirmPlan(plain, null, { environment: 'waves-go' }).outcome).toBe('proceed')
    expect(confirmPlan(gated, gated.id, { environment: 'waves-go' })).toMatchObject({
      outcome: 'proceed',
      confirmed: true
    })
    expect(confirmPlan(gated, plain.id, { environment: 'waves-go' }).outcome).toBe('refused')
  })

  test('the plan id proceeds, confirmed', () => {
    expect(confirmPlan(gated, ` ${gated.id}\n`)).toMatchObject({
      outcome: 'proceed',
      confirmed: true
    })
  })

  test('another plan id is refused with both ids', () => {
    expect(confirmPlan(gated, plain.id)).toEqual({
      outcome: 'refused',
      message:
        `Input 'confirm': plan '${plain.id}' no longer matches the current plan '${gated.id}' ` +
        `(the issues changed since it was proposed). Review the new proposal and re-dispatch with confirm: ${gated.id}.`
    })
    expect(confirmPlan(plain, gated.id).outcome).toBe('refused')
  })

  test('text that is no plan id is refused as such', () => {
    expect(confirmPlan(gated, 'yes please')).toEqual({
      outcome: 'refused',
      message:
        "Input 'confirm': 'yes please' is not a plan id (12 lowercase hexadecimal characters). " +
        `Review the new proposal and re-dispatch with confirm: ${gated.id}.`
    })
  })
})

describe('planMatrix', () => {
  test('holds every group, the ones others wait for first', () => {
    const plan = sealPlan(content())
    const result = planMatrix(plan, confirmPlan(plan, null))
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.matrix.include.map(g => g.id)).toEqual(['g15', 'g17', 'g12'])
    expect(JSON.parse(result.output)).toEqual(result.matrix)
    expect(result.matrix.include[0]).toEqual(group('g15', [15]))
  })

  test('is empty, with an empty output, when halted or refused', () => {
    const plan = sealPlan(content({ needsConfirmation: true }))
    expect(planMatrix(plan, confirmPlan(plan, null))).toEqual({
      ok: true,
      matrix: { include: [] },
      output: ''
    })
    expect(planMatrix(plan, confirmPlan(plan, '000000000000'))).toEqual({
      ok: true,
      matrix: { include: [] },
      output: ''
    })
  })

  test('holds every group while the jobs wait for an environment to approve them', () => {
    const plan = sealPlan(content({ needsConfirmation: true }))
    const waiting = planMatrix(plan, confirmPlan(plan, null, { environment: 'waves-go' }))
    expect(waiting).toMatchObject({ ok: true })
    if (!waiting.ok) return
    expect(waiting.matrix.include.map(g => g.id)).toEqual(['g15', 'g17', 'g12'])
  })

  test('is empty when every issue was skipped', () => {
    const plan = sealPlan(content({ issues: [], groups: [], sequence: [] }))
    expect(planMatrix(plan, confirmPlan(plan, null))).toMatchObject({ output: '' })
  })

  test('refuses more groups than a matrix holds', () => {
    const numbers = Array.from({ length: 257 }, (_, i) => i + 1)
    const plan = sealPlan(
      content({
        issues: numbers.map(number => ({ number, title: 't', labels: [], state: 'open' as const })),
        groups: numbers.map(number => group(`g${number}`, [number])),
        sequence: []
      })
    )
    expect(planMatrix(plan, confirmPlan(plan, null))).toEqual({
      ok: false,
      message:
        'The plan has 257 groups, more than the 256 jobs a matrix holds. ' +
        'Split the wave: dispatch at most 256 issues at a time.'
    })
  })
})
