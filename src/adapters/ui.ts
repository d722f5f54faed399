/**
 * The Ui port in Actions (`@actions/core`: log groups, annotations, outputs, the job summary) and on a
 * terminal (plain lines, indented groups, outputs and summary kept for the command-line runner).
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { randomBytes } from 'node:crypto'
import { appendFile } from 'node:fs/promises'
import type { Writable } from 'node:stream'
import * as core from '@actions/core'
import type { AnnotationPlace, Ui } from '../ports.js'

/**
 * Whether a log line could be read by the runner as a workflow command: `::name::` at the start of
 * a line (after spaces) or the legacy `##[name]` anywhere in it.
 */
export function looksLikeWorkflowCommand(text: string): boolean {
  return /^[ \t]*::/m.test(text) || text.includes('##[')
}

/**
 * The Ui of a JavaScript action. Text that could pass for a workflow command (issue titles and codex
 * output are untrusted) is logged between `stop-commands` markers, so it cannot set outputs or forge
 * annotations. Groups do not nest in the Actions log, so a group opened inside another one is logged
 * as a header line.
 */
export class ActionsUi implements Ui {
  private readonly insideGroup = new AsyncLocalStorage<true>()
  private summaryWrites: Promise<unknown> = Promise.resolve()

  info(message: string): void {
    if (!looksLikeWorkflowCommand(message)) {
      core.info(message)
      return
    }
    const resumeToken = `waves-${randomBytes(16).toString('hex')}`
    core.info(`::stop-commands::${resumeToken}`)
    core.info(message)
    core.info(`::${resumeToken}::`)
  }

  notice(message: string): void {
    core.notice(message)
  }

  warning(message: string, where?: AnnotationPlace): void {
    core.warning(message, annotationProperties(where))
  }

  error(message: string, where?: AnnotationPlace): void {
    core.error(message, annotationProperties(where))
  }

  debug(message: string): void {
    core.debug(message)
  }

  async group<T>(title: string, body: () => Promise<T>): Promise<T> {
    if (this.insideGroup.getStore()) {
      core.info(`▸ ${title}`)
      return body()
    }
    return this.insideGroup.run(true, () => core.group(title, body))
  }

  setOutput(name: string, value: string): void {
    core.setOutput(name, value)
  }

  /** Appends to `GITHUB_STEP_SUMMARY`; concurrent calls are written one after the other. */
  appendSummary(markdown: string): Promise<void> {
    const write = this.summaryWrites.then(() =>
      core.summary.addRaw(markdown, !markdown.endsWith('\n')).write()
    )
    this.summaryWrites = write.catch(() => undefined)
    return write.then(() => undefined)
  }
}

function annotationProperties(where?: AnnotationPlace): core.AnnotationProperties {
  const properties: core.AnnotationProperties = {}
  if (where?.title !== undefined) properties.title = where.title
  if (where?.file !== undefined) properties.file = where.file
  if (where?.line !== undefined) properties.startLine = where.line
  return properties
}

export interface TerminalUiOptions {
  /** Print debug lines too. */
  verbose?: boolean
  /** Also append every summary to this file (Markdown). */
  summaryFile?: string
}

/**
 * The Ui of the command-line runner. Info and debug lines go to `stdout`, warnings and errors to
 * `stderr` with their prefix and place; groups print a header and indent what runs inside them (per
 * async flow, so concurrent groups do not indent each other). Outputs and the summary are kept for
 * the runner to read.
 */
export class TerminalUi implements Ui {
  private readonly depth = new AsyncLocalStorage<number>()
  private readonly outputMap = new Map<string, string>()
  private summary = ''
  private summaryWrites: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly stdout: Writable,
    private readonly stderr: Writable,
    private readonly options: TerminalUiOptions = {}
  ) {}

  /** The outputs set so far, by name. */
  get outputs(): ReadonlyMap<string, string> {
    return this.outputMap
  }

  /** The Markdown appended to the summary so far. */
  get summaryMarkdown(): string {
    return this.summary
  }

  info(message: string): void {
    this.write(this.stdout, message)
  }

  notice(message: string): void {
    this.write(this.stdout, `notice: ${message}`)
  }

  warning(message: string, where?: AnnotationPlace): void {
    this.write(this.stderr, `warning: ${describe(message, where)}`)
  }

  error(message: string, where?: AnnotationPlace): void {
    this.write(this.stderr, `error: ${describe(message, where)}`)
  }

  debug(message: string): void {
    if (this.options.verbose) this.write(this.stdout, `debug: ${message}`)
  }

  async group<T>(title: string, body: () => Promise<T>): Promise<T> {
    this.write(this.stdout, `▸ ${title}`)
    return this.depth.run(this.currentDepth() + 1, body)
  }

  setOutput(name: string, value: string): void {
    this.outputMap.set(name, value)
    this.debug(`output ${name}=${value}`)
  }

  /** Adds to the in-memory summary, and to the summary file when one was given. */
  appendSummary(markdown: string): Promise<void> {
    const text = markdown.endsWith('\n') ? markdown : `${markdown}\n`
    this.summary += text
    const file = this.options.summaryFile
    if (!file) return Promise.resolve()
    const write = this.summaryWrites.then(() => appendFile(file, text, 'utf8'))
    this.summaryWrites = write.catch(() => undefined)
    return write
  }

  private currentDepth(): number {
    return this.depth.getStore() ?? 0
  }

  private write(stream: Writable, text: string): void {
    const indent = '  '.repeat(this.currentDepth())
    const lines = text.split('\n').map(line => `${indent}${line}`)
    stream.write(`${lines.join('\n')}\n`)
  }
}

function describe(message: string, where?: AnnotationPlace): string {
  const title = where?.title ? `${where.title}: ` : ''
  const place = where?.file
    ? ` (${where.file}${where.line === undefined ? '' : `:${where.line}`})`
    : ''
  return `${title}${message}${place}`
}
