import { z } from 'zod'
import {
  ContractError,
  SafeRelativePath,
  formatPath,
  parseJsonWith,
  parseWith,
  renderValue,
  stableStringify,
  valueOrThrow,
  wholeNumber
} from '../../src/contracts/index.js'

describe('formatPath', () => {
  test.each<[PropertyKey[], string]>([
    [[], '(top level)'],
    [['review', 'max-cycles'], 'review.max-cycles'],
    [['groups', 0, 'issues', 1], 'groups[0].issues[1]'],
    [[3, 'id'], '[3].id'],
    [['types', 'needs work'], 'types["needs work"]'],
    [['a.b'], '["a.b"]']
  ])('%j → %s', (path, text) => {
    expect(formatPath(path)).toBe(text)
  })
})

describe('renderValue', () => {
  test.each<[unknown, string]>([
    ['three', '"three"'],
    [3, '3'],
    [null, 'null'],
    [[1, 'a'], '[1,"a"]'],
    [{ a: 1 }, '{"a":1}'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity']
  ])('%p → %s', (value, text) => {
    expect(renderValue(value)).toBe(text)
  })

  test('long values are cut to 80 characters with an ellipsis', () => {
    const text = renderValue('y'.repeat(1000))
    expect(text).toHaveLength(80)
    expect(text.endsWith('…')).toBe(true)
  })
})

describe('parseWith', () => {
  const Settings = z.strictObject({
    size: wholeNumber(1, 5),
    name: z.string(),
    tags: z.array(z.string()).min(1)
  })

  test('returns the value when it is valid', () => {
    expect(parseWith(Settings, { size: 2, name: 'n', tags: ['t'] }, 'settings')).toEqual({
      ok: true,
      value: { size: 2, name: 'n', tags: ['t'] }
    })
  })

  test('lists every issue with the generic wording when the schema gives none', () => {
    const result = parseWith(Settings, { size: 9, name: 4, tags: [], extra: true }, 'settings')
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error).toBeInstanceOf(ContractError)
    expect(result.error.issues).toEqual([
      { path: 'size', text: 'size: expected a whole number from 1 to 5, got 9' },
      { path: 'name', text: 'name: expected a string, got 4' },
      { path: 'tags', text: 'tags: expected at least 1 item, got []' },
      { path: 'extra', text: 'extra: unknown key' }
    ])
    expect(result.error.message).toBe(
      [
        'settings is not valid:',
        '- size: expected a whole number from 1 to 5, got 9',
        '- name: expected a string, got 4',
        '- tags: expected at least 1 item, got []',
        '- extra: unknown key'
      ].join('\n')
    )
  })

  test('valueOrThrow returns the value or throws the ContractError', () => {
    expect(valueOrThrow(parseWith(z.string(), 'x', 'name'))).toBe('x')
    expect(() => valueOrThrow(parseWith(z.string(), 1, 'name'))).toThrow(
      'name is not valid:\n- (top level): expected a string, got 1'
    )
  })

  test('parseJsonWith refuses text that is not JSON, and validates text that is', () => {
    const bad = parseJsonWith(Settings, '{"size": 2,', 'settings file')
    expect(!bad.ok && bad.error.issues[0]!.text).toMatch(
      /^\(top level\): expected JSON text, got "\{\\"size\\": 2," \(/
    )
    const invalid = parseJsonWith(
      Settings,
      '{"size": 2, "name": "n", "tags": [""], "x": 1}',
      'settings file'
    )
    expect(!invalid.ok && invalid.error.issues.map(issue => issue.text)).toEqual(['x: unknown key'])
  })
})

describe('SafeRelativePath (artifact members, config paths)', () => {
  test.each([
    'prompt.md',
    'logs/events.jsonl',
    'docs/adr/*.md',
    '.github/codex-waves.yml',
    'a..b/c'
  ])('%s is accepted', path => {
    expect(SafeRelativePath.safeParse(path).success).toBe(true)
  })

  test.each(['../x', 'a/../../x', '..', '/etc/passwd', 'C:/x', 'a\\..\\x', 'a\u0000b', ''])(
    '%j is refused',
    path => {
      expect(SafeRelativePath.safeParse(path).success).toBe(false)
    }
  )
})

describe('stableStringify', () => {
  test('sorts keys at every depth and keeps array order', () => {
    expect(stableStringify({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}'
    )
  })

  test('follows JSON.stringify for undefined, toJSON and non-finite numbers', () => {
    expect(stableStringify({ b: undefined, a: new Date(0), c: Number.NaN })).toBe(
      '{"a":"1970-01-01T00:00:00.000Z","c":null}'
    )
    expect(stableStringify(undefined)).toBe('null')
  })
})
