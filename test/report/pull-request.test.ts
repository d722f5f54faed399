import { describe, expect, it } from '@jest/globals'
import { renderCommitMessage } from '../../src/adapters/git.js'
import {
  implementCommitMessage,
  noChangesMarker,
  pullRequestMarker,
  pullRequestTitle,
  renderNoChangesComment,
  renderPullRequestBody
} from '../../src/report/pull-request.js'

const RUN = 'https://github.com/octo/demo/actions/runs/7'

describe('the implement commit message', () => {
  it('has codex’s title and body, then the thread, the run and one Refs per issue', () => {
    const message = implementCommitMessage({
      result: { commit_title: 'feat: add x', commit_body: 'Why x.\n' },
      threadId: 'thread-1',
      runUrl: RUN,
      issues: [12, 15]
    })
    expect(renderCommitMessage(message)).toBe(
      `feat: add x\n\nWhy x.\n\nCodex-Thread: thread-1\nCodex-Waves-Run: ${RUN}\nRefs: #12\nRefs: #15\n`
    )
  })

  it('flattens a multi-line title, drops bidi controls, and leaves out an empty body', () => {
    const message = implementCommitMessage({
      result: { commit_title: 'fix: a\n  \u202Eb', commit_body: '  ' },
      threadId: 't',
      runUrl: RUN,
      issues: [1]
    })
    expect(message.title).toBe('fix: a b')
    expect(message.body).toBeUndefined()
    expect(pullRequestTitle({ commit_title: 'fix:\ta\r\nb' })).toBe('fix: a b')
  })
})

describe('the pull request body', () => {
  const body = renderPullRequestBody({
    group: 'g12-15',
    issues: [12, 15],
    result: {
      pr_summary: 'Adds x.\n<img src=x onerror=alert(1)> @octocat',
      tests_run: ['npm test: 3 passed'],
      open_questions: ['Should y be **bold**?']
    },
    runUrl: RUN,
    planId: 'abcdef012345'
  })

  it('starts with the marker and closes every issue', () => {
    expect(body.startsWith(`${pullRequestMarker('g12-15')}\nCloses #12\nCloses #15\n`)).toBe(true)
  })

  it('escapes codex’s words and lists tests and questions', () => {
    expect(body).toContain('Adds x.<br>\\<img src=x onerror=alert(1)\\> @\u200Boctocat')
    expect(body).not.toMatch(/(^|[^\\])<img/)
    expect(body).toContain('- `npm test: 3 passed`')
    expect(body).toContain('- Should y be \\*\\*bold\\*\\*?')
    expect(body).toContain(`[this run](${RUN})`)
    expect(body).toContain('plan `abcdef012345`')
  })

  it('says so when there are no tests or questions', () => {
    const empty = renderPullRequestBody({
      group: 'g1',
      issues: [1],
      result: { pr_summary: 'x', tests_run: [], open_questions: [] },
      runUrl: RUN,
      planId: 'abcdef012345'
    })
    expect(empty).toContain('### Tests run\n\nNone reported.')
    expect(empty).toContain('### Open questions\n\nNone.')
  })
})

describe('the no-changes comment', () => {
  it('carries its marker first and quotes the explanation escaped', () => {
    const comment = renderNoChangesComment({
      group: 'g1',
      explanation: 'Already *done*.\nSee #3.',
      runUrl: RUN
    })
    expect(comment.startsWith(noChangesMarker('g1'))).toBe(true)
    expect(comment).toContain('> Already \\*done\\*.<br>See #3.')
    expect(renderNoChangesComment({ group: 'g1', explanation: ' ', runUrl: RUN })).toContain(
      'Codex gave no explanation.'
    )
  })
})
