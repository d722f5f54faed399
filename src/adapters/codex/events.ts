/**
 * The JSONL event stream of `codex exec --json`, parsed into typed events, and what a run did
 * according to it. Pure: no I/O.
 *
 * Events (codex 0.169): `thread.started {thread_id}`, `turn.started`, `turn.completed {usage}`,
 * `turn.failed {error: {message}}`, `item.started|item.updated|item.completed {item}`,
 * `error {message}`. Items carry `id` and `type`: `agent_message {text}`, `reasoning {text}`,
 * `command_execution {command, aggregated_output, exit_code, status}`,
 * `file_change {changes: [{path, kind}], status}`, `error {message}`, and others this pipeline
 * does not read. Unknown event and item types are kept, not rejected, so a newer codex still parses.
 */
import path from 'node:path'
import { z } from 'zod'
import type { CodexCommand, CodexUsage } from '../../ports.js'

const usageSchema = z.object({
  input_tokens: z.number(),
  cached_input_tokens: z.number().default(0),
  output_tokens: z.number()
})

const knownItemSchema = z.discriminatedUnion('type', [
  z.object({
    id: z.string(),
    type: z.literal('command_execution'),
    command: z.string(),
    aggregated_output: z.string().default(''),
    exit_code: z.number().nullable().default(null),
    status: z.string()
  }),
  z.object({
    id: z.string(),
    type: z.literal('file_change'),
    changes: z.array(z.object({ path: z.string(), kind: z.string() })),
    status: z.string()
  }),
  z.object({ id: z.string(), type: z.literal('agent_message'), text: z.string() }),
  z.object({ id: z.string(), type: z.literal('reasoning'), text: z.string() }),
  z.object({ id: z.string(), type: z.literal('error'), message: z.string() })
])

/** An item of a type this module does not read (MCP calls, web searches, to-do lists, ...). */
export interface OtherCodexItem {
  id: string
  type: 'other'
  itemType: string
}

/** One thread item (command, file change, message, ...). */
export type CodexItem = z.infer<typeof knownItemSchema> | OtherCodexItem

const itemSchema = z
  .looseObject({ id: z.string(), type: z.string() })
  .transform((raw): CodexItem => {
    const known = knownItemSchema.safeParse(raw)
    return known.success ? known.data : { id: raw.id, type: 'other', itemType: raw.type }
  })

const knownEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('thread.started'), thread_id: z.string() }),
  z.object({ type: z.literal('turn.started') }),
  z.object({ type: z.literal('turn.completed'), usage: usageSchema }),
  z.object({ type: z.literal('turn.failed'), error: z.object({ message: z.string() }) }),
  z.object({ type: z.literal('item.started'), item: itemSchema }),
  z.object({ type: z.literal('item.updated'), item: itemSchema }),
  z.object({ type: z.literal('item.completed'), item: itemSchema }),
  z.object({ type: z.literal('error'), message: z.string() })
])

/** An event of a type this module does not read, or a known type in a shape it does not expect. */
export interface OtherCodexEvent {
  type: 'other'
  eventType: string
}

/** One event of `codex exec --json`. */
export type CodexEvent = z.infer<typeof knownEventSchema> | OtherCodexEvent

const eventTypeSchema = z.looseObject({ type: z.string() })

export interface ParsedEventLog {
  events: CodexEvent[]
  /** Lines that were not a JSON object with a `type`, kept so a caller can report them. */
  unparsedLines: string[]
}

/** Parses a JSONL event log; blank lines are skipped, anything unreadable lands in `unparsedLines`. */
export function parseCodexEvents(jsonl: string): ParsedEventLog {
  const events: CodexEvent[] = []
  const unparsedLines: string[] = []
  for (const line of jsonl.split('\n')) {
    const text = line.trim()
    if (text === '') continue
    const event = parseEventLine(text)
    if (event) events.push(event)
    else unparsedLines.push(text)
  }
  return { events, unparsedLines }
}

function parseEventLine(text: string): CodexEvent | null {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return null
  }
  const known = knownEventSchema.safeParse(json)
  if (known.success) return known.data
  const typed = eventTypeSchema.safeParse(json)
  return typed.success ? { type: 'other', eventType: typed.data.type } : null
}

/** The event type as codex wrote it (`other` events report their original type). */
export function codexEventType(event: CodexEvent): string {
  return event.type === 'other' ? event.eventType : event.type
}

/** What a run did, derived from its events. */
export interface CodexRunSummary {
  threadId: string | null
  /** Summed over every `turn.completed`. */
  usage: CodexUsage
  /** Commands in the order they started; `exitCode` is null for one that never finished. */
  commands: CodexCommand[]
  /** Paths of completed file changes, relative to the work tree when inside it, without repeats. */
  filesChanged: string[]
  /** The `turn.failed` message, else the last `error` event or error item; null when none. */
  lastError: string | null
  /** The type of the last event, e.g. `turn.completed`; null for an empty stream. */
  lastEventType: string | null
}

/** Summarizes the events of one run in the work tree `cwd`. */
export function summarizeCodexEvents(events: readonly CodexEvent[], cwd: string): CodexRunSummary {
  const usage: CodexUsage = { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0 }
  const commands = new Map<string, CodexCommand>()
  const filesChanged = new Set<string>()
  let threadId: string | null = null
  let turnFailure: string | null = null
  let lastErrorEvent: string | null = null

  for (const event of events) {
    switch (event.type) {
      case 'thread.started':
        threadId = event.thread_id
        break
      case 'turn.completed':
        addUsage(usage, event.usage)
        break
      case 'turn.failed':
        turnFailure = event.error.message
        break
      case 'error':
        lastErrorEvent = event.message
        break
      case 'item.started':
      case 'item.updated':
      case 'item.completed': {
        const item = event.item
        if (item.type === 'command_execution') {
          commands.set(item.id, { command: item.command, exitCode: item.exit_code })
        } else if (item.type === 'file_change' && item.status === 'completed') {
          for (const change of item.changes) filesChanged.add(relativeToWorkTree(change.path, cwd))
        } else if (item.type === 'error' && event.type === 'item.completed') {
          lastErrorEvent = item.message
        }
        break
      }
    }
  }

  const last = events.at(-1)
  return {
    threadId,
    usage,
    commands: [...commands.values()],
    filesChanged: [...filesChanged],
    lastError: turnFailure ?? lastErrorEvent,
    lastEventType: last ? codexEventType(last) : null
  }
}

function addUsage(total: CodexUsage, turn: z.infer<typeof usageSchema>): void {
  total.inputTokens += turn.input_tokens
  total.cachedInputTokens += turn.cached_input_tokens
  total.outputTokens += turn.output_tokens
}

/** Codex reports absolute paths; the pipeline speaks in repository paths. */
function relativeToWorkTree(filePath: string, cwd: string): string {
  if (!path.isAbsolute(filePath)) return filePath
  const relative = path.relative(cwd, filePath)
  return relative.startsWith('..') || path.isAbsolute(relative) ? filePath : relative
}
