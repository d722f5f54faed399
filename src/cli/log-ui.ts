/**
 * The Ui port of one phase run on the command line: every line goes to the wave's log file,
 * prefixed with what it is about (`[g2]`, `[PR #7]`), so concurrent runs stay readable; warnings
 * and errors (and, with `--verbose`, everything) also reach the person watching.
 */
import type { Writable } from 'node:stream'
import type { AnnotationPlace, Ui } from '../ports.js'

/** Where the lines of every phase run go. */
export interface LogSink {
  /** The log file (or any stream). */
  log: Writable
  /** Shows a line to the person watching (above the progress lines). */
  show(line: string): void
  verbose: boolean
}

function place(where?: AnnotationPlace): string {
  if (where === undefined) return ''
  const title = where.title ? ` ${where.title}:` : ''
  const file = where.file
    ? ` (${where.file}${where.line === undefined ? '' : `:${where.line}`})`
    : ''
  return `${title}${file}`
}

/** A Ui that logs under a label. */
export class LogUi implements Ui {
  private readonly outputs = new Map<string, string>()
  private summaryText = ''

  constructor(
    private readonly sink: LogSink,
    private readonly label: string
  ) {}

  /** The outputs the phase set. */
  get outputMap(): ReadonlyMap<string, string> {
    return this.outputs
  }

  /** The summary Markdown the phase wrote. */
  get summary(): string {
    return this.summaryText
  }

  info(message: string): void {
    this.write(message, this.sink.verbose)
  }

  notice(message: string): void {
    this.write(`notice: ${message}`, true)
  }

  warning(message: string, where?: AnnotationPlace): void {
    this.write(`warning:${place(where)} ${message}`, true)
  }

  error(message: string, where?: AnnotationPlace): void {
    this.write(`error:${place(where)} ${message}`, true)
  }

  debug(message: string): void {
    this.write(`debug: ${message}`, false)
  }

  async group<T>(title: string, body: () => Promise<T>): Promise<T> {
    this.write(`▸ ${title}`, this.sink.verbose)
    return body()
  }

  setOutput(name: string, value: string): void {
    this.outputs.set(name, value)
  }

  async appendSummary(markdown: string): Promise<void> {
    this.summaryText += markdown.endsWith('\n') ? markdown : `${markdown}\n`
    this.sink.log.write(`[${this.label}] summary:\n${markdown}\n`)
  }

  private write(text: string, show: boolean): void {
    const lines = text.split('\n').map(line => `[${this.label}] ${line}`)
    this.sink.log.write(`${lines.join('\n')}\n`)
    if (show) this.sink.show(lines.join('\n'))
  }
}
