import { SequenceBuilder } from '../../src/plan/sequence.js'

const rank = (group: string) => Number(group.slice(1))

describe('SequenceBuilder.order', () => {
  it('orders every group of a subset even when a group outside it points into it', () => {
    const sequence = new SequenceBuilder()
    sequence.add('g3', 'g5', 'g3 removes what g5 builds on')
    sequence.add('g1', 'g5', 'same file')
    expect(sequence.order(['g1', 'g5'], rank)).toEqual(['g1', 'g5'])
  })

  it('respects the edges among all groups, lower rank first among the free ones', () => {
    const sequence = new SequenceBuilder()
    sequence.add('g4', 'g2', 'dependency')
    expect(sequence.order(['g1', 'g2', 'g3', 'g4'], rank)).toEqual(['g1', 'g3', 'g4', 'g2'])
  })

  it('never adds an edge that would close a cycle', () => {
    const sequence = new SequenceBuilder()
    expect(sequence.add('g1', 'g2', 'a')).toBe('added')
    expect(sequence.add('g2', 'g1', 'b')).toBe('implied-reverse')
    expect(sequence.order(['g2', 'g1'], rank)).toEqual(['g1', 'g2'])
  })
})
