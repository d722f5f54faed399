/**
 * The offline playbook player answers each request from its prompt (the role, the issues, the
 * calls already answered), never from arrival order: prompts rendered by the real renderers get
 * the demo's answers in any order.
 */
import { describe, expect, it } from '@jest/globals'
import { parseImplementerResultJson, parseReviewVerdictJson } from '../../src/contracts/index.js'
import { renderImplementerPrompt, renderReviewerPrompt } from '../../src/prompts/index.js'
import { answerFromPlaybook, promptIssueTitles, promptRole } from '../../harness/demo/player.js'
import { DEMO_PLAYBOOK } from '../../harness/demo/playbook.js'
import type { RecordedRequest, ScriptTurn } from '../../harness/codex-model/scripted-model.js'

const TRUNCATE = { number: 2, title: 'Add a truncate helper', body: 'Add `truncate(text, max)`.' }
const MEAN = { number: 1, title: 'mean() of an empty list returns NaN', body: 'Return 0.' }

/** A request as codex sends it: the prompt as a user message, then `answered` tool outputs. */
function request(prompt: string, answered = 0): RecordedRequest {
  const input = [
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: prompt }] },
    ...Array.from({ length: answered }, (_, index) => ({
      type: index % 2 === 0 ? 'custom_tool_call_output' : 'function_call_output',
      call_id: `call_${index}`,
      output: 'ok'
    }))
  ]
  return {
    method: 'POST',
    path: '/v1/responses',
    headers: {},
    body: { input },
    rawBody: '',
    turn: null
  }
}

function implementerPrompt(issue: typeof TRUNCATE, other: typeof TRUNCATE) {
  return renderImplementerPrompt({
    issues: [issue],
    otherIssues: [{ number: other.number, title: other.title }],
    openQuestions: [],
    branchType: 'feat',
    rulesFiles: []
  })
}

function reviewerPrompt(diff: string) {
  return renderReviewerPrompt({
    pr: 9,
    dispatchPrompt: implementerPrompt(TRUNCATE, MEAN),
    issues: [TRUNCATE],
    status: {
      headSha: 'a'.repeat(40),
      base: 'main',
      ci: 'success',
      mergeable: true,
      commitsSinceBase: 1,
      diffStat: { files: 1, additions: 1, deletions: 0 }
    },
    rulesFiles: [],
    diff,
    diffBudget: 10_000
  })
}

function finalText(turn: ScriptTurn | null): string {
  if (turn?.kind !== 'final') throw new Error(`expected a final turn, got ${JSON.stringify(turn)}`)
  return turn.text
}

describe('the offline playbook', () => {
  it('reads the role and the issue headings of rendered prompts, not the out-of-scope list', () => {
    const prompt = implementerPrompt(TRUNCATE, MEAN)
    expect(promptRole(prompt)).toBe('implementer')
    expect([...promptIssueTitles(prompt)]).toEqual(['Add a truncate helper'])
    expect(promptRole(reviewerPrompt(''))).toBe('reviewer')
  })

  it('plays an implementer run call by call, then its result', () => {
    const prompt = implementerPrompt(TRUNCATE, MEAN)
    const first = answerFromPlaybook(DEMO_PLAYBOOK, request(prompt, 0))
    expect(first).toMatchObject({ kind: 'tools', calls: [{ tool: 'apply_patch' }] })
    expect(JSON.stringify(first)).toContain('export function truncate')
    expect(answerFromPlaybook(DEMO_PLAYBOOK, request(prompt, 1))).toMatchObject({
      kind: 'tools',
      calls: [{ tool: 'exec_command', cmd: 'node --test' }]
    })
    const result = parseImplementerResultJson(
      finalText(answerFromPlaybook(DEMO_PLAYBOOK, request(prompt, 2)))
    )
    expect(result.ok && result.value.commit_title).toBe('feat(strings): add truncate')
    // Another issue's run, asked in between, gets its own answer.
    const other = answerFromPlaybook(DEMO_PLAYBOOK, request(implementerPrompt(MEAN, TRUNCATE)))
    expect(JSON.stringify(other)).toContain('Update File: src/numbers.js')
  })

  it('requests the export once, and approves the diff that has it', () => {
    const before = finalText(
      answerFromPlaybook(DEMO_PLAYBOOK, request(reviewerPrompt('+export function truncate'), 1))
    )
    const first = parseReviewVerdictJson(before)
    expect(first.ok && first.value.verdict).toBe('changes_requested')
    expect(first.ok && first.value.blocking.map(finding => finding.file)).toEqual(['src/index.js'])
    const corrected = "+export { slugify, capitalize, truncate } from './strings.js'"
    const after = parseReviewVerdictJson(
      finalText(answerFromPlaybook(DEMO_PLAYBOOK, request(reviewerPrompt(corrected), 1)))
    )
    expect(after.ok && after.value.verdict).toBe('approved')
  })

  it('fails the run the playbook fails, and has no answer for a prompt it does not know', () => {
    const migration = { number: 4, title: 'Add an email column to users', body: 'x' }
    expect(
      answerFromPlaybook(DEMO_PLAYBOOK, request(implementerPrompt(migration, MEAN)))
    ).toMatchObject({
      kind: 'http-error',
      status: 400,
      message: expect.stringContaining('on purpose')
    })
    const stranger = { number: 40, title: 'Rewrite it in Rust', body: 'x' }
    expect(answerFromPlaybook(DEMO_PLAYBOOK, request(implementerPrompt(stranger, MEAN)))).toBeNull()
    expect(answerFromPlaybook(DEMO_PLAYBOOK, request('hello'))).toBeNull()
  })
})
