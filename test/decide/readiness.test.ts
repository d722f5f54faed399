import type { Ledger } from '../../src/contracts/index.js'
import {
  readiness,
  type CheckFact,
  type PullFacts,
  type ReadinessInput,
  type StatusFact
} from '../../src/decide/index.js'
import { createLedger, recordReview, setStatus } from '../../src/ledger/index.js'

const HEAD = 'a'.repeat(40)
const OLD = 'b'.repeat(40)
const PUSHED = '2025-01-31T12:00:00.000Z'

function approvedLedger(headSha = HEAD): Ledger {
  const ledger = createLedger({
    pr: 41,
    issues: [12],
    planId: '0123456789ab',
    group: 'g12',
    branch: 'fix/12-x',
    at: PUSHED
  })
  return recordReview(ledger, {
    headSha,
    verdict: 'approved',
    readOnly: 'passed',
    blocking: 0,
    carriedFrom: null,
    at: '2025-01-31T12:05:00.000Z'
  })
}

const pr: PullFacts = {
  number: 41,
  state: 'open',
  merged: false,
  draft: false,
  headSha: HEAD,
  mergeable: true,
  headPushedAt: PUSHED
}
const reviewOk: StatusFact = { context: 'codex-waves/review', state: 'success' }
const ciOk: CheckFact = { name: 'test', status: 'completed', conclusion: 'success' }

const ready: ReadinessInput = {
  pr,
  ledger: approvedLedger(),
  statuses: [reviewOk],
  checks: [ciOk],
  now: new Date('2025-01-31T12:30:00.000Z'),
  ciStartTimeoutMinutes: 15
}

describe('readiness', () => {
  test('an approved, green, mergeable PR is ready', () => {
    expect(readiness(ready)).toEqual({
      ready: true,
      detail:
        'PR #41 is approved for aaaaaaa, CI passed (1 check(s) and status(es)) and it merges cleanly.'
    })
  })

  test.each<[string, Partial<ReadinessInput>, string, string]>([
    ['merged', { pr: { ...pr, state: 'closed', merged: true } }, 'merged', 'skip'],
    ['closed', { pr: { ...pr, state: 'closed' } }, 'closed', 'skip'],
    ['draft', { pr: { ...pr, draft: true } }, 'draft', 'skip'],
    ['no trusted ledger', { ledger: null }, 'no-ledger', 'blocked'],
    [
      'escalated',
      { ledger: setStatus(approvedLedger(), 'escalated', 'needs a person', PUSHED) },
      'escalated',
      'blocked'
    ],
    ['head changed after approval', { ledger: approvedLedger(OLD) }, 'head-changed', 'review'],
    [
      'never reviewed',
      {
        ledger: createLedger({
          pr: 41,
          issues: [12],
          planId: '0123456789ab',
          group: 'g12',
          branch: 'fix/12-x',
          at: PUSHED
        })
      },
      'not-reviewed',
      'wait'
    ],
    [
      'changes requested on this head',
      {
        ledger: recordReview(approvedLedger(), {
          headSha: HEAD,
          verdict: 'changes_requested',
          readOnly: 'passed',
          blocking: 1,
          carriedFrom: null,
          at: '2025-01-31T12:10:00.000Z'
        })
      },
      'not-approved',
      'blocked'
    ],
    ['review status missing', { statuses: [] }, 'review-status-not-success', 'review'],
    [
      'review status failure',
      { statuses: [{ context: 'codex-waves/review', state: 'failure' }] },
      'review-status-not-success',
      'review'
    ],
    [
      'a failed check',
      { checks: [ciOk, { name: 'lint', status: 'completed', conclusion: 'failure' }] },
      'ci-failed',
      'blocked'
    ],
    [
      'a failed status',
      { statuses: [reviewOk, { context: 'ci/jenkins', state: 'error' }] },
      'ci-failed',
      'blocked'
    ],
    [
      'a check still running',
      { checks: [ciOk, { name: 'e2e', status: 'in_progress', conclusion: null }] },
      'ci-pending',
      'wait'
    ],
    [
      'a pending status',
      { statuses: [reviewOk, { context: 'ci/jenkins', state: 'pending' }] },
      'ci-pending',
      'wait'
    ],
    [
      'no CI yet, within the timeout',
      { checks: [], now: new Date('2025-01-31T12:10:00.000Z') },
      'ci-pending',
      'wait'
    ],
    ['no CI past the timeout', { checks: [] }, 'ci-not-started', 'blocked'],
    [
      'mergeability being computed',
      { pr: { ...pr, mergeable: null } },
      'mergeable-computing',
      'wait'
    ],
    ['a conflict', { pr: { ...pr, mergeable: false } }, 'conflict', 'correct']
  ])('%s', (_name, change, reason, next) => {
    const result = readiness({ ...ready, ...change })
    expect(result.ready).toBe(false)
    expect(result).toMatchObject({ reason, next })
  })

  test('CI pending says what it waits for', () => {
    const result = readiness({
      ...ready,
      checks: [{ name: 'e2e', status: 'queued', conclusion: null }]
    })
    expect(result.detail).toBe('Waiting for CI on aaaaaaa: e2e still running.')
    const notYet = readiness({ ...ready, checks: [], now: new Date('2025-01-31T12:10:00.000Z') })
    expect(notYet.detail).toBe(
      'Waiting for CI to start on aaaaaaa: nothing has reported for 10 min (the limit is 15 min).'
    )
  })

  test('CI that never started explains GITHUB_TOKEN and the GitHub App token', () => {
    const result = readiness({ ...ready, checks: [] })
    expect(result.detail).toMatch(
      /^CI never started on aaaaaaa: no check or status reported in 30 min/
    )
    expect(result.detail).toContain('made with GITHUB_TOKEN start no workflow runs')
    expect(result.detail).toContain('actions/create-github-app-token')
    expect(result.detail).toContain('github-token input')
  })

  test('the review status does not count as CI; neutral and skipped checks pass', () => {
    expect(readiness({ ...ready, checks: [] }).ready).toBe(false)
    const checks: CheckFact[] = [
      { name: 'docs', status: 'completed', conclusion: 'skipped' },
      { name: 'info', status: 'completed', conclusion: 'neutral' }
    ]
    expect(readiness({ ...ready, checks }).ready).toBe(true)
  })

  test('a carried approval (same patch after an update) makes the new head ready', () => {
    const ledger = recordReview(approvedLedger(OLD), {
      headSha: HEAD,
      verdict: 'approved',
      readOnly: 'passed',
      blocking: 0,
      carriedFrom: OLD,
      at: '2025-01-31T12:20:00.000Z'
    })
    expect(readiness({ ...ready, ledger }).ready).toBe(true)
  })

  test('a failure wins over a pending check; reasons list every name in order', () => {
    const result = readiness({
      ...ready,
      checks: [
        { name: 'zeta', status: 'completed', conclusion: 'timed_out' },
        { name: 'e2e', status: 'in_progress', conclusion: null },
        { name: 'alpha', status: 'completed', conclusion: 'cancelled' }
      ]
    })
    expect(result.detail).toBe(
      'CI failed on aaaaaaa: alpha (cancelled), zeta (timed_out). Fix the failure (or re-run the failed jobs) before merging.'
    )
  })
})
