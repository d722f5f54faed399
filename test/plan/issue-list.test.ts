import { MAX_MATRIX_JOBS, parseIssueList } from '../../src/plan/index.js'

const USAGE = "Use numbers separated by commas, spaces or newlines, e.g. '12, 15, 17'."

describe('parseIssueList', () => {
  test('reads numbers separated by commas, spaces and newlines, with or without #', () => {
    expect(parseIssueList('12, 15 #17\n18,\t#19')).toEqual({
      ok: true,
      numbers: [12, 15, 17, 18, 19]
    })
  })

  test('collapses duplicates, keeping the order of first appearance', () => {
    expect(parseIssueList('17 12 #17 15 12')).toEqual({ ok: true, numbers: [17, 12, 15] })
  })

  test('gives an empty list for empty or blank text', () => {
    expect(parseIssueList('')).toEqual({ ok: true, numbers: [] })
    expect(parseIssueList(' ,\n ')).toEqual({ ok: true, numbers: [] })
  })

  test('reports every bad token at once', () => {
    expect(parseIssueList('12x, 7, -3, #, 0, 1.5, 99999999999')).toEqual({
      ok: false,
      badTokens: ['12x', '-3', '#', '0', '1.5', '99999999999'],
      message: `Input 'issues': '12x', '-3', '#', '0', '1.5', '99999999999' are not issue numbers. ${USAGE}`
    })
  })

  test('says "is not an issue number" for one bad token', () => {
    const result = parseIssueList('12 abc')
    expect(result).toEqual({
      ok: false,
      badTokens: ['abc'],
      message: `Input 'issues': 'abc' is not an issue number. ${USAGE}`
    })
  })

  test('lists at most 20 bad tokens and counts the rest', () => {
    const tokens = Array.from({ length: 23 }, (_, i) => `x${i}`)
    const result = parseIssueList(tokens.join(' '))
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.badTokens).toHaveLength(23)
      expect(result.message).toContain("'x19' and 3 more are not issue numbers.")
      expect(result.message).not.toContain("'x20'")
    }
  })

  test('takes a full matrix, and asks to split a larger wave', () => {
    const full = Array.from({ length: MAX_MATRIX_JOBS }, (_, i) => i + 1)
    expect(parseIssueList(full.join(','))).toEqual({ ok: true, numbers: full })
    expect(parseIssueList([...full, 257, 1].join(','))).toEqual({
      ok: false,
      badTokens: [],
      message:
        "Input 'issues': 257 issues are more than one wave can hold (a matrix holds 256 jobs). " +
        'Split the wave: dispatch at most 256 issues at a time.'
    })
  })
})
