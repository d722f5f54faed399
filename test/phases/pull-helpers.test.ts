/**
 * The pure helpers of the review and correct phases: reading untrusted artifacts, the CI state,
 * the diff stat, the commit status check, and the PR of a triggering event.
 */
import { describe, expect, it } from '@jest/globals'
import type { DispatchRecord } from '../../src/contracts/index.js'
import { parseReviewRecordJson } from '../../src/contracts/review-record.js'
import { defaultBranchFromEvent, pullNumberFromEvent } from '../../src/phases/shared/event-pull.js'
import {
  ciStateOf,
  hasStatus,
  parseNumstat,
  statusDescription
} from '../../src/phases/review/facts.js'
import { usageOf } from '../../src/phases/shared/codex-run.js'
import {
  ArtifactContentError,
  readDispatchArtifact,
  readReviewArtifact
} from '../../src/phases/shared/run-artifacts.js'

const SHA = 'a'.repeat(40)
const record: DispatchRecord = {
  v: 1,
  planId: '0123456789ab',
  group: 'g1-mean',
  issues: [1],
  branch: 'fix/1-mean',
  baseSha: SHA,
  headSha: 'b'.repeat(40),
  pr: 7,
  promptArtifact: 'waves-dispatch-g1-mean-1',
  usage: null,
  outcome: 'opened',
  error: null
}
const dispatchFiles = (
  recordText: string,
  extra: Array<{ path: string; content: string }> = []
) => [
  { path: 'prompt.md', content: '## Task\n\nFix it.\n' },
  { path: 'codex-events.jsonl', content: '' },
  { path: 'record.json', content: new TextEncoder().encode(recordText) },
  ...extra
]

describe('readDispatchArtifact', () => {
  it('returns the validated record and the prompt', () => {
    const read = readDispatchArtifact(
      'waves-dispatch-g1-mean-1',
      dispatchFiles(JSON.stringify(record)),
      7
    )
    expect(read.record).toEqual(record)
    expect(read.prompt).toBe('## Task\n\nFix it.\n')
  })

  it.each(['../record.json', 'a/../../etc/passwd', '/etc/passwd', './prompt.md'])(
    'refuses an artifact holding the path %s',
    path => {
      const files = dispatchFiles(JSON.stringify(record), [{ path, content: 'x' }])
      expect(() => readDispatchArtifact('art', files, 7)).toThrow(ArtifactContentError)
      expect(() => readDispatchArtifact('art', files, 7)).toThrow(
        `Artifact 'art' is refused: it holds the path ${JSON.stringify(path)}, which escapes the artifact`
      )
    }
  )

  it('refuses a file the pipeline never writes', () => {
    const files = dispatchFiles(JSON.stringify(record), [{ path: 'run.sh', content: 'x' }])
    expect(() => readDispatchArtifact('art', files, 7)).toThrow(
      /holds "run.sh", which the pipeline never writes/
    )
  })

  it('refuses a record that fails its schema, naming the path and the value', () => {
    const files = dispatchFiles(JSON.stringify({ ...record, headSha: 'HEAD' }))
    expect(() => readDispatchArtifact('art', files, 7)).toThrow(
      /Artifact 'art' is refused: art\/record\.json is not valid:\n- headSha: expected a full commit SHA .*got "HEAD"/
    )
  })

  it('refuses text that is not JSON, a missing record, and a record about another PR', () => {
    expect(() => readDispatchArtifact('art', dispatchFiles('{'), 7)).toThrow(
      /record\.json is not JSON/
    )
    expect(() =>
      readDispatchArtifact('art', dispatchFiles(JSON.stringify(record)).slice(0, 2), 7)
    ).toThrow(/it has no record\.json/)
    expect(() => readDispatchArtifact('art', dispatchFiles(JSON.stringify(record)), 8)).toThrow(
      /about PR 7, not PR #8/
    )
  })
})

describe('readReviewArtifact and the review record', () => {
  const review = {
    v: 1,
    pr: 7,
    headSha: SHA,
    baseSha: SHA,
    verdict: 'changes_requested',
    next: 'correct',
    findings: {
      verdict: 'changes_requested',
      summary: 'One problem.',
      blocking: [
        { id: 'B1', title: 't', detail: 'd', file: null, line: null, checklist_item: 'other' }
      ],
      should_fix: [],
      nits: [],
      scope_violations: []
    },
    blockingCount: 1,
    description: 'changes requested: 1 blocking; 1 to correct',
    attempts: 1
  }

  it('reads review.json next to the prompt, the event log and earlier attempts', () => {
    const files = [
      { path: 'review.json', content: JSON.stringify(review) },
      { path: 'prompt.md', content: 'p' },
      { path: 'attempts/1/prompt.md', content: 'p' }
    ]
    expect(readReviewArtifact('waves-review-7-1', files, 7)).toEqual(review)
  })

  it('refuses a record that fails its schema or is about another PR', () => {
    const bad = [{ path: 'review.json', content: JSON.stringify({ ...review, next: 'ship' }) }]
    expect(() => readReviewArtifact('r', bad, 7)).toThrow(
      /next: expected "merge", "correct", "escalate" or "wait"/
    )
    const other = [{ path: 'review.json', content: JSON.stringify(review) }]
    expect(() => readReviewArtifact('r', other, 9)).toThrow(/about PR #7, not PR #9/)
  })

  it('parses its own JSON and rejects unknown keys', () => {
    expect(parseReviewRecordJson(JSON.stringify(review)).ok).toBe(true)
    expect(parseReviewRecordJson(JSON.stringify({ ...review, extra: 1 })).ok).toBe(false)
  })
})

describe('ciStateOf', () => {
  const status = (context: string, state: 'success' | 'failure' | 'pending' | 'error') => ({
    context,
    state,
    description: null
  })
  const check = (status: string, conclusion: string | null) => ({ name: 'ci', status, conclusion })

  it('ignores the review status itself', () => {
    expect(
      ciStateOf(
        { statuses: [status('codex-waves/review', 'failure')], checks: [] },
        'codex-waves/review'
      )
    ).toBe('none')
  })

  it('is failure, pending, success or none from statuses and checks', () => {
    expect(ciStateOf({ statuses: [status('ci', 'error')], checks: [] }, 'x')).toBe('failure')
    expect(ciStateOf({ statuses: [], checks: [check('completed', 'timed_out')] }, 'x')).toBe(
      'failure'
    )
    expect(
      ciStateOf({ statuses: [status('ci', 'success')], checks: [check('in_progress', null)] }, 'x')
    ).toBe('pending')
    expect(
      ciStateOf(
        { statuses: [status('ci', 'success')], checks: [check('completed', 'skipped')] },
        'x'
      )
    ).toBe('success')
    expect(ciStateOf({ statuses: [], checks: [] }, 'x')).toBe('none')
  })
})

describe('parseNumstat, statusDescription, hasStatus, usageOf', () => {
  it('sums numstat lines, binary files counting as files', () => {
    expect(parseNumstat('3\t1\tsrc/a.js\n-\t-\tlogo.png\n10\t0\tdocs/b.md\n')).toEqual({
      files: 3,
      additions: 13,
      deletions: 1
    })
    expect(parseNumstat('')).toEqual({ files: 0, additions: 0, deletions: 0 })
  })

  it('keeps status descriptions to one line of at most 140 characters', () => {
    expect(statusDescription('approved:\n no findings')).toBe('approved: no findings')
    const long = statusDescription('x'.repeat(200))
    expect(long).toHaveLength(140)
    expect(long.endsWith('…')).toBe(true)
  })

  it('finds the same state and description already on the head', () => {
    const ci = {
      statuses: [
        {
          context: 'codex-waves/review',
          state: 'success' as const,
          description: 'approved: no findings'
        }
      ],
      checks: []
    }
    expect(hasStatus(ci, 'codex-waves/review', 'success', 'approved: no findings')).toBe(true)
    expect(hasStatus(ci, 'codex-waves/review', 'failure', 'approved: no findings')).toBe(false)
    expect(hasStatus(ci, 'codex-waves/review', 'success', 'approved: 1 nit; 1 deferred')).toBe(
      false
    )
    expect(hasStatus({ statuses: [], checks: [] }, 'codex-waves/review', 'success', '')).toBe(false)
  })

  it('turns a codex run into a ledger usage record', () => {
    expect(
      usageOf({
        usage: { inputTokens: 5, cachedInputTokens: 2, outputTokens: 1 },
        durationMs: 12.6
      })
    ).toEqual({ inputTokens: 5, cachedInputTokens: 2, outputTokens: 1, durationMs: 13 })
  })
})

describe('pullNumberFromEvent and defaultBranchFromEvent', () => {
  it('reads the PR of pull_request, workflow_run and workflow_dispatch events', () => {
    expect(pullNumberFromEvent({ pull_request: { number: 4 } })).toBe(4)
    expect(pullNumberFromEvent({ workflow_run: { pull_requests: [{ number: 5 }] } })).toBe(5)
    expect(pullNumberFromEvent({ inputs: { pr: '#6' } })).toBe(6)
    expect(pullNumberFromEvent({ inputs: { pr: 'six' } })).toBeNull()
    expect(pullNumberFromEvent({})).toBeNull()
    expect(pullNumberFromEvent(null)).toBeNull()
  })

  it('reads the default branch when the payload has one', () => {
    expect(defaultBranchFromEvent({ repository: { default_branch: 'trunk' } })).toBe('trunk')
    expect(defaultBranchFromEvent({})).toBeNull()
  })
})
