import { closingIssueNumbers, inFlightPull, issueOfBranch } from '../../src/plan/index.js'

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
