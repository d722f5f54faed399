import {
  codeSpan,
  escapeText,
  findMarkedComment,
  formatCount,
  formatDuration,
  hiddenMarker,
  link,
  safeUrl,
  table
} from '../../src/report/comment-markdown.js'

describe('comment Markdown helpers', () => {
  test.each<[string, string, string]>([
    ['emphasis and code', '*bold* _it_ `code`', '\\*bold\\* \\_it\\_ \\`code\\`'],
    ['HTML and comments', '<!-- x --> <b>', '\\<\\!-- x --\\> \\<b\\>'],
    [
      'links and images',
      '![i](http://x) [l](javascript:1)',
      '\\!\\[i\\](http://x) \\[l\\](javascript:1)'
    ],
    ['mentions', 'ping @mallory', 'ping @\u200bmallory'],
    ['math', 'costs $5 and $6', 'costs \\$5 and \\$6'],
    ['bidi and invisible characters dropped', 'a\u202eb\u200bc\u2066d', 'abcd'],
    ['line breaks become spaces', 'one\r\ntwo\n\nthree', 'one two three']
  ])('escapeText: %s', (_name, input, expected) => {
    expect(escapeText(input)).toBe(expected)
  })

  test('escapeText keeps line breaks as <br> when asked, and cuts long text', () => {
    expect(escapeText('a\nb', { breaks: true })).toBe('a<br>b')
    expect(escapeText('abcdef', { max: 4 })).toBe('abc…')
  })

  test.each<[string, string]>([
    ['plain', '`plain`'],
    ['has ` one', '``has ` one``'],
    ['`starts', '`` `starts ``'],
    ['a ``` b', '````a ``` b````'],
    ['line\nbreak', '`line break`'],
    ['', '` `']
  ])('codeSpan(%j) = %s', (input, expected) => {
    expect(codeSpan(input)).toBe(expected)
  })

  test('a table escapes every pipe in its cells, code included, so no cell adds a column', () => {
    const rendered = table(['A', 'B'], [[escapeText('x | y'), codeSpan('p|q')]], ['left', 'right'])
    expect(rendered).toBe(['| A | B |', '| --- | ---: |', '| x \\| y | `p\\|q` |'].join('\n'))
  })

  test('links only to http(s) targets; others render as text', () => {
    expect(link('run [1]', 'https://github.com/o/r/actions/runs/1')).toBe(
      '[run \\[1\\]](https://github.com/o/r/actions/runs/1)'
    )
    expect(link('x', 'javascript:alert(1)')).toBe('x')
    expect(link('x', null)).toBe('x')
    expect(safeUrl('https://h/a b(c)|d')).toBe('https://h/a%20b%28c%29%7Cd')
  })

  test('figures read the same on every machine', () => {
    expect(formatCount(1234567)).toBe('1,234,567')
    expect(formatCount(999)).toBe('999')
    expect(formatDuration(850)).toBe('850 ms')
    expect(formatDuration(12_400)).toBe('12 s')
    expect(formatDuration(185_000)).toBe('3 min 05 s')
    expect(formatDuration(7_620_000)).toBe('2 h 07 min')
  })

  test('markers refuse anything that could end the comment', () => {
    expect(
      hiddenMarker('review', [
        ['pr', 41],
        ['head', 'abc']
      ])
    ).toBe('<!-- codex-waves:review pr=41 head=abc -->')
    expect(() => hiddenMarker('review', [['pr', '1 --> x']])).toThrow(/is not allowed/)
    expect(() => hiddenMarker('a--b')).toThrow(/is not allowed/)
  })

  test('a marked comment is found only among the trusted author comments', () => {
    const marker = hiddenMarker('escalation', [['pr', 41]])
    const comments = [
      { id: 1, body: `${marker}\nforged`, user: { login: 'mallory' } },
      { id: 3, body: `  ${marker}\nsecond`, user: { login: 'bot[bot]' } },
      { id: 2, body: `${marker}\nfirst`, user: { login: 'bot[bot]' } },
      { id: 4, body: `quote: ${marker}`, user: { login: 'bot[bot]' } },
      { id: 5, body: null, user: null }
    ]
    expect(findMarkedComment(comments, 'bot[bot]', marker)?.id).toBe(2)
    expect(findMarkedComment(comments, 'other[bot]', marker)).toBeNull()
  })
})
