/**
 * The scripted model's answers for the benchmarks, chosen by what each request is for (so twelve
 * concurrent codex runs get the right answer whatever order they arrive in): every run first makes
 * a tool call that sleeps (the codex run's stand-in for thinking and working, a real `sleep` in
 * codex's shell), the implementer and corrector also write a file, then the run ends with the
 * JSON its output schema asks for. It records when the first request of each run arrived.
 */
import { performance } from 'node:perf_hooks'
import {
  applyPatch,
  execCommand,
  finalJson,
  finalMessage,
  toolCalls,
  type RecordedRequest,
  type ScriptTurn
} from '../harness/codex-model/scripted-model.js'

/** Marks the prompt of a codex run that is not the pipeline's (the install-at-start baseline). */
export const BASELINE_MARKER = 'bench-baseline-run'

export interface PlaybookOptions {
  /** How long each codex run's tool call sleeps, in seconds. */
  workSeconds: number
  /** PRs whose first review requests changes (one blocking finding); later reviews approve. */
  requestChangesOnce?: ReadonlySet<number>
}

/** Which run a request belongs to: its role and the issue, PR or baseline id it is about. */
export interface RunKey {
  role: 'implement' | 'review' | 'correct' | 'baseline'
  id: string
}

/** Answers the benchmark's codex runs and keeps the arrival time of each run's first request. */
export class BenchPlaybook {
  /** `role:id` → when the run's first request arrived (epoch ms, sub-millisecond). */
  readonly firstRequestAt = new Map<string, number>()
  private readonly reviews = new Map<string, number>()

  constructor(private readonly options: PlaybookOptions) {}

  /** The scripted model's `answer` hook. */
  readonly answer = (request: RecordedRequest): ScriptTurn | null => {
    const arrived = performance.timeOrigin + performance.now()
    const key = runKey(request)
    if (key === null) return null
    const name = `${key.role}:${key.id}`
    const continuing = hasToolOutput(request)
    if (!continuing && !this.firstRequestAt.has(name)) this.firstRequestAt.set(name, arrived)
    if (key.role === 'baseline') return finalMessage('Ready.')
    if (!continuing) return this.workTurn(key)
    return this.finalTurn(key)
  }

  /** Forgets the arrival times (between benchmark runs that reuse ids). */
  resetArrivals(): void {
    this.firstRequestAt.clear()
  }

  private workTurn(key: RunKey): ScriptTurn {
    const sleep = execCommand(`sleep ${this.options.workSeconds}`)
    if (key.role === 'review') return toolCalls(sleep)
    const path =
      key.role === 'implement' ? `src/feature-${key.id}.js` : `notes/correction-${key.id}.md`
    const line =
      key.role === 'implement'
        ? `export const feature${key.id} = ${key.id}`
        : `Corrected by the benchmark.`
    const patch = ['*** Begin Patch', `*** Add File: ${path}`, `+${line}`, '*** End Patch', '']
    return toolCalls(sleep, applyPatch(patch.join('\n')))
  }

  private finalTurn(key: RunKey): ScriptTurn {
    if (key.role !== 'review') {
      return finalJson({
        status: 'done',
        commit_title:
          key.role === 'implement' ? `feat: add feature ${key.id}` : 'fix: address the review',
        commit_body: 'Made by the benchmark playbook.',
        pr_summary: `Adds what the ${key.role === 'implement' ? 'issue' : 'review'} asks for.`,
        tests_run: [],
        open_questions: []
      })
    }
    const done = this.reviews.get(key.id) ?? 0
    this.reviews.set(key.id, done + 1)
    const changes = done === 0 && (this.options.requestChangesOnce?.has(Number(key.id)) ?? false)
    return finalJson({
      verdict: changes ? 'changes_requested' : 'approved',
      summary: changes ? 'One thing is missing.' : 'The change does what the issue asks.',
      blocking: changes
        ? [
            {
              id: 'B1',
              title: 'The change has no note',
              detail: 'Add a note of the change under notes/.',
              file: null,
              line: null,
              checklist_item: 'other'
            }
          ]
        : [],
      should_fix: [],
      nits: [],
      scope_violations: []
    })
  }
}

/** The role of a codex run from its prompt; null for a request no benchmark made. */
export function runKey(request: RecordedRequest): RunKey | null {
  const text = promptText(request)
  const baseline = new RegExp(`${BASELINE_MARKER} ([\\w-]+)`).exec(text)
  if (baseline) return { role: 'baseline', id: baseline[1] ?? '' }
  // The corrector's and reviewer's prompts quote the implementer's task, so they are tried first.
  const correct = /Correct pull request #(\d+)/.exec(text)
  if (correct) return { role: 'correct', id: correct[1] ?? '' }
  const review = /Review pull request #(\d+)/.exec(text)
  if (review) return { role: 'review', id: review[1] ?? '' }
  const implement = /Implement issues? #(\d+)/.exec(text)
  if (implement) return { role: 'implement', id: implement[1] ?? '' }
  return null
}

function promptText(request: RecordedRequest): string {
  return (request.body?.input ?? [])
    .filter(item => item.type === 'message' && item.role === 'user')
    .flatMap(item => item.content ?? [])
    .map(part => part.text ?? '')
    .join('\n')
}

function hasToolOutput(request: RecordedRequest): boolean {
  return (request.body?.input ?? []).some(
    item => item.type === 'function_call_output' || item.type === 'custom_tool_call_output'
  )
}
