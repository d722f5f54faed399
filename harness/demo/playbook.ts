/**
 * The offline demo's wave, as data: the issues the demo opens on top of the sample repository's
 * own, and what the scripted model answers for each issue in each role. Every answer is keyed by
 * the issue titles a prompt is about and by the role its `## Task` line names, so concurrent codex
 * runs get the right answer whatever order their requests arrive in.
 *
 * The wave: #1 (empty mean) and #5 (median) both change `src/numbers.js`, so the plan sequences
 * them; #6 is an umbrella over them and is skipped; #2 (truncate) is approved after one correction
 * (its first version forgets the export the issue asks for); #3 (an ADR) is approved at once; on
 * #4 (a migration) codex fails, to show how a failure is reported.
 */
import type { ImplementerResult, ReviewVerdict } from '../../src/contracts/index.js'

/** One tool call of a scripted codex turn: a patch in codex's `apply_patch` format, or a command. */
export type PlayCall = { patch: string } | { command: string }

/** A codex run that edits the work tree, then ends with its JSON result. */
export interface EditingRun {
  calls: PlayCall[]
  result: ImplementerResult
}

/** A codex run whose model call fails with an HTTP error, so codex exits with an error. */
export interface FailingRun {
  fail: { status: number; message: string }
}

/** One reviewer answer; the first whose condition holds is played. */
export interface ReviewPlay {
  /** Played only when the prompt (which holds the diff under review) lacks this text. */
  whenPromptLacks?: string
  calls: PlayCall[]
  verdict: ReviewVerdict
}

/** What the scripted model does for one issue (or the issues combined on one branch). */
export interface PlaybookEntry {
  /** The titles of the issues the run is about, as the prompts' `## Issue #N: <title>` show them. */
  titles: string[]
  implementer: EditingRun | FailingRun
  reviewer: ReviewPlay[]
  corrector?: EditingRun
}

/** An issue the demo opens in the sample repository, after the four it is seeded with. */
export interface DemoIssue {
  title: string
  body: string
  labels: string[]
}

/** The issues the demo adds to the sample repository (they become #5 and #6). */
export const DEMO_EXTRA_ISSUES: readonly DemoIssue[] = [
  {
    title: 'Add a median helper',
    body: 'Add `median(values)` to `src/numbers.js` next to `mean`, export it from `src/index.js` and test it in `test/numbers.test.js`.',
    labels: ['enhancement']
  },
  {
    title: 'Numbers helpers for 1.1',
    body: 'Everything the 1.1 release needs in `src/numbers.js`:\n\n- [ ] #1\n- [ ] #5\n',
    labels: ['enhancement']
  }
]

/** The demo's wave: every issue of the sample repository and the two the demo adds. */
export const DEMO_WAVE: readonly number[] = [1, 2, 3, 4, 5, 6]

const RUN_TESTS: PlayCall = { command: 'node --test' }
const SHOW_DIFF: PlayCall = { command: 'git diff --stat HEAD~1' }

function approval(summary: string): ReviewVerdict {
  return {
    verdict: 'approved',
    summary,
    blocking: [],
    should_fix: [],
    nits: [],
    scope_violations: []
  }
}

function done(commitTitle: string, summary: string, questions: string[] = []): ImplementerResult {
  return {
    status: 'done',
    commit_title: commitTitle,
    commit_body: '',
    pr_summary: summary,
    tests_run: ['node --test: all tests pass'],
    open_questions: questions
  }
}

const emptyMean: PlaybookEntry = {
  titles: ['mean() of an empty list returns NaN'],
  implementer: {
    calls: [
      {
        patch: `*** Begin Patch
*** Update File: src/numbers.js
@@
 /** The arithmetic mean of a list of numbers. */
 export function mean(values) {
+  if (values.length === 0) return 0
   return sum(values) / values.length
 }
*** Update File: test/numbers.test.js
@@
 test('mean divides the sum by the count', () => {
   assert.equal(mean([2, 4]), 3)
 })
+
+test('mean of an empty list is 0', () => {
+  assert.equal(mean([]), 0)
+})
*** End Patch`
      },
      RUN_TESTS
    ],
    result: done(
      'fix(numbers): mean of an empty list is 0',
      '`mean([])` returned `NaN` (0 / 0); it now returns `0`, with a test.'
    )
  },
  reviewer: [
    {
      calls: [SHOW_DIFF],
      verdict: approval('The empty case returns 0 as the issue asks, and a test covers it.')
    }
  ]
}

const truncate: PlaybookEntry = {
  titles: ['Add a truncate helper'],
  implementer: {
    calls: [
      {
        patch: `*** Begin Patch
*** Update File: src/strings.js
@@
 /** The text with its first letter in upper case. */
 export function capitalize(text) {
   return text.charAt(0).toUpperCase() + text.slice(1)
 }
+
+/** The text cut to \`max\` characters, ending with "…" when it was cut. */
+export function truncate(text, max) {
+  return text.length <= max ? text : \`\${text.slice(0, max - 1)}…\`
+}
*** Add File: test/truncate.test.js
+import { test } from 'node:test'
+import assert from 'node:assert/strict'
+import { truncate } from '../src/strings.js'
+
+test('truncate keeps text that fits', () => {
+  assert.equal(truncate('tiny', 10), 'tiny')
+})
+
+test('truncate cuts long text and ends it with an ellipsis', () => {
+  assert.equal(truncate('tiny library', 5), 'tiny…')
+})
*** End Patch`
      },
      RUN_TESTS
    ],
    result: done(
      'feat(strings): add truncate',
      'Adds `truncate(text, max)` to `src/strings.js`: text longer than `max` is cut and ends with `…`. Tested in `test/truncate.test.js`.'
    )
  },
  reviewer: [
    {
      whenPromptLacks: "capitalize, truncate } from './strings.js'",
      calls: [SHOW_DIFF],
      verdict: {
        verdict: 'changes_requested',
        summary:
          '`truncate` works and is tested, but the issue also asks to export it from `src/index.js`.',
        blocking: [
          {
            id: 'B1',
            title: '`truncate` is not exported from `src/index.js`',
            detail:
              'The issue says "Export it from `src/index.js`". Users import the library from its index, so without the export the helper cannot be used.',
            file: 'src/index.js',
            line: 1,
            checklist_item: 'scope-adherence'
          }
        ],
        should_fix: [],
        nits: [],
        scope_violations: []
      }
    },
    {
      calls: [SHOW_DIFF],
      verdict: approval('`truncate` is implemented, tested and exported from `src/index.js`.')
    }
  ],
  corrector: {
    calls: [
      {
        patch: `*** Begin Patch
*** Update File: src/index.js
@@
-export { slugify, capitalize } from './strings.js'
+export { slugify, capitalize, truncate } from './strings.js'
*** End Patch`
      },
      RUN_TESTS
    ],
    result: done(
      'feat(strings): export truncate from the index',
      'Exports `truncate` from `src/index.js`, as the review asked (B1).'
    )
  }
}

const adr: PlaybookEntry = {
  titles: ['Record the zero-dependency decision'],
  implementer: {
    calls: [
      {
        patch: `*** Begin Patch
*** Add File: docs/adr/0002-no-runtime-dependencies.md
+# 2. No runtime dependencies
+
+Date: 2024-02-01
+
+## Status
+
+Accepted
+
+## Context
+
+tiny-lib is a handful of small helpers. Every dependency would outweigh the code it serves and
+bring its own updates and advisories to every user.
+
+## Decision
+
+The library has no runtime dependencies; tests use only \`node:test\` and \`node:assert\`.
+
+## Consequences
+
+Helpers are written here, small and tested. A helper that needs a dependency belongs elsewhere.
*** End Patch`
      }
    ],
    result: {
      ...done(
        'docs(adr): record the zero-dependency decision',
        'Adds ADR 0002, which records why tiny-lib has no runtime dependencies.'
      ),
      tests_run: ['none: the change is documentation only']
    }
  },
  reviewer: [
    {
      calls: [SHOW_DIFF],
      verdict: approval('ADR 0002 takes the next free number and follows the format of ADR 0001.')
    }
  ]
}

const migration: PlaybookEntry = {
  titles: ['Add an email column to users'],
  implementer: {
    fail: {
      status: 400,
      message:
        'the demo playbook fails this run on purpose, to show how the wave reports a failed codex run'
    }
  },
  reviewer: []
}

const median: PlaybookEntry = {
  titles: ['Add a median helper'],
  implementer: {
    calls: [
      {
        patch: `*** Begin Patch
*** Update File: src/numbers.js
@@
   return sum(values) / values.length
 }
+
+/** The middle value of a list of numbers (the mean of the two middle ones for an even count). */
+export function median(values) {
+  if (values.length === 0) return 0
+  const sorted = [...values].sort((a, b) => a - b)
+  const middle = Math.floor(sorted.length / 2)
+  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
+}
*** Update File: src/index.js
@@
-export { sum, mean } from './numbers.js'
+export { sum, mean, median } from './numbers.js'
*** Add File: test/median.test.js
+import { test } from 'node:test'
+import assert from 'node:assert/strict'
+import { median } from '../src/numbers.js'
+
+test('median of an odd count is the middle value', () => {
+  assert.equal(median([3, 1, 2]), 2)
+})
+
+test('median of an even count is the mean of the middle values', () => {
+  assert.equal(median([4, 1, 3, 2]), 2.5)
+})
*** End Patch`
      },
      RUN_TESTS
    ],
    result: done(
      'feat(numbers): add median',
      'Adds `median(values)` next to `mean`, exported from `src/index.js`, with tests.',
      [
        'The issue names `test/numbers.test.js`; the tests went to `test/median.test.js`, one file per helper like `truncate`.'
      ]
    )
  },
  reviewer: [
    {
      calls: [SHOW_DIFF],
      verdict: approval('`median` handles odd and even counts, is exported and tested.')
    }
  ]
}

/** The demo's playbook, one entry per branch of the wave. */
export const DEMO_PLAYBOOK: readonly PlaybookEntry[] = [emptyMean, truncate, adr, migration, median]
