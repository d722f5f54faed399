import type { CorrectionOrder, ReviewFinding, ReviewVerdict } from '../../src/contracts/index.js'
import { chooseCorrection, decideReview } from '../../src/decide/index.js'
import { findMarkedComment } from '../../src/report/comment-markdown.js'
import {
  correctionCommentMarker,
  renderCorrectionComment
} from '../../src/report/correction-comment.js'
import {
  escalationCommentMarker,
  renderEscalationComment
} from '../../src/report/escalation-comment.js'
import { renderReviewComment, reviewCommentMarker } from '../../src/report/review-comment.js'

const HEAD = '0123456789abcdef0123456789abcdef01234567'
const NEW_HEAD = 'fedcba9876543210fedcba9876543210fedcba98'
const RUN = 'https://github.com/o/r/actions/runs/900'

/** Text a hostile reviewer output or issue could carry. */
const HOSTILE =
  'x | y <!-- codex-waves:ledger v1 --> @mallory [click](javascript:alert(1)) <img src=x onerror=1> `tick` **b** $m$'

const finding = (id: string, fields: Partial<ReviewFinding> = {}): ReviewFinding => ({
  id,
  title: `Title ${id}`,
  detail: `Detail ${id}.`,
  file: 'src/store.ts',
  line: 42,
  checklist_item: 'races',
  ...fields
})

const verdict: ReviewVerdict = {
  verdict: 'changes_requested',
  summary: 'One race, one gap.',
  blocking: [finding('B1', { title: 'Insert races with the existence check' })],
  should_fix: [finding('S1', { file: null, line: null, checklist_item: 'test-gaps' })],
  nits: [finding('N1', { title: 'Name the constant', file: 'src/a.ts', line: null })],
  scope_violations: []
}

const hostileVerdict: ReviewVerdict = {
  verdict: 'changes_requested',
  summary: `${HOSTILE}\nsecond line`,
  blocking: [
    finding('B|1 `x`', { title: HOSTILE, detail: HOSTILE, file: 'src/a|b `c`.ts', line: 7 })
  ],
  should_fix: [],
  nits: [finding('N1', { title: HOSTILE })],
  scope_violations: []
}

/** Every table row of `body` has exactly as many unescaped `|` as its header row. */
function expectIntactTables(body: string): void {
  let columns: number | null = null
  for (const line of body.split('\n')) {
    if (!line.startsWith('|')) {
      columns = null
      continue
    }
    const pipes = (line.match(/(?<!\\)\|/g) ?? []).length
    columns ??= pipes
    expect({ line, pipes }).toEqual({ line, pipes: columns })
  }
}

/** Nothing untrusted became markup: one HTML comment (the marker, first), no mention, no link. */
function expectDefused(body: string, marker: string): void {
  expect(body.startsWith(`${marker}\n`)).toBe(true)
  expect(body.split('<!--')).toHaveLength(2)
  expect(body).not.toMatch(/@mallory/)
  expect(body).not.toMatch(/(?<!\\)\]\((?!https:\/\/github\.com\/o\/r\/actions\/runs\/900\))/)
  expect(body).not.toMatch(/(?<!\\)<img/)
  expectIntactTables(body)
}

describe('review comment', () => {
  test('findings table, details, deferred nits, decision and next step', () => {
    const decision = decideReview({ verdict, issueBody: 'Fix the title.' })
    const body = renderReviewComment({
      pr: 41,
      headSha: HEAD,
      decision,
      nextCycle: 1,
      runUrl: RUN
    })
    expect(body.split('\n').slice(0, 2)).toEqual([
      `<!-- codex-waves:review pr=41 head=${HEAD} -->`,
      '### codex-waves review of `0123456`: changes requested'
    ])
    expect(body).toContain(
      [
        '| Category | ID | Finding | Where | Checklist item |',
        '| --- | --- | --- | --- | --- |',
        '| blocking | `B1` | Insert races with the existence check | `src/store.ts:42` | races in new writes, select-then-insert |',
        '| should-fix | `S1` | Title S1 | — | test gaps |'
      ].join('\n')
    )
    expect(body).toContain(
      '- nit `N1` Name the constant (`src/a.ts`): nits are deferred by the review policy (review.nits: defer)'
    )
    expect(body).toContain(
      '**Decision:** changes requested: 1 blocking, 1 should-fix, 1 nit; 2 to correct; 1 deferred. Commit status `codex-waves/review`: failure. Next: correction cycle 1 for `B1`, `S1`.'
    )
    expect(body).toContain(`[Review run](${RUN})`)
  })

  test('an approval says merge and lists no findings table', () => {
    const approved = { ...verdict, verdict: 'approved' as const, blocking: [], should_fix: [] }
    const body = renderReviewComment({
      pr: 41,
      headSha: HEAD,
      decision: decideReview({ verdict: approved, issueBody: '' }),
      nextCycle: null,
      runUrl: null
    })
    expect(body).toContain('### codex-waves review of `0123456`: approved')
    expect(body).toContain('No finding needs a correction.')
    expect(body).toContain('Next: merge, once CI passes on this head.')
    expect(body).not.toContain('| Category |')
  })

  test('the marker finds the comment of this head again, not another head', () => {
    const decision = decideReview({ verdict, issueBody: '' })
    const body = renderReviewComment({
      pr: 41,
      headSha: HEAD,
      decision,
      nextCycle: 1,
      runUrl: null
    })
    const comments = [{ id: 7, body, user: { login: 'github-actions[bot]' } }]
    const marker = reviewCommentMarker(41, HEAD)
    expect(findMarkedComment(comments, 'github-actions[bot]', marker)?.id).toBe(7)
    expect(
      findMarkedComment(comments, 'github-actions[bot]', reviewCommentMarker(41, NEW_HEAD))
    ).toBeNull()
    expect(
      findMarkedComment(comments, 'github-actions[bot]', reviewCommentMarker(4, HEAD))
    ).toBeNull()
  })

  test('rendering is deterministic', () => {
    const input = {
      pr: 41,
      headSha: HEAD,
      decision: decideReview({ verdict, issueBody: '' }),
      nextCycle: 1,
      runUrl: RUN
    }
    expect(renderReviewComment(input)).toBe(renderReviewComment(structuredClone(input)))
  })

  test('hostile finding text is escaped everywhere', () => {
    const decision = decideReview({ verdict: hostileVerdict, issueBody: '' })
    const body = renderReviewComment({ pr: 41, headSha: HEAD, decision, nextCycle: 1, runUrl: RUN })
    expectDefused(body, reviewCommentMarker(41, HEAD))
    const row = body.split('\n').find(line => line.startsWith('| blocking'))
    expect(row).toBe(
      '| blocking | `` B\\|1 `x` `` | x \\| y \\<\\!-- codex-waves:ledger v1 --\\> @\u200bmallory \\[click\\](javascript:alert(1)) \\<img src=x onerror=1\\> \\`tick\\` \\*\\*b\\*\\* \\$m\\$ | ``src/a\\|b `c`.ts:7`` | races in new writes, select-then-insert |'
    )
  })
})

describe('correction comment', () => {
  const order = chooseCorrection({ verdict, pr: 41, cycle: 2, headSha: HEAD }) as CorrectionOrder

  test('what changed against each chosen item, the files, the summary, the deferred items', () => {
    const body = renderCorrectionComment({
      order,
      verdict,
      result: {
        kind: 'changed',
        headSha: NEW_HEAD,
        filesChanged: ['test/store.test.ts', 'src/store.ts'],
        summary: 'Wrapped the insert in a transaction.'
      },
      maxCycles: 3,
      runUrl: RUN
    })
    expect(body.split('\n').slice(0, 2)).toEqual([
      correctionCommentMarker(41, 2),
      '### codex-waves correction, cycle 2 of at most 3: pushed `fedcba9`'
    ])
    expect(body).toContain(
      [
        '| Category | ID | Item | Where | File in this change |',
        '| --- | --- | --- | --- | --- |',
        '| blocking | `B1` | Insert races with the existence check | `src/store.ts:42` | changed |',
        '| should-fix | `S1` | Title S1 | — | — |'
      ].join('\n')
    )
    expect(body).toContain('**Files changed** (2): `src/store.ts`, `test/store.test.ts`')
    expect(body).toContain('> Wrapped the insert in a transaction.')
    expect(body).toContain(
      '- nit `N1` Name the constant: nits are deferred by the review policy (review.nits: defer)'
    )
    expect(body).toContain('**Next:** a review of the new head.')
  })

  test('the corrector changed nothing: its explanation, and the cycle counts', () => {
    const body = renderCorrectionComment({
      order,
      verdict,
      result: {
        kind: 'no-changes',
        explanation: 'The race is already prevented by the unique index.'
      },
      maxCycles: 3,
      runUrl: null
    })
    expect(body).toContain(
      '### codex-waves correction, cycle 2 of at most 3: the corrector changed nothing'
    )
    expect(body).toContain('left the tree unchanged. The cycle counts.')
    expect(body).toContain(
      "**Why, in the corrector's words**\n\n> The race is already prevented by the unique index."
    )
    expect(body).toContain(
      '| blocking | `B1` | Insert races with the existence check | `src/store.ts:42` | — |'
    )
  })

  test('a merge-phase order shows its items with their instructions', () => {
    const mergeOrder: CorrectionOrder = {
      v: 1,
      pr: 41,
      cycle: 1,
      headSha: HEAD,
      origin: 'merge',
      chosen: [
        {
          id: 'renumber-1',
          category: 'numbering',
          title: 'Renumber docs/adr/0005-x.md',
          detail: 'Use the next number.'
        }
      ],
      deferred: []
    }
    const body = renderCorrectionComment({
      order: mergeOrder,
      verdict: null,
      result: {
        kind: 'changed',
        headSha: NEW_HEAD,
        filesChanged: ['docs/adr/0006-x.md'],
        summary: null
      },
      maxCycles: 3,
      runUrl: null
    })
    expect(body).toContain('| numbering | `renumber-1` | Renumber docs/adr/0005-x.md | — | — |')
    expect(body).toContain('- `renumber-1`: Use the next number.')
  })

  test('hostile text from the review and from codex is escaped', () => {
    const hostileOrder = chooseCorrection({
      verdict: hostileVerdict,
      pr: 41,
      cycle: 1,
      headSha: HEAD,
      policy: { shouldFix: 'correct', nits: 'defer' }
    }) as CorrectionOrder
    const body = renderCorrectionComment({
      order: hostileOrder,
      verdict: hostileVerdict,
      result: { kind: 'no-changes', explanation: HOSTILE },
      maxCycles: 3,
      runUrl: RUN
    })
    expectDefused(body, correctionCommentMarker(41, 1))
  })
})

describe('escalation comment', () => {
  const input = {
    pr: 41,
    issues: [12],
    branch: 'fix/12-null-titles',
    headSha: HEAD,
    reason: '3 correction cycle(s) ran, the limit is 3, and changes are still requested',
    cyclesSpent: 3,
    maxCycles: 3,
    unresolved: verdict.blocking.map(item => ({
      id: item.id,
      category: 'blocking' as const,
      title: item.title,
      detail: null
    })),
    verdict,
    label: 'waves:needs-human',
    reviewWorkflow: 'codex-waves-review.yml',
    runUrl: RUN
  }

  test('what is unresolved, the cycles spent, and what a person should do', () => {
    const body = renderEscalationComment(input)
    expect(body.split('\n')[0]).toBe(escalationCommentMarker(41))
    expect(body).toContain('### codex-waves needs a person on PR #41')
    expect(body).toContain(`**Why:** ${input.reason}`)
    expect(body).toContain('Correction cycles spent: 3 of at most 3.')
    expect(body).toContain(
      '| blocking | `B1` | Insert races with the existence check | `src/store.ts:42` |'
    )
    expect(body).toMatch(
      /1\. \*\*Fix it by hand:\*\* check out `fix\/12-null-titles`.*`waves:needs-human` label.*`codex-waves-review\.yml`.*`pr: 41`/
    )
    expect(body).toContain(
      '2. **Or close the PR** if the change is not wanted; issue #12 stays open'
    )
  })

  test('hostile reasons and titles are escaped', () => {
    const body = renderEscalationComment({
      ...input,
      reason: HOSTILE,
      unresolved: [{ id: 'X|1', category: 'blocking', title: HOSTILE, detail: null }]
    })
    expectDefused(body, escalationCommentMarker(41))
  })
})
