import { describe, expect, it } from '@jest/globals'
import { BranchName } from '../../src/contracts/index.js'
import { MAX_SLUG_LENGTH, branchName, branchSlug } from '../../src/plan/branch-name.js'

describe('branchName', () => {
  it('is <type>/<issue>-<slug> for one issue', () => {
    expect(
      branchName({ branchType: 'fix', issues: [12], title: 'mean() of an empty list returns NaN' })
    ).toBe('fix/12-mean-of-an-empty-list-returns-nan')
  })

  it('names every issue of a combined group, in the group’s order', () => {
    expect(branchName({ branchType: 'feat', issues: [12, 15], title: 'Add X' })).toBe(
      'feat/12-15-add-x'
    )
  })

  it('folds accents, drops punctuation and keeps only what git accepts', () => {
    const name = branchName({
      branchType: 'refactor',
      issues: [3],
      title: 'Café: ../..~^ déjà vu @{now}'
    })
    expect(name).toBe('refactor/3-cafe-deja-vu-now')
    expect(BranchName.safeParse(name).success).toBe(true)
  })

  it('cuts a long title at a word boundary', () => {
    const slug = branchSlug(
      'Record the zero-dependency decision in an architecture decision record'
    )
    expect(slug).toBe('record-the-zero-dependency-decision-in')
    expect(slug.length).toBeLessThanOrEqual(MAX_SLUG_LENGTH)
  })

  it('cuts a single overlong word, and falls back to "change" when nothing is left', () => {
    expect(branchSlug('x'.repeat(100))).toBe('x'.repeat(MAX_SLUG_LENGTH))
    expect(branchSlug('!!! ??? 漢字')).toBe('change')
  })
})
