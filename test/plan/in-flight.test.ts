import {
  PIPELINE_BRANCH_REFS,
  branchesWithoutPull,
  closingIssueNumbers,
  inFlightPull,
  issueOfBranch,
  pipelineBranchRefspecs
} from '../../src/plan/index.js'

describe('closingIssueNumbers', () => {
  test("reads GitHub's closing keywords for this repository, once each, in order", () => {
    const body = [
      'Closes #12.',
      'fixes octo/demo#15 and resolved: #17',
      'Fixed https://github.com/octo/demo/issues/19',
      'closes #12 again'
    ].join('\n')
    expect(closingIssueNumbers(body, 'octo/demo')).toEqual([12, 15, 17, 19])
  })

  test('ignores mentions without a keyword and other repositories', () => {
    const body =
      'See #3. Closes other/repo#4. prefixes #5. Fixes https://github.com/other/repo/issues/6'
    expect(closingIssueNumbers(body, 'octo/demo')).toEqual([])
  })
})

describe('issueOfBranch', () => {
  test('reads the issue of a pipeline branch, and nothing else', () => {
    expect(issueOfBranch('fix/12-crash-on-start')).toBe(12)
    expect(issueOfBranch('feat/7-x')).toBe(7)
    expect(issueOfBranch('feature/12-x')).toBeNull()
    expect(issueOfBranch('main')).toBeNull()
  })
})

describe('inFlightPull', () => {
  test('takes the closed issues from the body, else from the branch; paths sorted once', () => {
    const pull = { number: 40, headRef: 'fix/12-crash', body: 'Closes #13' }
    expect(inFlightPull(pull, ['b.ts', 'a.ts', 'b.ts'], 'octo/demo')).toEqual({
      number: 40,
      headBranch: 'fix/12-crash',
      closes: [13],
      changedPaths: ['a.ts', 'b.ts']
    })
    expect(inFlightPull({ ...pull, body: '' }, [], 'octo/demo').closes).toEqual([12])
    expect(inFlightPull({ ...pull, headRef: 'other', body: '' }, [], 'octo/demo').closes).toEqual(
      []
    )
  })
})

describe('pipelineBranchRefspecs', () => {
  test("fetches every branch type's branches into the pipeline's own namespace", () => {
    expect(pipelineBranchRefspecs()).toEqual([
      '+refs/heads/fix/*:refs/codex-waves/branches/fix/*',
      '+refs/heads/refactor/*:refs/codex-waves/branches/refactor/*',
      '+refs/heads/feat/*:refs/codex-waves/branches/feat/*'
    ])
    for (const refspec of pipelineBranchRefspecs()) {
      expect(refspec.split(':')[1]?.startsWith(PIPELINE_BRANCH_REFS)).toBe(true)
    }
  })
})

describe('branchesWithoutPull', () => {
  const pulls = [
    { number: 40, headBranch: 'fix/12-crash', closes: [12], changedPaths: [] },
    { number: 41, headBranch: 'feat/30-new', closes: [31], changedPaths: [] }
  ]

  test('keeps the branches named for an issue that no open PR heads or closes, sorted', () => {
    const refs = [
      `${PIPELINE_BRANCH_REFS}refactor/9-tidy`,
      `${PIPELINE_BRANCH_REFS}fix/12-crash`,
      `${PIPELINE_BRANCH_REFS}fix/12-crash-again`,
      `${PIPELINE_BRANCH_REFS}feat/30-new`,
      `${PIPELINE_BRANCH_REFS}feat/30-other`,
      `${PIPELINE_BRANCH_REFS}fix/notes`,
      `${PIPELINE_BRANCH_REFS}feat/7-x`,
      '',
      'fix/8-plain-name'
    ]
    expect(branchesWithoutPull(refs, pulls)).toEqual([
      { branch: 'feat/30-other', issue: 30 },
      { branch: 'feat/7-x', issue: 7 },
      { branch: 'fix/8-plain-name', issue: 8 },
      { branch: 'refactor/9-tidy', issue: 9 }
    ])
  })

  test('finds nothing without branches', () => {
    expect(branchesWithoutPull([''], pulls)).toEqual([])
  })
})
