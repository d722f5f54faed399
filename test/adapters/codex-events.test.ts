import {
  codexEventType,
  parseCodexEvents,
  summarizeCodexEvents
} from '../../src/adapters/codex/events.js'

const CWD = '/srv/checkout'

function jsonl(...events: unknown[]): string {
  return events.map(event => JSON.stringify(event)).join('\n') + '\n'
}

const command = (id: string, status: string, exitCode: number | null) => ({
  type: status === 'in_progress' ? 'item.started' : 'item.completed',
  item: {
    id,
    type: 'command_execution',
    command: `/bin/bash -lc 'step ${id}'`,
    aggregated_output: '',
    exit_code: exitCode,
    status
  }
})

describe('parseCodexEvents', () => {
  test('types known events and keeps unknown ones by their original type', () => {
    const { events, unparsedLines } = parseCodexEvents(
      jsonl(
        { type: 'thread.started', thread_id: 't-1' },
        { type: 'turn.started' },
        { type: 'item.completed', item: { id: 'i1', type: 'todo_list', items: [] } },
        { type: 'item.plan.delta', item_id: 'i2', delta: 'x' },
        { type: 'turn.completed', usage: { input_tokens: 5, output_tokens: 1 } }
      )
    )

    expect(unparsedLines).toEqual([])
    expect(events.map(codexEventType)).toEqual([
      'thread.started',
      'turn.started',
      'item.completed',
      'item.plan.delta',
      'turn.completed'
    ])
    expect(events[2]).toEqual({
      type: 'item.completed',
      item: { id: 'i1', type: 'other', itemType: 'todo_list' }
    })
    expect(events[4]).toEqual({
      type: 'turn.completed',
      usage: { input_tokens: 5, cached_input_tokens: 0, output_tokens: 1 }
    })
  })

  test('a known type in an unexpected shape is kept as an other event, not trusted', () => {
    const { events } = parseCodexEvents(jsonl({ type: 'turn.completed' }))

    expect(events).toEqual([{ type: 'other', eventType: 'turn.completed' }])
    expect(summarizeCodexEvents(events, CWD).lastEventType).toBe('turn.completed')
  })

  test('reports lines that are not JSON events and skips blank ones', () => {
    const { events, unparsedLines } = parseCodexEvents(
      'Reading prompt from stdin...\n\n{"type":"turn.started"}\n[1,2]\n{"no":"type"}\n'
    )

    expect(events).toEqual([{ type: 'turn.started' }])
    expect(unparsedLines).toEqual(['Reading prompt from stdin...', '[1,2]', '{"no":"type"}'])
  })
})

describe('summarizeCodexEvents', () => {
  test('sums usage over every turn and keeps the thread id', () => {
    const { events } = parseCodexEvents(
      jsonl(
        { type: 'thread.started', thread_id: 'thread-9' },
        {
          type: 'turn.completed',
          usage: { input_tokens: 100, cached_input_tokens: 40, output_tokens: 7 }
        },
        { type: 'turn.started' },
        {
          type: 'turn.completed',
          usage: { input_tokens: 50, cached_input_tokens: 10, output_tokens: 3 }
        }
      )
    )

    const summary = summarizeCodexEvents(events, CWD)

    expect(summary.threadId).toBe('thread-9')
    expect(summary.usage).toEqual({ inputTokens: 150, cachedInputTokens: 50, outputTokens: 10 })
    expect(summary.lastEventType).toBe('turn.completed')
  })

  test('lists commands once each, in start order, with the exit code of their completion', () => {
    const { events } = parseCodexEvents(
      jsonl(
        command('a', 'in_progress', null),
        command('b', 'in_progress', null),
        command('a', 'completed', 0),
        command('b', 'failed', 2),
        command('c', 'in_progress', null)
      )
    )

    expect(summarizeCodexEvents(events, CWD).commands).toEqual([
      { command: "/bin/bash -lc 'step a'", exitCode: 0 },
      { command: "/bin/bash -lc 'step b'", exitCode: 2 },
      { command: "/bin/bash -lc 'step c'", exitCode: null }
    ])
  })

  test('reports completed file changes relative to the work tree, without repeats', () => {
    const change = (id: string, status: string, paths: string[]) => ({
      type: 'item.completed',
      item: {
        id,
        type: 'file_change',
        status,
        changes: paths.map(p => ({ path: p, kind: 'update' }))
      }
    })
    const { events } = parseCodexEvents(
      jsonl(
        change('f1', 'completed', [`${CWD}/src/a.ts`, `${CWD}/README.md`]),
        change('f2', 'failed', [`${CWD}/src/never.ts`]),
        change('f3', 'completed', [`${CWD}/src/a.ts`, '/elsewhere/b.ts', 'rel/c.ts'])
      )
    )

    expect(summarizeCodexEvents(events, CWD).filesChanged).toEqual([
      'src/a.ts',
      'README.md',
      '/elsewhere/b.ts',
      'rel/c.ts'
    ])
  })

  test('the turn failure wins over earlier error events as the last error', () => {
    const { events } = parseCodexEvents(
      jsonl(
        { type: 'error', message: 'Reconnecting... 1/5 (server error)' },
        { type: 'turn.failed', error: { message: 'exceeded retry limit, last status: 429' } },
        { type: 'error', message: 'a later notice' }
      )
    )

    expect(summarizeCodexEvents(events, CWD).lastError).toBe(
      'exceeded retry limit, last status: 429'
    )
  })

  test('without a turn failure the last error event or error item is the last error', () => {
    const { events } = parseCodexEvents(
      jsonl(
        { type: 'error', message: 'first' },
        { type: 'item.completed', item: { id: 'e1', type: 'error', message: 'from an item' } }
      )
    )

    expect(summarizeCodexEvents(events, CWD).lastError).toBe('from an item')
    expect(summarizeCodexEvents([], CWD)).toEqual({
      threadId: null,
      usage: { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0 },
      commands: [],
      filesChanged: [],
      lastError: null,
      lastEventType: null
    })
  })
})
