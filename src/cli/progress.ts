/**
 * What a person watching a wave sees: one line per group (its issues, phase, elapsed time and
 * codex tokens). On a terminal the lines are redrawn in place with ANSI cursor moves; anywhere
 * else (a pipe, a CI log) each change is printed once as a plain line. Messages (warnings, the
 * plan, the report) are printed above the live lines.
 */
import type { Writable } from 'node:stream'
import type { CodexUsage } from '../ports.js'

/** Where a group of the wave stands. */
export type ItemPhase =
  | 'waiting'
  | 'implementing'
  | 'reviewing'
  | 'correcting'
  | 'approved'
  | 'merging'
  | 'merged'
  | 'no changes'
  | 'escalated'
  | 'failed'
  | 'blocked'

/** One line of the board. */
export interface ProgressItem {
  key: string
  label: string
  phase: ItemPhase
  detail: string
  startedAt: number
  /** Set when the item reached a phase it does not leave. */
  endedAt: number | null
  tokens: number
}

const FINAL: ReadonlySet<ItemPhase> = new Set([
  'merged',
  'no changes',
  'escalated',
  'failed',
  'blocked'
])

/** The output stream and whether it is a terminal that understands ANSI. */
export interface ProgressOutput {
  stream: Writable
  live: boolean
  now?: () => number
}

/** Formats a duration as `42s` or `3m05s`. */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000))
  if (seconds < 60) return `${seconds}s`
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`
}

/** The tokens of a codex run, as the board counts them (input plus output). */
export function usageTokens(usage: CodexUsage): number {
  return usage.inputTokens + usage.outputTokens
}

/** One rendered line of an item. */
export function renderItemLine(item: ProgressItem, now: number, labelWidth: number): string {
  const elapsed = formatElapsed((item.endedAt ?? now) - item.startedAt)
  const tokens = `${item.tokens.toLocaleString('en-US')} tokens`
  const detail = item.detail === '' ? '' : `  ${item.detail}`
  return `${item.label.padEnd(labelWidth)}  ${item.phase.padEnd(12)} ${elapsed.padStart(6)}  ${tokens}${detail}`
}

/** The board of a running wave. */
export class Progress {
  private readonly items = new Map<string, ProgressItem>()
  private drawnLines = 0
  private timer: NodeJS.Timeout | null = null
  private readonly now: () => number

  constructor(private readonly output: ProgressOutput) {
    this.now = output.now ?? Date.now
  }

  /** Adds an item (or renames it) in phase `waiting`. */
  add(key: string, label: string): void {
    const existing = this.items.get(key)
    if (existing) existing.label = label
    else {
      this.items.set(key, {
        key,
        label,
        phase: 'waiting',
        detail: '',
        startedAt: this.now(),
        endedAt: null,
        tokens: 0
      })
    }
    this.changed(key)
  }

  /** Moves an item to a phase, with an optional short detail (a PR link, a reason). */
  set(key: string, phase: ItemPhase, detail = ''): void {
    const item = this.items.get(key)
    if (item === undefined) return
    if (item.phase === 'waiting' && phase !== 'waiting') item.startedAt = this.now()
    item.phase = phase
    item.detail = detail
    item.endedAt = FINAL.has(phase) ? this.now() : null
    this.changed(key)
  }

  /** Adds the tokens of a codex run to an item. */
  addTokens(key: string, tokens: number): void {
    const item = this.items.get(key)
    if (item === undefined) return
    item.tokens += tokens
    if (this.output.live) this.redraw()
  }

  /** Prints a message above the live lines (or as is, when not live). */
  message(text: string): void {
    if (!this.output.live) {
      this.output.stream.write(`${text}\n`)
      return
    }
    this.erase()
    this.output.stream.write(`${text}\n`)
    this.draw()
  }

  /** Starts redrawing every second (elapsed times move); only on a terminal. */
  start(): void {
    if (!this.output.live || this.timer !== null) return
    this.timer = setInterval(() => this.redraw(), 1000)
    this.timer.unref()
  }

  /** Stops redrawing and leaves the last lines on screen. */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer)
    this.timer = null
    if (this.output.live) this.redraw()
    this.drawnLines = 0
  }

  /** The items, in the order they were added. */
  snapshot(): ProgressItem[] {
    return [...this.items.values()].map(item => ({ ...item }))
  }

  private changed(key: string): void {
    if (this.output.live) {
      this.redraw()
      return
    }
    const item = this.items.get(key)
    if (item) this.output.stream.write(`${renderItemLine(item, this.now(), item.label.length)}\n`)
  }

  private labelWidth(): number {
    return Math.max(0, ...[...this.items.values()].map(item => item.label.length))
  }

  private erase(): void {
    if (this.drawnLines === 0) return
    // Up to the first live line, then clear from there to the end of the screen.
    this.output.stream.write(`\x1b[${this.drawnLines}F\x1b[0J`)
    this.drawnLines = 0
  }

  private draw(): void {
    const width = this.labelWidth()
    const now = this.now()
    const lines = [...this.items.values()].map(item => renderItemLine(item, now, width))
    if (lines.length > 0) this.output.stream.write(`${lines.join('\n')}\n`)
    this.drawnLines = lines.length
  }

  private redraw(): void {
    this.erase()
    this.draw()
  }
}
