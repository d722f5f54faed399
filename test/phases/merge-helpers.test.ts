/**
 * The merge phase's pure helpers: its inputs, git output parsing, the correction order comment
 * round trip, and the summary.
 */
import { describe, expect, it } from '@jest/globals'
import { InputError } from '../../src/actions-runtime/inputs.js'
import { parsePullList, readMergeInputs } from '../../src/actions-runtime/merge-inputs.js'
import { mergeCorrectionOrder } from '../../src/decide/index.js'
import { parseLog, parseNumstat } from '../../src/phases/merge/git.js'
import {
  findMergeCorrectionOrder,
  renderMergeCorrectionComment
} from '../../src/report/merge-correction-comment.js'
import { renderMergeSummary } from '../../src/report/merge-summary.js'

const SHA = 'a'.repeat(40)

describe('merge inputs', () => {
  it('reads PR lists, leaves method and branch deletion to the config when empty', () => {
    expect(parsePullList('')).toBeNull()
    expect(parsePullList('#12, 15 12\n17')).toEqual([12, 15, 17])
    const inputs = readMergeInputs(
      name => ({ prs: '3', method: '', 'delete-branch': '' })[name] ?? ''
    )
    expect(inputs).toEqual({ prs: [3], method: null, deleteBranch: null })
  })

  it('names the input and every bad value', () => {
    expect(() => parsePullList('12, x1, 0')).toThrow(
      "Input 'prs': 'x1', '0' are not pull request numbers"
    )
    expect(() => readMergeInputs(name => (name === 'method' ? 'fast' : ''))).toThrow(InputError)
  })
})

describe('git output parsing', () => {
  it('counts changed lines per file, a binary file as one', () => {
    expect(parseNumstat('3\t1\tsrc/a.ts\0-\t-\timg.png\0')).toEqual([
      { path: 'src/a.ts', changes: 4 },
      { path: 'img.png', changes: 1 }
    ])
  })

  it('reads commits with their parent counts and full messages', () => {
    const log = `${SHA}\x1fp1\x1ffeat: x\n\nCodex-Thread: t\x1e\n${'b'.repeat(40)}\x1fp1 p2\x1fMerge branch 'main'\x1e`
    expect(parseLog(log)).toEqual([
      { sha: SHA, parents: 1, message: 'feat: x\n\nCodex-Thread: t' },
      { sha: 'b'.repeat(40), parents: 2, message: "Merge branch 'main'" }
    ])
  })
})

describe('merge correction comment', () => {
  const order = mergeCorrectionOrder({
    pr: 8,
    cycle: 1,
    headSha: SHA,
    items: [
      {
        id: 'renumber-1',
        category: 'numbering',
        title: 'Renumber docs/adr/0005-b.md: #7 took number 0005',
        detail: 'Use the next free number -- and fix links.'
      }
    ]
  })
  const body = renderMergeCorrectionComment({ order, reason: 'taken', mergedPr: 7, runUrl: null })

  it('round-trips the order, even with "--" in a value', () => {
    const found = findMergeCorrectionOrder([{ id: 1, body, user: { login: 'bot' } }], 'bot')
    expect(found).toEqual({ ok: true, value: order })
  })

  it('trusts only the pipeline login', () => {
    expect(
      findMergeCorrectionOrder([{ id: 1, body, user: { login: 'mallory' } }], 'bot')
    ).toBeNull()
  })
})

describe('merge summary', () => {
  it('shows the order with reasons, the merges, the updates and what did not merge', () => {
    const text = renderMergeSummary({
      order: [{ number: 4, reason: 'No constraint; by issue number (#3)' }],
      merged: [
        {
          pr: 4,
          url: null,
          issues: [3],
          headSha: SHA,
          mergeSha: 'c'.repeat(40),
          branch: 'fix/3-x',
          branchDeleted: true,
          branchNote: 'fix/3-x: deleted',
          carriedFrom: null
        }
      ],
      blocked: [
        { pr: 6, url: null, issues: [5], reason: 'ci-pending', next: 'wait', detail: 'Waiting' }
      ],
      updates: [
        { pr: 6, after: 4, fromSha: SHA, toSha: 'd'.repeat(40), result: 'carried', detail: 'same' }
      ],
      cycles: []
    })
    expect(text).toContain('## Merge: 1 merged, 1 not merged')
    expect(text).toContain('| 1 | #4 | No constraint; by issue number (#3) |')
    expect(text).toContain('approval carried (same patch)')
    expect(text).toContain('wait (a later run merges it)')
  })
})
