import {
  parseProposalMarker,
  proposalCommentKey,
  proposalMarker
} from '../../src/report/plan-summary.js'

describe('proposalCommentKey', () => {
  test("is part of every plan's marker for the issue, and of no other issue's", () => {
    const key = proposalCommentKey(1)
    expect(proposalMarker(1, '0123456789ab')).toContain(key)
    expect(proposalMarker(1, 'ba9876543210')).toContain(key)
    expect(proposalMarker(12, '0123456789ab')).not.toContain(key)
    expect(proposalMarker(21, '0123456789ab')).not.toContain(key)
    expect(parseProposalMarker(proposalMarker(1, '0123456789ab'))).toEqual({
      issue: 1,
      planId: '0123456789ab'
    })
  })
})
