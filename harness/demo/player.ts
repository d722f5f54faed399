/**
 * Plays a playbook through the scripted model: each request codex sends is answered from what it
 * is for — the role its prompt's `## Task` line names, the issues its `## Issue #N: <title>`
 * headings name, and how many tool calls of this run codex has already answered — never from the
 * order requests arrive in, so any number of codex runs can share one model server.
 */
import {
  finalJson,
  toolCalls,
  type RecordedRequest,
  type ScriptToolCall,
  type ScriptTurn
} from '../codex-model/scripted-model.js'
import type { EditingRun, PlayCall, PlaybookEntry } from './playbook.js'

/** The role a prompt gives codex. */
export type PromptRole = 'implementer' | 'reviewer' | 'corrector'

/** The whole prompt codex forwarded: every user message of the request, in order. */
export function promptText(request: RecordedRequest): string {
  return (request.body?.input ?? [])
    .filter(item => item.type === 'message' && item.role === 'user')
    .flatMap(item => (item.content ?? []).map(part => part.text ?? ''))
    .join('\n')
}

/** The role named by the first line of the prompt's `## Task` section, or null. */
export function promptRole(prompt: string): PromptRole | null {
  const task = /^## Task\s*\n+\s*(\w+)/m.exec(prompt)?.[1]
  if (task === 'Implement') return 'implementer'
  if (task === 'Review') return 'reviewer'
  if (task === 'Correct') return 'corrector'
  return null
}

/** The issue titles of the prompt's `## Issue #N: <title>` headings, without their code span. */
export function promptIssueTitles(prompt: string): Set<string> {
  const titles = new Set<string>()
  for (const match of prompt.matchAll(/^## Issue #\d+: (.+)$/gm)) {
    const heading = (match[1] ?? '').trim()
    const ticks = /^`+/.exec(heading)?.[0] ?? ''
    const inner =
      ticks !== '' && heading.endsWith(ticks) ? heading.slice(ticks.length, -ticks.length) : heading
    titles.add(inner.trim())
  }
  return titles
}

/** How many tool calls of this run codex has already answered (their outputs are in the input). */
export function answeredCalls(request: RecordedRequest): number {
  return (request.body?.input ?? []).filter(
    item => item.type === 'function_call_output' || item.type === 'custom_tool_call_output'
  ).length
}

/** The entry whose titles are exactly the prompt's issues, or null. */
export function entryFor(
  playbook: readonly PlaybookEntry[],
  titles: ReadonlySet<string>
): PlaybookEntry | null {
  return (
    playbook.find(
      entry => entry.titles.length === titles.size && entry.titles.every(title => titles.has(title))
    ) ?? null
  )
}

function toolCall(call: PlayCall): ScriptToolCall {
  return 'patch' in call
    ? { tool: 'apply_patch', patch: call.patch }
    : { tool: 'exec_command', cmd: call.command }
}

/** One call per turn, then the final JSON once every call has its output. */
function playRun(calls: readonly PlayCall[], result: unknown, answered: number): ScriptTurn {
  const next = calls[answered]
  return next === undefined ? finalJson(result) : toolCalls(toolCall(next))
}

function playEditing(run: EditingRun, answered: number): ScriptTurn {
  return playRun(run.calls, run.result, answered)
}

/**
 * The answer to one request, or null when the playbook has none (an unknown prompt): the caller
 * then answers with an error that names the problem.
 */
export function answerFromPlaybook(
  playbook: readonly PlaybookEntry[],
  request: RecordedRequest
): ScriptTurn | null {
  const prompt = promptText(request)
  const role = promptRole(prompt)
  const entry = entryFor(playbook, promptIssueTitles(prompt))
  if (role === null || entry === null) return null
  const answered = answeredCalls(request)
  if (role === 'implementer') {
    const run = entry.implementer
    if ('fail' in run)
      return { kind: 'http-error', status: run.fail.status, message: run.fail.message }
    return playEditing(run, answered)
  }
  if (role === 'corrector') {
    return entry.corrector === undefined ? null : playEditing(entry.corrector, answered)
  }
  const play = entry.reviewer.find(
    candidate =>
      candidate.whenPromptLacks === undefined || !prompt.includes(candidate.whenPromptLacks)
  )
  return play === undefined ? null : playRun(play.calls, play.verdict, answered)
}
