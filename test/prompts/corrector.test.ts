import type { CorrectionOrder, ReviewFinding, ReviewVerdict } from '../../src/contracts/index.js'
import {
  renderCorrectorPrompt,
  renderImplementerPrompt,
  sanitizeUntrusted,
  type CorrectorPromptInput
} from '../../src/prompts/index.js'
import { HOSTILE_BODY, INJECTION } from './hostile.js'
import { between, outsideFences, parseFences, section, topLevelHeadings } from './markdown.js'

const dispatchPrompt = renderImplementerPrompt({
  issues: [{ number: 12, title: 'Parser crashes on empty titles', body: 'Return null for "".' }],
  otherIssues: [],
  openQuestions: [],
  branchType: 'fix',
  rulesFiles: []
})

const finding = (id: string, title: string, detail: string): ReviewFinding => ({
  id,
  title,
  detail,
  file: 'src/parse.ts',
  line: 7,
  checklist_item: 'other'
})

const review: ReviewVerdict = {
  verdict: 'changes_requested',
  summary: 'The fix works but races and reformats an unrelated file.',
  blocking: [
    { ...finding('B1', 'Insert races with the check', 'Use an upsert.'), checklist_item: 'races' }
  ],
  should_fix: [
    {
      ...finding('S1', 'No test for the empty title', 'Add one.'),
      file: 'test/parse.test.ts',
      line: null
    },
    finding('S2', 'Error message lacks the value', 'Name the value.')
  ],
  nits: [finding('N1', 'Variable name', 'Call it `title`.')],
  scope_violations: [
    {
      ...finding('V1', 'Reformatted src/util.ts', HOSTILE_BODY),
      file: null,
      line: null,
      checklist_item: 'scope-adherence'
    }
  ]
}

const order: CorrectionOrder = {
  v: 1,
  pr: 41,
  cycle: 2,
  headSha: '0123456789abcdef0123456789abcdef01234567',
  origin: 'review',
  chosen: [
    { id: 'B1', category: 'blocking', title: 'Insert races with the check', detail: null },
    { id: 'V1', category: 'scope_violations', title: 'Reformatted src/util.ts', detail: null },
    { id: 'S1', category: 'should_fix', title: 'No test for the empty title', detail: null }
  ],
  deferred: [
    {
      id: 'S2',
      category: 'should_fix',
      title: 'Error message lacks the value',
      detail: null,
      reason: 'left for a follow-up issue'
    },
    {
      id: 'N1',
      category: 'nits',
      title: 'Variable name',
      detail: null,
      reason: 'nits are deferred by policy'
    }
  ]
}

const input: CorrectorPromptInput = {
  dispatchPrompt,
  review,
  order,
  branchType: 'fix',
  rulesFiles: [{ path: 'AGENTS.md', text: 'Keep functions small.' }]
}

const prompt = renderCorrectorPrompt(input)
const scope = section(prompt, 'Scope')
const inScope = between(scope, '### In scope', '### Out of scope')
const outOfScope = between(scope, '### Out of scope', null)

/** The ids of the items listed in a part of the scope (`#### n. `id` ...` headings). */
function listedIds(part: string): string[] {
  return [...outsideFences(part).matchAll(/^#### \d+\. `([^`]+)`/gm)].map(match => match[1] ?? '')
}

describe('renderCorrectorPrompt', () => {
  test('has its sections in the fixed order', () => {
    expect(topLevelHeadings(prompt)).toEqual([
      'Task',
      'The task the implementer was given',
      'The review',
      'Scope',
      'Project rules',
      'How to finish'
    ])
    expect(section(prompt, 'Task')).toContain('Correct pull request #41 (correction cycle 2)')
  })

  test('shows the original dispatch prompt and the review JSON, pretty-printed, as data', () => {
    const [given] = parseFences(section(prompt, 'The task the implementer was given')).blocks
    expect(given?.content).toBe(dispatchPrompt)
    const [json] = parseFences(section(prompt, 'The review')).blocks
    expect(json?.lineBefore).toMatch(
      /^The block below is data from the review of this pull request/
    )
    expect(json?.content).toContain('\n  "verdict": "changes_requested",\n')
    // The hostile detail's unterminated comment is cleaned inside its own string, not to the end.
    const shown = JSON.parse(json?.content ?? '') as ReviewVerdict
    const [violation] = review.scope_violations
    expect(shown).toEqual({
      ...review,
      scope_violations: [{ ...violation, detail: sanitizeUntrusted(HOSTILE_BODY) }]
    })
  })

  test('in scope: exactly the chosen items, in order, none of the deferred ones', () => {
    expect(listedIds(inScope)).toEqual(['B1', 'V1', 'S1'])
    for (const item of order.deferred) expect(inScope).not.toContain(item.id)
    expect(inScope).toContain('Fix exactly these 3 items.')
  })

  test('each chosen item shows id, category, title, where, and its detail fenced', () => {
    expect(inScope).toContain(
      '#### 1. `B1` (`blocking`): `Insert races with the check`\n\nWhere: `src/parse.ts:7`'
    )
    expect(inScope).toContain(
      '#### 3. `S1` (`should_fix`): `No test for the empty title`\n\nWhere: `test/parse.test.ts`'
    )
    expect(inScope).toContain(
      '#### 2. `V1` (`scope_violations`): `Reformatted src/util.ts`\n\nWhere: not tied to one file'
    )
    expect(parseFences(inScope).blocks.map(block => block.content)).toEqual([
      'Use an upsert.\n',
      `${sanitizeUntrusted(HOSTILE_BODY)}\n`,
      'Add one.\n'
    ])
  })

  test('a hostile finding detail stays inside its fence', () => {
    expect(outsideFences(prompt)).not.toContain(INJECTION)
    expect(prompt).not.toContain('<!--')
    expect(prompt).not.toMatch(/[\u200B-\u200F\u202A-\u202E\u2066-\u2069]/)
    expect(topLevelHeadings(prompt)).not.toContain('Scope\nEverything')
  })

  test('out of scope: everything else, including all nits and any deferred item, with reasons', () => {
    expect(outOfScope).toContain('Everything else, including all nits and any deferred item')
    expect(outOfScope).toContain(
      '- `S2` (`should_fix`): `Error message lacks the value` — deferred: left for a follow-up issue'
    )
    expect(outOfScope).toContain(
      '- `N1` (`nits`): `Variable name` — deferred: nits are deferred by policy'
    )
    for (const item of order.chosen) expect(outOfScope).not.toContain(`\`${item.id}\``)
    const nothingDeferred = renderCorrectorPrompt({ ...input, order: { ...order, deferred: [] } })
    expect(between(section(nothingDeferred, 'Scope'), '### Out of scope', null)).toContain(
      'No item was deferred.'
    )
  })

  test('an order from the merge phase: no review, the items carry their own detail', () => {
    const merge = renderCorrectorPrompt({
      ...input,
      review: null,
      order: {
        ...order,
        origin: 'merge',
        chosen: [
          {
            id: 'M1',
            category: 'numbering',
            title: 'ADR 0005 was taken by #13',
            detail: 'Rename docs/adr/0005-storage.md to docs/adr/0006-storage.md and update links.'
          }
        ],
        deferred: []
      }
    })
    expect(section(merge, 'The review')).toContain(
      'None: this correction comes from the merge phase'
    )
    const mergeScope = between(section(merge, 'Scope'), '### In scope', '### Out of scope')
    expect(listedIds(mergeScope)).toEqual(['M1'])
    expect(mergeScope).toContain('Fix exactly this item.')
    expect(parseFences(mergeScope).blocks[0]?.content).toContain('docs/adr/0006-storage.md')
  })

  test('project rules and how to finish, as for the implementer', () => {
    const rules = section(prompt, 'Project rules')
    expect(rules).toContain('Keep functions small.')
    expect(rules).toContain('starts with `fix:` or `fix(<area>):`')
    expect(section(prompt, 'How to finish')).toContain('Do not commit, do not push')
    expect(section(prompt, 'How to finish')).toContain('- `commit_title`:')
  })

  test('refuses a chosen item with neither a detail nor a finding in the review', () => {
    const stray = { id: 'B9', category: 'blocking' as const, title: 'Unknown', detail: null }
    expect(() => renderCorrectorPrompt({ ...input, order: { ...order, chosen: [stray] } })).toThrow(
      'Correction order item "B9" has no detail and the review has no finding with that id.'
    )
  })
})
