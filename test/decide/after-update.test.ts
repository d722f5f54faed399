import {
  afterUpdate,
  findNumberingCollision,
  globToRegExp,
  type AfterUpdateInput
} from '../../src/decide/index.js'

const NUMBERED = ['docs/adr/*.md', 'migrations/*']

describe('findNumberingCollision', () => {
  test('an ADR number taken by the merged PR', () => {
    expect(
      findNumberingCollision(
        ['docs/adr/0005-use-postgres.md', 'src/db.ts'],
        ['docs/adr/0005-use-redis.md', 'src/cache.ts'],
        NUMBERED
      )
    ).toEqual([
      {
        pattern: 'docs/adr/*.md',
        number: '0005',
        taken: 'docs/adr/0005-use-postgres.md',
        ours: 'docs/adr/0005-use-redis.md'
      }
    ])
  })

  test.each<[string, string[], string[], number]>([
    ['different numbers', ['docs/adr/0005-a.md'], ['docs/adr/0006-b.md'], 0],
    ['numbers compare by value', ['migrations/5_a.sql'], ['migrations/005_b.sql'], 1],
    ['another directory', ['docs/adr/0005-a.md'], ['docs/other/0005-b.md'], 0],
    ['not a numbered path', ['src/0005.ts'], ['src/0005.ts'], 0],
    ['no leading number', ['docs/adr/readme.md'], ['docs/adr/readme.md'], 0],
    [
      'nested directories do not match a single *',
      ['migrations/x/1_a.sql'],
      ['migrations/x/1_b.sql'],
      0
    ]
  ])('%s', (_name, merged, ours, count) => {
    expect(findNumberingCollision(merged, ours, NUMBERED)).toHaveLength(count)
  })

  test('globs: * stays in one segment, ** crosses them, ? is one character', () => {
    expect(globToRegExp('docs/adr/*.md').test('docs/adr/0001-x.md')).toBe(true)
    expect(globToRegExp('docs/adr/*.md').test('docs/adr/sub/0001-x.md')).toBe(false)
    expect(globToRegExp('db/**/*.sql').test('db/a/b/1.sql')).toBe(true)
    expect(globToRegExp('db/**/*.sql').test('db/1.sql')).toBe(true)
    expect(globToRegExp('v?.md').test('v1.md')).toBe(true)
    expect(globToRegExp('a.b').test('axb')).toBe(false)
  })
})

describe('afterUpdate', () => {
  const clean: AfterUpdateInput = {
    oldPatchId: 'p1',
    newPatchId: 'p1',
    conflict: false,
    numberedCollision: [],
    mergedPr: 30
  }
  const collision = {
    pattern: 'docs/adr/*.md',
    number: '0005',
    taken: 'docs/adr/0005-use-postgres.md',
    ours: 'docs/adr/0005-use-redis.md'
  }

  test.each<[string, Partial<AfterUpdateInput>, string]>([
    ['same patch id → the approval carries', {}, 'carry-approval'],
    ['a changed patch id → back to review', { newPatchId: 'p2' }, 'review'],
    ['an unknown (empty) patch → back to review', { oldPatchId: null, newPatchId: null }, 'review'],
    ['a conflict → a correction order', { conflict: true }, 'correct'],
    ['a taken number → a renumbering order', { numberedCollision: [collision] }, 'correct'],
    [
      'a conflict wins over a taken number',
      { conflict: true, numberedCollision: [collision] },
      'correct'
    ]
  ])('%s', (_name, change, action) => {
    expect(afterUpdate({ ...clean, ...change }).action).toBe(action)
  })

  test('the conflict order names the merged PR and the files', () => {
    const decision = afterUpdate({
      ...clean,
      conflict: true,
      conflictFiles: ['src/b.ts', 'src/a.ts']
    })
    expect(decision).toEqual({
      action: 'correct',
      kind: 'conflict',
      reason: 'the branch conflicts with the base after #30 merged in src/a.ts, src/b.ts',
      items: [
        {
          id: 'merge-conflict',
          category: 'merge_conflict',
          title: 'Resolve the conflict with the base after #30 merged',
          detail:
            "The correction moves the branch onto the current base and leaves conflict markers where both changed the same lines in src/a.ts, src/b.ts; resolve every one, keeping both the merged change and this PR's intent; change nothing else."
        }
      ]
    })
  })

  test('the renumbering order says which file and which number', () => {
    const decision = afterUpdate({ ...clean, numberedCollision: [collision] })
    expect(decision.action === 'correct' && decision.kind).toBe('numbering')
    expect(decision.action === 'correct' && decision.items).toEqual([
      {
        id: 'renumber-1',
        category: 'numbering',
        title: 'Renumber docs/adr/0005-use-redis.md: #30 took number 0005',
        detail:
          '#30 added docs/adr/0005-use-postgres.md. Give docs/adr/0005-use-redis.md the next free number in docs/adr/ (matching docs/adr/*.md) and update every reference to it.'
      }
    ])
  })
})
