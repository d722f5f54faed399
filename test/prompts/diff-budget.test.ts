import { execFileSync } from 'node:child_process'
import { mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { truncateToBudget } from '../../src/prompts/index.js'

/** One file's part of a `git diff`, with `hunks` hunks of `size` added characters each. */
function fileDiff(path: string, hunks: number, size = 40): string {
  const header = `diff --git a/${path} b/${path}\nindex 1111111..2222222 100644\n--- a/${path}\n+++ b/${path}\n`
  const body = Array.from(
    { length: hunks },
    (_, i) => `@@ -${i * 10 + 1},1 +${i * 10 + 1},1 @@\n-old ${i}\n+${'x'.repeat(size)}\n`
  )
  return header + body.join('')
}

describe('truncateToBudget', () => {
  const small = fileDiff('src/a.ts', 1)
  const big = fileDiff('src/big.ts', 4, 400)
  const tail = fileDiff('src/z.ts', 1)
  const diff = small + big + tail

  test('a diff within the budget comes back unchanged, with a note that it is complete', () => {
    const cut = truncateToBudget(diff, diff.length)
    expect(cut.text).toBe(diff)
    expect(cut.omitted).toEqual({ files: [], partial: null, chars: 0 })
    expect(cut.note).toBe(
      `The diff is complete (${diff.length.toLocaleString('en-US')} characters).`
    )
  })

  test('over the budget, whole files are kept and the note names what was left out', () => {
    const cut = truncateToBudget(diff, small.length + tail.length + 10)
    expect(cut.text).toBe(small + tail)
    expect(cut.omitted).toEqual({ files: ['src/big.ts'], partial: null, chars: big.length })
    expect(cut.note).toContain(`${big.length.toLocaleString('en-US')} of its`)
    expect(cut.note).toContain('Left out whole (1 file): `src/big.ts`.')
  })

  test('a file that does not fit whole is cut at a hunk boundary when a hunk fits', () => {
    const budget = small.length + 700
    const cut = truncateToBudget(small + big, budget)
    const [header = '', firstHunk = ''] = big.split(/(?=^@@ )/m)
    expect(cut.text).toBe(small + header + firstHunk)
    expect(cut.text.length).toBeLessThanOrEqual(budget)
    expect(cut.omitted).toEqual({
      files: [],
      partial: { file: 'src/big.ts', hunksKept: 1, hunksTotal: 4 },
      chars: big.length - header.length - firstHunk.length
    })
    expect(cut.note).toContain('Cut after hunk 1 of 4: `src/big.ts`.')
  })

  test('nothing fits: every file is named, every character counted', () => {
    const cut = truncateToBudget(diff, 0)
    expect(cut.text).toBe('')
    expect(cut.omitted).toEqual({
      files: ['src/a.ts', 'src/big.ts', 'src/z.ts'],
      partial: null,
      chars: diff.length
    })
    expect(cut.note).toContain('Left out whole (3 files): `src/a.ts`, `src/big.ts`, `src/z.ts`.')
  })

  test.each([-1, 1.5, Number.NaN])('refuses the budget %p, naming it', budget => {
    expect(() => truncateToBudget(diff, budget)).toThrow(
      `Diff budget: expected a whole number of characters (0 or more), got ${budget}`
    )
  })

  test('names the files of a real git diff: edits, deletions, renames, odd names, binaries', () => {
    const repo = mkdtempSync(join(tmpdir(), 'diff-budget-'))
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'core.quotePath=true', ...args], { cwd: repo, encoding: 'utf8' })
    try {
      git('init', '-q')
      const lines = Array.from({ length: 40 }, (_, i) => `line ${i}`)
      writeFileSync(join(repo, 'edited.txt'), lines.join('\n'))
      writeFileSync(join(repo, 'deleted.txt'), 'gone\n')
      writeFileSync(join(repo, 'old name.txt'), 'same content for the rename\n'.repeat(5))
      writeFileSync(join(repo, 'image.bin'), Buffer.from([0, 1, 2, 3]))
      git('add', '.')
      git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'base')
      lines[1] = 'changed near the top'
      lines[38] = 'changed near the bottom'
      writeFileSync(join(repo, 'edited.txt'), lines.join('\n'))
      unlinkSync(join(repo, 'deleted.txt'))
      renameSync(join(repo, 'old name.txt'), join(repo, 'new name.txt'))
      writeFileSync(join(repo, 'image.bin'), Buffer.from([9, 8, 7]))
      writeFileSync(join(repo, 'naïve "quoted".txt'), 'added\n')
      git('add', '-A')
      const diff = git('diff', '--cached', '-M')
      const cut = truncateToBudget(diff, 0)
      expect(cut.omitted.files.sort()).toEqual(
        ['deleted.txt', 'edited.txt', 'image.bin', 'naïve "quoted".txt', 'new name.txt'].sort()
      )
      const start = diff.indexOf('diff --git a/edited.txt')
      const edited = diff.slice(start, diff.indexOf('diff --git', start + 1))
      const secondHunk = edited.lastIndexOf('\n@@ ') + 1
      const partCut = truncateToBudget(edited, edited.length - 1)
      expect(partCut.text).toBe(edited.slice(0, secondHunk))
      expect(partCut.omitted.partial).toEqual({ file: 'edited.txt', hunksKept: 1, hunksTotal: 2 })
    } finally {
      rmSync(repo, { recursive: true, force: true })
    }
  })
})
