import { orderMerges, type MergeCandidate } from '../../src/decide/index.js'

const candidate = (
  number: number,
  issue: number,
  files: Array<[string, number]>,
  sequencedAfter: Array<number | string> = [],
  group: string | null = null
): MergeCandidate => ({
  number,
  issues: [issue],
  group,
  files: files.map(([path, changes]) => ({ path, changes })),
  sequencedAfter
})

const numbers = (prs: MergeCandidate[]) => orderMerges(prs).order.map(slot => slot.number)

describe('orderMerges', () => {
  test('three PRs, two touching one file: the smaller of the two goes first', () => {
    const prs = [
      candidate(30, 12, [['src/a.ts', 40]]),
      candidate(31, 13, [
        ['src/a.ts', 5],
        ['src/b.ts', 3]
      ]),
      candidate(32, 14, [['src/c.ts', 100]])
    ]
    const result = orderMerges(prs)
    expect(result.order).toEqual([
      { number: 31, reason: 'No constraint; by issue number (#13)' },
      {
        number: 30,
        reason: 'Shares src/a.ts with #31, which is smaller (8 vs 40 changed lines)'
      },
      { number: 32, reason: 'No constraint; by issue number (#14)' }
    ])
    expect(result.cycles).toEqual([])
  })

  test('unrelated PRs go by lowest issue number, whatever the input order', () => {
    const prs = [
      candidate(5, 30, [['x', 1]]),
      candidate(6, 10, [['y', 1]]),
      candidate(7, 20, [['z', 1]])
    ]
    expect(numbers(prs)).toEqual([6, 7, 5])
    expect(numbers([...prs].reverse())).toEqual([6, 7, 5])
  })

  test('a PR others are sequenced after comes first, even with a higher issue number', () => {
    const prs = [
      candidate(40, 10, [['a', 1]], [42]),
      candidate(41, 11, [['b', 1]]),
      candidate(42, 50, [['c', 1]])
    ]
    const result = orderMerges(prs)
    expect(result.order.map(slot => slot.number)).toEqual([42, 40, 41])
    expect(result.order[0]?.reason).toBe('#40 is sequenced after it')
    expect(result.order[1]?.reason).toBe('Sequenced after #42')
  })

  test('sequence edges may name groups', () => {
    const prs = [
      candidate(40, 10, [['a', 1]], ['g-schema'], 'g-api'),
      candidate(41, 60, [['b', 1]], [], 'g-schema')
    ]
    expect(numbers(prs)).toEqual([41, 40])
  })

  test('the plan sequence wins over size among PRs touching the same file', () => {
    const prs = [candidate(50, 1, [['shared.ts', 500]]), candidate(51, 2, [['shared.ts', 2]], [50])]
    expect(numbers(prs)).toEqual([50, 51])
  })

  test('a sequence cycle is reported and broken at the lowest issue number, deterministically', () => {
    const prs = [
      candidate(60, 21, [['a', 1]], [61]),
      candidate(61, 20, [['b', 1]], [62]),
      candidate(62, 22, [['c', 1]], [60]),
      candidate(63, 5, [['d', 1]])
    ]
    const result = orderMerges(prs)
    expect(result.cycles).toEqual([[60, 61, 62]])
    expect(result.order.map(slot => slot.number)).toEqual([63, 61, 60, 62])
    expect(result.order[1]?.reason).toMatch(/^Breaks a sequence cycle/)
    expect(orderMerges([...prs].reverse())).toEqual(result)
  })

  test('references to PRs or groups outside the set are reported', () => {
    const result = orderMerges([candidate(70, 1, [['a', 1]], [99, 'g-gone'])])
    expect(result.order.map(slot => slot.number)).toEqual([70])
    expect(result.unknownPredecessors).toEqual([
      { number: 70, ref: 99 },
      { number: 70, ref: 'g-gone' }
    ])
  })

  test('equal sizes on a shared file: lower issue number first', () => {
    const prs = [candidate(80, 9, [['f', 10]]), candidate(81, 3, [['f', 10]])]
    expect(numbers(prs)).toEqual([81, 80])
  })

  test('a PR listed twice is an error', () => {
    expect(() => orderMerges([candidate(1, 1, []), candidate(1, 2, [])])).toThrow(
      'PR #1 is listed twice for merging.'
    )
  })
})
