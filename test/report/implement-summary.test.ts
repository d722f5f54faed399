import { describe, expect, it } from '@jest/globals'
import { renderImplementSummary } from '../../src/report/implement-summary.js'

describe('the implement summary', () => {
  it('is one row with the outcome, branch, PR, tokens and codex time', () => {
    const text = renderImplementSummary({
      group: 'g12',
      issues: [12],
      status: 'opened',
      branch: 'fix/12-x',
      pr: { number: 41, url: 'https://github.com/o/r/pull/41' },
      usage: { inputTokens: 12345, cachedInputTokens: 1000, outputTokens: 678, durationMs: 65_000 },
      message: null
    })
    expect(text).toContain(
      '| `g12` | #12 | **opened** | `fix/12-x` | [#41](https://github.com/o/r/pull/41) | 12,345 | 1,000 | 678 | 1 min 05 s |'
    )
  })

  it('shows dashes when codex did not run, and the reason below the table', () => {
    const text = renderImplementSummary({
      group: 'g3',
      issues: [3],
      status: 'skipped',
      branch: 'fix/3-y',
      pr: null,
      usage: null,
      message: 'Group "g3" was skipped: #3 is closed.'
    })
    expect(text).toContain('| `g3` | #3 | **skipped** | `fix/3-y` | — | — | — | — | — |')
    expect(text).toContain('Group "g3" was skipped: #3 is closed.')
  })
})
