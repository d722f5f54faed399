/**
 * The progress board: plain lines when the output is not a terminal, redrawn lines (ANSI cursor
 * moves) when it is, with phase, elapsed time and tokens per group.
 */
import { describe, expect, it } from '@jest/globals'
import { PassThrough } from 'node:stream'
import { Progress, formatElapsed } from '../../src/cli/progress.js'

function board(live: boolean) {
  const stream = new PassThrough()
  let text = ''
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')))
  let now = 1_000_000
  const progress = new Progress({ stream, live, now: () => now })
  return { progress, text: () => text, advance: (ms: number) => (now += ms) }
}

describe('Progress', () => {
  it('prints one plain line per change when the output is not a terminal', () => {
    const { progress, text, advance } = board(false)
    progress.add('g1', 'g1 #1')
    progress.set('g1', 'implementing')
    advance(75_000)
    progress.addTokens('g1', 1234)
    progress.set('g1', 'reviewing', 'PR #7')
    progress.message('a warning')
    expect(text().split('\n')).toEqual([
      'g1 #1  waiting          0s  0 tokens',
      'g1 #1  implementing     0s  0 tokens',
      'g1 #1  reviewing     1m15s  1,234 tokens  PR #7',
      'a warning',
      ''
    ])
    expect(text()).not.toContain('\x1b[')
  })

  it('redraws the lines in place on a terminal, messages above them', () => {
    const { progress, text, advance } = board(true)
    progress.add('g1', 'g1 #1')
    progress.add('g2', 'g2 #2 #3')
    progress.set('g1', 'implementing')
    advance(3_000)
    progress.set('g2', 'failed', 'codex failed')
    advance(10_000)
    progress.message('done with g2')
    progress.stop()
    const output = text()
    // Each redraw moves up over the two live lines and clears to the end of the screen.
    expect(output).toContain('\x1b[2F\x1b[0J')
    const finalDraw = output.slice(output.lastIndexOf('\x1b[0J') + 4)
    expect(finalDraw.split('\n')).toEqual([
      'g1 #1     implementing    13s  0 tokens',
      'g2 #2 #3  failed           0s  0 tokens  codex failed',
      ''
    ])
    expect(output.indexOf('done with g2')).toBeGreaterThan(output.indexOf('failed'))
  })

  it('formats elapsed time in seconds, then minutes', () => {
    expect(formatElapsed(999)).toBe('0s')
    expect(formatElapsed(59_000)).toBe('59s')
    expect(formatElapsed(61_000)).toBe('1m01s')
  })
})
