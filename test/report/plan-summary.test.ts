import { sealPlan, type WavePlan } from '../../src/contracts/index.js'
import { confirmPlan } from '../../src/plan/index.js'
import { escapeMarkdown, escapeMermaidLabel, tableRow } from '../../src/report/markdown.js'
import {
  parseProposalMarker,
  planGraph,
  proposalIssues,
  proposalMarker,
  renderPlanSummary,
  renderProposalComment
} from '../../src/report/plan-summary.js'

const hostileTitle =
  'Crash | in `parse` <script>alert(1)</script> [x](http://evil) @octocat "quoted"\nnext'

function plan(overrides: Partial<WavePlan> = {}): WavePlan {
  return sealPlan({
    v: 1,
    issues: [
      { number: 12, title: hostileTitle, labels: ['bug'], state: 'open' },
      { number: 15, title: 'Extend the cache', labels: [], state: 'open' },
      { number: 9, title: 'Old', labels: [], state: 'closed' },
      { number: 20, title: 'Epic', labels: [], state: 'open' }
    ],
    groups: [
      { id: 'g12', issues: [12], branchType: 'fix', title: hostileTitle, openQuestions: [] },
      {
        id: 'g15',
        issues: [15],
        branchType: 'feat',
        title: 'Extend the cache',
        openQuestions: [
          {
            question: 'Which number does the new file under `docs/adr/*.md` take?',
            resolution: '0006.'
          }
        ]
      }
    ],
    sequence: [
      { before: 'g15', after: 'g12', reason: '#12 removes what #15 builds on (`Cache`).' }
    ],
    skips: [
      { issue: 9, reason: 'closed', detail: '#9 is closed.' },
      { issue: 20, reason: 'umbrella', detail: '#20 tracks other issues; proposed instead: #15.' },
      {
        issue: 31,
        reason: 'missing',
        detail: '#31 does not exist in acme/shop, or the token cannot see it.'
      }
    ],
    findings: [
      {
        id: 'f1',
        kind: 'semantic-overlap',
        issues: [12, 15],
        paths: [],
        evidence: ['#12 says "Remove" about `Cache`.', '#15 says "Extend" about `Cache`.'],
        proposal: 'Do #15 first, then #12. Confirm the order.',
        needsDecision: true
      },
      {
        id: 'f2',
        kind: 'umbrella',
        issues: [15, 20],
        paths: [],
        evidence: ['#20 has sub-issues: #15.'],
        proposal: 'Skip #20, an umbrella; its first unblocked issue, #15, is in this wave already.',
        needsDecision: false
      }
    ],
    needsConfirmation: true,
    ...overrides
  })
}

describe('escaping', () => {
  test('untrusted text cannot open code, links or HTML, nor mention anyone', () => {
    expect(escapeMarkdown(hostileTitle)).toBe(
      'Crash | in \\`parse\\` \\<script\\>alert(1)\\</script\\> \\[x\\](http://evil) @\u200boctocat "quoted" next'
    )
  })

  test('a table row escapes every pipe and line break, so cells stay put', () => {
    expect(tableRow(['a|b', 'c\nd'])).toBe('| a\\|b | c d |')
  })

  test('mermaid labels turn quotes, brackets, backticks and # into entity codes', () => {
    expect(escapeMermaidLabel('say "hi" [now] `x` #1 <b>;')).toBe(
      'say #34;hi#34; #91;now#93; #96;x#96; #35;1 #60;b#62;#59;'
    )
  })

  test('long titles are cut', () => {
    expect(escapeMarkdown('x'.repeat(300), 10)).toBe(`${'x'.repeat(9)}…`)
  })
})

describe('renderPlanSummary', () => {
  const halted = plan()
  const summary = renderPlanSummary(halted, confirmPlan(halted, null))

  test('lists every issue with its title, group and status, hostile titles escaped', () => {
    expect(summary).toContain(
      '| #12 | Crash \\| in \\`parse\\` \\<script\\>alert(1)\\</script\\> \\[x\\](http://evil) @\u200boctocat "quoted" next | `g12` | planned |'
    )
    expect(summary).toContain('| #9 | Old | — | skipped (closed): #9 is closed. |')
    expect(summary).toContain(
      '| #31 | — | — | skipped (missing): #31 does not exist in acme/shop, or the token cannot see it. |'
    )
    expect(summary).not.toContain('<script>')
  })

  test('tables the findings with their evidence and proposal', () => {
    expect(summary).toContain(
      '| f1 | semantic-overlap | #12, #15 | #12 says "Remove" about `Cache`.<br>#15 says "Extend" about `Cache`. | Do #15 first, then #12. Confirm the order. **Needs a decision.** |'
    )
  })

  test('draws groups, the sequence and skipped issues apart', () => {
    const graph = planGraph(halted).join('\n')
    expect(graph).toContain('```mermaid\ngraph TD')
    expect(graph).toContain('  g_g15 --> g_g12')
    expect(graph).toContain('  s_9["#35;9 Old #40;closed#41;"]:::skipped')
    expect(graph).toContain('  s_20 -.-> g_g15')
    expect(graph).toContain('classDef skipped')
    expect(graph).toContain('  s_31["#35;31 #40;missing#41;"]:::skipped')
    const labels = graph.split('\n').filter(line => line.includes('["'))
    for (const line of labels)
      expect(line).toMatch(/^ {2}[a-z_0-9]+\["[^"`<>[\]]*"\](?::::skipped)?$/)
    expect(graph.split('```')).toHaveLength(3)
  })

  test('when halted, says to re-dispatch with the plan id, and nothing of an environment', () => {
    expect(summary).toContain('**Halted:** 1 finding needs a decision.')
    expect(summary).toContain(
      `- To start the wave as proposed, re-dispatch the workflow with \`confirm: ${halted.id}\` and \`issues: 9, 12, 15, 20, 31\`.`
    )
    expect(summary).not.toContain('environment')
  })

  test('when the jobs wait for an environment, says to approve them there, or reject and re-dispatch', () => {
    const waiting = renderPlanSummary(
      halted,
      confirmPlan(halted, null, { environment: 'waves`-go\n' })
    )
    expect(waiting).toContain(
      '**Waiting for approval:** 1 finding needs a decision. The implement jobs of 2 groups wait until a required reviewer of the `waves-go` environment approves them.'
    )
    expect(waiting).not.toContain('**Halted:**')
    expect(waiting).toContain(
      '- To start the wave as proposed, a required reviewer of the `waves-go` environment approves the implement jobs waiting on this run'
    )
    expect(waiting).toContain(
      `- Or reject them there and re-dispatch the workflow with \`confirm: ${halted.id}\` and \`issues: 9, 12, 15, 20, 31\`.`
    )
  })

  test('when refused, shows the refusal; when proceeding, no instructions', () => {
    const refused = renderPlanSummary(halted, confirmPlan(halted, '0123456789ab'))
    expect(refused).toContain(`**Refused:** Input 'confirm': plan '0123456789ab' no longer matches`)
    const going = renderPlanSummary(halted, confirmPlan(halted, halted.id))
    expect(going).toContain('**Starting** 2 groups.')
    expect(going).not.toContain('### How to go on')
  })

  test('shows what the plan settled up front', () => {
    expect(summary).toContain(
      '| `g15` | Which number does the new file under `docs/adr/*.md` take? | 0006. |'
    )
  })
})

describe('the proposal comment', () => {
  const halted = plan()

  test('starts with a marker naming the issue and the plan, which reads back', () => {
    const body = renderProposalComment(halted, 15)
    expect(body.startsWith(`${proposalMarker(15, halted.id)}\n`)).toBe(true)
    expect(parseProposalMarker(`hello\n${body}`)).toEqual({ issue: 15, planId: halted.id })
    expect(parseProposalMarker('<!-- codex-waves:plan-proposal issue=15 -->')).toBeNull()
  })

  test('says where the issue stands, its findings, what was settled and how to go on', () => {
    const body = renderProposalComment(halted, 12, { environment: 'waves-go' })
    expect(body).toContain(
      'This issue is planned in group `g12` (branch type `fix`). It waits for `g15`.'
    )
    expect(body).toContain('| f1 | semantic-overlap |')
    expect(body).not.toContain('| f2 |')
    expect(body).toContain(`\`confirm: ${halted.id}\``)
    expect(body).toContain(
      'a required reviewer of the `waves-go` environment approves the implement jobs waiting on this run'
    )
    expect(renderProposalComment(halted, 12)).not.toContain('environment')
    expect(renderProposalComment(halted, 15)).toContain(
      '- Which number does the new file under `docs/adr/*.md` take? 0006.'
    )
  })

  test('goes to the issues of the findings that need a decision, else to every planned one', () => {
    expect(proposalIssues(halted)).toEqual([12, 15])
    const calm = plan({
      findings: [],
      needsConfirmation: true
    })
    expect(proposalIssues(calm)).toEqual([12, 15])
    const umbrellaOnly = plan({ findings: [halted.findings[1]!], groups: [], sequence: [] })
    expect(proposalIssues(umbrellaOnly)).toEqual([])
  })
})
