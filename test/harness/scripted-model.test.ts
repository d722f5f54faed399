/**
 * The scripted model on its own, through plain HTTP: what it streams, and how the script advances.
 * (Its use by the real codex binary is covered by test/adapters/codex.test.ts.)
 */
import { codexConfigToml } from '../../harness/codex-model/codex-home.js'
import {
  applyPatch,
  execCommand,
  finalJson,
  hang,
  httpError,
  startScriptedModel,
  toolCalls,
  toolOutput,
  userPrompt,
  type ScriptedModel
} from '../../harness/codex-model/scripted-model.js'

const models: ScriptedModel[] = []

afterEach(async () => {
  for (const model of models.splice(0)) await model.close()
})

async function start(...args: Parameters<typeof startScriptedModel>): Promise<ScriptedModel> {
  const model = await startScriptedModel(...args)
  models.push(model)
  return model
}

function post(model: ScriptedModel, body: unknown, signal?: AbortSignal): Promise<Response> {
  return fetch(`${model.url}/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal
  })
}

/** The `data:` payloads of an SSE body, checking each names its event like codex expects. */
function sseEvents(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n\n')
    .filter(block => block.trim() !== '')
    .map(block => {
      const [eventLine, dataLine] = block.split('\n')
      const data = JSON.parse((dataLine ?? '').replace(/^data: /, '')) as Record<string, unknown>
      expect(eventLine).toBe(`event: ${String(data.type)}`)
      return data
    })
}

describe('startScriptedModel', () => {
  test('streams tool calls as output items, then the completion with usage', async () => {
    const model = await start([
      {
        kind: 'tools',
        calls: [
          execCommand('ls', { callId: 'c1' }),
          applyPatch('*** Begin Patch\n*** End Patch\n')
        ],
        usage: { inputTokens: 7, cachedInputTokens: 2, outputTokens: 3 }
      }
    ])

    const response = await post(model, { input: [] })
    const events = sseEvents(await response.text())

    expect(response.headers.get('content-type')).toBe('text/event-stream')
    expect(events.map(event => event.type)).toEqual([
      'response.created',
      'response.output_item.done',
      'response.output_item.done',
      'response.completed'
    ])
    expect(events[1]!.item).toEqual({
      type: 'function_call',
      call_id: 'c1',
      name: 'exec_command',
      arguments: '{"cmd":"ls"}'
    })
    expect(events[2]!.item).toMatchObject({
      type: 'custom_tool_call',
      name: 'apply_patch',
      input: '*** Begin Patch\n*** End Patch\n'
    })
    expect(events[3]!.response).toMatchObject({
      usage: { input_tokens: 7, input_tokens_details: { cached_tokens: 2 }, output_tokens: 3 }
    })
  })

  test('answers each request with the next turn, repeats counted turns, then fails loudly', async () => {
    const model = await start([httpError(429, 2)])
    model.enqueue(finalJson({ ok: true }))

    const responses: Response[] = []
    for (let i = 0; i < 4; i += 1) responses.push(await post(model, {}))
    const statuses = responses.map(response => response.status)
    const final = sseEvents(await responses[2]!.text())
    const exhausted = responses[3]!

    expect(statuses).toEqual([429, 429, 200, 500])
    expect(final[1]!.item).toEqual({
      type: 'message',
      role: 'assistant',
      content: [{ type: 'output_text', text: '{"ok":true}', annotations: [] }]
    })
    expect(await exhausted.text()).toContain('no turn left')
    expect(model.requests.map(request => request.turn?.kind ?? null)).toEqual([
      'http-error',
      'http-error',
      'final',
      null
    ])
    expect(model.remainingTurns()).toBe(0)
  })

  test('a hanging turn keeps the stream open until the server drops it on close', async () => {
    const model = await start([hang()])

    const response = await post(model, {})
    const reader = response.body!.getReader()
    const first = new TextDecoder().decode((await reader.read()).value)
    const rest = reader.read()
    const stillOpen = await Promise.race([
      rest.then(() => false),
      new Promise<boolean>(resolve => setTimeout(() => resolve(true), 300))
    ])
    await model.close()
    models.splice(0)

    expect(first).toContain('event: response.created')
    expect(stillOpen).toBe(true)
    await expect(rest).rejects.toThrow()
  })

  test('records request bodies and reads back the prompt and tool outputs', async () => {
    const model = await start([toolCalls(execCommand('env'))])
    await post(model, {
      input: [
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'rules' }] },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'review' }] },
        { type: 'function_call_output', call_id: 'c9', output: 'PATH=/bin' },
        { type: 'custom_tool_call_output', call_id: 'c10', output: 'Success.' }
      ]
    })
    await fetch(`${model.url}/models`)

    const [request, unknown] = model.requests

    expect(userPrompt(request!)).toBe('review')
    expect(toolOutput(request!, 'c9')).toBe('PATH=/bin')
    expect(toolOutput(request!, 'c10')).toBe('Success.')
    expect(toolOutput(request!, 'missing')).toBeNull()
    expect(unknown).toMatchObject({ method: 'GET', path: '/v1/models', turn: null })
    expect(model.remainingTurns()).toBe(0)
  })
})

describe('codexConfigToml', () => {
  test('points a responses provider at the model with bounded retries', () => {
    const toml = codexConfigToml({ modelUrl: 'http://127.0.0.1:1234/v1', requestMaxRetries: 2 })

    expect(toml).toContain('model = "gpt-5.5"\nmodel_provider = "scripted"')
    expect(toml).toContain('[model_providers.scripted]')
    expect(toml).toContain('base_url = "http://127.0.0.1:1234/v1"')
    expect(toml).toContain('wire_api = "responses"')
    expect(toml).toContain('request_max_retries = 2')
    expect(toml).toContain('stream_max_retries = 0')
    expect(toml).toContain('[features]\nplugins = false')
    expect(toml).toContain('[analytics]\nenabled = false')
  })
})
