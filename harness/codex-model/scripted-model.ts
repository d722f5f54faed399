/**
 * A scripted stand-in for the OpenAI Responses API that the real `codex` binary can talk to: the
 * tests drive codex with it, and `codex-waves demo --offline` plays its shipped playbook through it.
 *
 * `codex exec` with a custom model provider POSTs to `<base_url>/responses` and reads the answer
 * as server-sent events: `response.created`, one `response.output_item.done` per output item
 * (`function_call` for `exec_command`, `custom_tool_call` for `apply_patch`, `message` with
 * `output_text` for the final answer), then `response.completed` with the token usage. Each
 * request is answered by the `answer` function when it has an answer for it (a playbook that
 * answers by what the request is for, whatever order concurrent runs arrive in), else by the next
 * turn of the script; every request is recorded so a test can assert the prompt codex sent and the
 * tool outputs it returned.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'

/** Token counts reported in `response.completed`. */
export interface ScriptUsage {
  inputTokens: number
  cachedInputTokens: number
  outputTokens: number
}

/** A tool call the scripted model makes. */
export type ScriptToolCall =
  | { tool: 'exec_command'; cmd: string; workdir?: string; callId?: string }
  | { tool: 'apply_patch'; patch: string; callId?: string }

/** How often a turn answers before the next one takes over; `Infinity` answers every request. */
interface Repeatable {
  times?: number
}

/** One answer of the scripted model, to one request. */
export type ScriptTurn =
  | ({ kind: 'tools'; calls: ScriptToolCall[]; usage?: Partial<ScriptUsage> } & Repeatable)
  | ({ kind: 'final'; text: string; usage?: Partial<ScriptUsage> } & Repeatable)
  | ({ kind: 'http-error'; status: number; message?: string } & Repeatable)
  | ({ kind: 'hang' } & Repeatable)

/** A request codex sent, as the server received it. */
export interface RecordedRequest {
  method: string
  path: string
  headers: http.IncomingHttpHeaders
  /** The parsed JSON body, or null when the body was not JSON. */
  body: ResponsesRequestBody | null
  rawBody: string
  /** The turn that answered it; null when the script had run out or the path was unknown. */
  turn: ScriptTurn | null
}

/** The parts of a Responses API request body the tests look at. */
export interface ResponsesRequestBody {
  model?: string
  input?: ResponsesInputItem[]
  tools?: Array<{ type: string; name?: string }>
  text?: { format?: unknown }
  [key: string]: unknown
}

export interface ResponsesInputItem {
  type: string
  role?: string
  content?: Array<{ type: string; text?: string }>
  call_id?: string
  output?: unknown
  [key: string]: unknown
}

export interface ScriptedModel {
  /** The provider base URL for codex's `model_providers.<id>.base_url` (ends in `/v1`). */
  url: string
  /** Every request received, in order. */
  requests: RecordedRequest[]
  /** Appends turns to the script. */
  enqueue(...turns: ScriptTurn[]): void
  /** How many answers are left in the script (`Infinity` when a turn repeats forever). */
  remainingTurns(): number
  /** Ends hanging streams and stops the server. */
  close(): Promise<void>
}

export interface ScriptedModelOptions {
  /** The answer once the script is exhausted; by default a 500 naming the problem. */
  whenExhausted?: ScriptTurn
  /**
   * Answers a request by its content before the script is consulted; null leaves it to the
   * script. The request's `turn` is null when it is not yet answered.
   */
  answer?: (request: RecordedRequest) => ScriptTurn | null
}

const DEFAULT_USAGE: ScriptUsage = { inputTokens: 100, cachedInputTokens: 0, outputTokens: 10 }

/** An `exec_command` function call running `cmd` in the agent's shell. */
export function execCommand(cmd: string, options: { workdir?: string; callId?: string } = {}) {
  return { tool: 'exec_command', cmd, ...options } satisfies ScriptToolCall
}

/** An `apply_patch` custom tool call carrying a raw patch (`*** Begin Patch` ... `*** End Patch`). */
export function applyPatch(patch: string, options: { callId?: string } = {}) {
  return { tool: 'apply_patch', patch, ...options } satisfies ScriptToolCall
}

/** A turn that makes the given tool calls; codex answers with their outputs in the next request. */
export function toolCalls(...calls: ScriptToolCall[]): ScriptTurn {
  return { kind: 'tools', calls }
}

/** A turn that ends the run with a final assistant message. */
export function finalMessage(text: string): ScriptTurn {
  return { kind: 'final', text }
}

/** A turn that ends the run with a JSON final message (what `--output-schema` asks for). */
export function finalJson(value: unknown): ScriptTurn {
  return finalMessage(JSON.stringify(value))
}

/** A turn answered with an HTTP error status (500, 429, ...), `times` times in a row. */
export function httpError(status: number, times = 1): ScriptTurn {
  return { kind: 'http-error', status, times }
}

/** A turn whose stream starts and then never sends another byte. */
export function hang(): ScriptTurn {
  return { kind: 'hang' }
}

/** The text of the last user message in a request: the prompt codex forwarded. */
export function userPrompt(request: RecordedRequest): string | null {
  const messages = (request.body?.input ?? []).filter(
    item => item.type === 'message' && item.role === 'user'
  )
  const last = messages.at(-1)
  if (!last) return null
  return (last.content ?? []).map(part => part.text ?? '').join('')
}

/** The output codex returned for a tool call (`function_call_output` or `custom_tool_call_output`). */
export function toolOutput(request: RecordedRequest, callId: string): string | null {
  const item = (request.body?.input ?? []).find(
    entry =>
      (entry.type === 'function_call_output' || entry.type === 'custom_tool_call_output') &&
      entry.call_id === callId
  )
  if (!item) return null
  return typeof item.output === 'string' ? item.output : JSON.stringify(item.output)
}

/** Starts the scripted model on 127.0.0.1, on a free port. */
export async function startScriptedModel(
  script: readonly ScriptTurn[] = [],
  options: ScriptedModelOptions = {}
): Promise<ScriptedModel> {
  const queue: Array<{ turn: ScriptTurn; left: number }> = []
  const enqueue = (...turns: ScriptTurn[]) => {
    for (const turn of turns) queue.push({ turn, left: turn.times ?? 1 })
  }
  enqueue(...script)
  const exhausted: ScriptTurn = options.whenExhausted ?? {
    kind: 'http-error',
    status: 500,
    message: 'the scripted model has no turn left for this request'
  }
  const requests: RecordedRequest[] = []
  const openStreams = new Set<http.ServerResponse>()
  let responseCount = 0

  const nextTurn = (): ScriptTurn | null => {
    const head = queue[0]
    if (!head) return null
    head.left -= 1
    if (head.left <= 0) queue.shift()
    return head.turn
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8')
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
      const known = req.method === 'POST' && path === '/v1/responses'
      const request: RecordedRequest = {
        method: req.method ?? '',
        path,
        headers: req.headers,
        body: parseBody(rawBody),
        rawBody,
        turn: null
      }
      const scripted = known ? (options.answer?.(request) ?? nextTurn()) : null
      const turn = known ? (scripted ?? exhausted) : null
      request.turn = scripted
      requests.push(request)
      if (!turn) {
        sendJsonError(res, 404, `the scripted model serves POST /v1/responses, not ${path}`)
        return
      }
      responseCount += 1
      answer(res, turn, `resp_${responseCount}`, openStreams)
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    enqueue,
    remainingTurns: () => queue.reduce((sum, entry) => sum + entry.left, 0),
    close: async () => {
      for (const stream of openStreams) stream.destroy()
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}

function parseBody(rawBody: string): ResponsesRequestBody | null {
  try {
    const parsed: unknown = JSON.parse(rawBody)
    return parsed !== null && typeof parsed === 'object' ? (parsed as ResponsesRequestBody) : null
  } catch {
    return null
  }
}

function sendJsonError(res: http.ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify({ error: { message, type: 'scripted_error', code: null } }))
}

function answer(
  res: http.ServerResponse,
  turn: ScriptTurn,
  responseId: string,
  openStreams: Set<http.ServerResponse>
): void {
  if (turn.kind === 'http-error') {
    sendJsonError(res, turn.status, turn.message ?? `scripted HTTP ${turn.status}`)
    return
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
  const send = (event: { type: string } & Record<string, unknown>) =>
    res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`)
  send({ type: 'response.created', response: { id: responseId } })
  if (turn.kind === 'hang') {
    openStreams.add(res)
    res.on('close', () => openStreams.delete(res))
    return
  }
  const items =
    turn.kind === 'tools' ? turn.calls.map(toolCallItem(responseId)) : [messageItem(turn.text)]
  for (const item of items) send({ type: 'response.output_item.done', item })
  const usage = { ...DEFAULT_USAGE, ...turn.usage }
  send({
    type: 'response.completed',
    response: {
      id: responseId,
      usage: {
        input_tokens: usage.inputTokens,
        input_tokens_details: { cached_tokens: usage.cachedInputTokens },
        output_tokens: usage.outputTokens,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: usage.inputTokens + usage.outputTokens
      }
    }
  })
  res.end()
}

function toolCallItem(responseId: string) {
  return (call: ScriptToolCall, index: number) => {
    const callId = call.callId ?? `call_${responseId}_${index}`
    if (call.tool === 'apply_patch') {
      return { type: 'custom_tool_call', call_id: callId, name: 'apply_patch', input: call.patch }
    }
    const args =
      call.workdir === undefined ? { cmd: call.cmd } : { cmd: call.cmd, workdir: call.workdir }
    return {
      type: 'function_call',
      call_id: callId,
      name: 'exec_command',
      arguments: JSON.stringify(args)
    }
  }
}

function messageItem(text: string) {
  return {
    type: 'message',
    role: 'assistant',
    content: [{ type: 'output_text', text, annotations: [] }]
  }
}
