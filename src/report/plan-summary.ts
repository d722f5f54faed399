/**
 * The plan step's words for people: the job summary (issues, findings, a mermaid graph of groups
 * and their order, how to go on) and the proposal comment on an affected issue, which carries a
 * hidden marker so a re-plan updates it instead of adding another.
 */
import type { Finding, Skip, WaveGroup, WavePlan } from '../contracts/index.js'
import type { ConfirmDecision } from '../plan/confirm.js'
import { escapeMarkdown, escapeMermaidLabel, mermaidId, tableRow } from './markdown.js'

/** What the proposal comment needs besides the plan and the issue. */
export interface PlanRenderOptions {
  /** The environment whose required reviewers approve the waiting implement jobs, if any. */
  environment?: string | null
}

function issueList(numbers: readonly number[]): string {
  return numbers.map(number => `#${number}`).join(', ')
}

/** The issue numbers the wave was asked for: the plan's issues and every skipped number. */
function requestedNumbers(plan: WavePlan): number[] {
  const numbers = new Set(plan.issues.map(issue => issue.number))
  for (const skip of plan.skips) if (skip.issue !== null) numbers.add(skip.issue)
  return [...numbers].sort((a, b) => a - b)
}

function findingCell(finding: Finding): string {
  return finding.needsDecision ? `${finding.proposal} **Needs a decision.**` : finding.proposal
}

/** An environment name as inline code; backticks and line breaks cannot be shown in one. */
function environmentCode(environment: string): string {
  return `\`${environment.replace(/[`\r\n]/g, '')}\``
}

/**
 * What to do to start a wave that waits for a person: approve the environment's waiting jobs
 * when there is one, else re-dispatch with the id. Re-dispatching while jobs wait on the
 * environment would start the wave twice, so the jobs are rejected first.
 */
function howToGoOn(plan: WavePlan, environment: string | null | undefined): string[] {
  const issues = requestedNumbers(plan).join(', ')
  const redispatch =
    `re-dispatch the workflow with \`confirm: ${plan.id}\`` +
    (issues === '' ? '.' : ` and \`issues: ${issues}\`.`)
  if (environment) {
    const name = environmentCode(environment)
    return [
      `- To start the wave as proposed, a required reviewer of the ${name} environment approves the implement jobs waiting on this run (**Review deployments** on the run's page).`,
      `- Or reject them there and ${redispatch}`,
      '- To change the plan, reject them, edit the issues (or the batch) and re-dispatch without `confirm`: a new plan gets a new id.'
    ]
  }
  return [
    `- To start the wave as proposed, ${redispatch}`,
    '- To change the plan, edit the issues (or the batch) and re-dispatch without `confirm`: a new plan gets a new id.'
  ]
}

function decisionsNeeded(plan: WavePlan): string {
  const decisions = plan.findings.filter(finding => finding.needsDecision).length
  return decisions > 0
    ? `${decisions} finding${decisions === 1 ? ' needs' : 's need'} a decision`
    : 'the configuration asks for a confirmation of every plan'
}

function statusLine(plan: WavePlan, decision: ConfirmDecision): string {
  const groups = `${plan.groups.length} group${plan.groups.length === 1 ? '' : 's'}`
  switch (decision.outcome) {
    case 'proceed':
      return plan.groups.length === 0
        ? '**Nothing to implement:** every issue of the batch is skipped.'
        : `**Starting** ${groups}. ${escapeMarkdown(decision.message, 300)}`
    case 'await-approval':
      return `**Waiting for approval:** ${decisionsNeeded(plan)}. The implement jobs of ${groups} wait until a required reviewer of the ${environmentCode(decision.environment)} environment approves them.`
    case 'halt':
      return `**Halted:** ${decisionsNeeded(plan)}. Nothing starts until the plan is confirmed.`
    case 'refused':
      return `**Refused:** ${escapeMarkdown(decision.message, 400)}`
  }
}

function skipStatus(skip: Skip): string {
  return `skipped (${skip.reason}): ${skip.detail}`
}

function issuesTable(plan: WavePlan): string[] {
  const titles = new Map(plan.issues.map(issue => [issue.number, issue.title]))
  const groupOf = new Map<number, WaveGroup>()
  for (const group of plan.groups) for (const number of group.issues) groupOf.set(number, group)
  const skipOf = new Map(plan.skips.map(skip => [skip.issue, skip]))
  const rows = requestedNumbers(plan).map(number => {
    const title = titles.get(number)
    const group = groupOf.get(number)
    const skip = skipOf.get(number)
    return tableRow([
      `#${number}`,
      title === undefined ? '—' : escapeMarkdown(title),
      group === undefined ? '—' : `\`${group.id}\``,
      skip === undefined ? 'planned' : skipStatus(skip)
    ])
  })
  const badNumbers = plan.skips
    .filter(skip => skip.issue === null)
    .map(skip => tableRow(['—', '—', '—', skipStatus(skip)]))
  return ['| Issue | Title | Group | Status |', '|---|---|---|---|', ...rows, ...badNumbers]
}

function findingsTable(findings: readonly Finding[], withIssues: boolean): string[] {
  const header = withIssues
    ? ['| Finding | Kind | Issues | Evidence | Proposal |', '|---|---|---|---|---|']
    : ['| Finding | Kind | Evidence | Proposal |', '|---|---|---|---|']
  return [
    ...header,
    ...findings.map(finding =>
      tableRow([
        finding.id,
        finding.kind,
        ...(withIssues ? [issueList(finding.issues)] : []),
        finding.evidence.join('<br>'),
        findingCell(finding)
      ])
    )
  ]
}

/**
 * The plan as a mermaid graph: a node per group (its id and title), an arrow per sequence edge,
 * and skipped issues as dashed grey nodes, an umbrella pointing at the group it proposes.
 */
export function planGraph(plan: WavePlan): string[] {
  const lines = ['```mermaid', 'graph TD']
  const nodeOf = new Map<number, string>()
  for (const group of plan.groups) {
    const node = mermaidId('g_', group.id)
    for (const number of group.issues) nodeOf.set(number, node)
    const label = `${group.id}: ${issueList(group.issues)} ${group.title}`
    lines.push(`  ${node}["${escapeMermaidLabel(label, 80)}"]`)
  }
  for (const edge of plan.sequence) {
    lines.push(`  ${mermaidId('g_', edge.before)} --> ${mermaidId('g_', edge.after)}`)
  }
  const titles = new Map(plan.issues.map(issue => [issue.number, issue.title]))
  const skipped = plan.skips.filter(skip => skip.issue !== null)
  for (const skip of skipped) {
    const number = skip.issue as number
    const node = mermaidId('s_', String(number))
    const title = titles.get(number)
    const label = `#${number}${title === undefined ? '' : ` ${title}`} (${skip.reason})`
    lines.push(`  ${node}["${escapeMermaidLabel(label, 80)}"]:::skipped`)
    const proposed = plan.findings
      .find(finding => finding.kind === 'umbrella' && finding.issues.includes(number))
      ?.issues.find(other => other !== number)
    const target = proposed === undefined ? undefined : nodeOf.get(proposed)
    if (target !== undefined) lines.push(`  ${node} -.-> ${target}`)
  }
  if (skipped.length > 0) {
    lines.push('  classDef skipped fill:#f4f4f4,stroke:#999,stroke-dasharray:4 4,color:#666')
  }
  lines.push('```')
  return lines
}

function sequenceTable(plan: WavePlan): string[] {
  return [
    '| Before | After | Why |',
    '|---|---|---|',
    ...plan.sequence.map(edge => tableRow([`\`${edge.before}\``, `\`${edge.after}\``, edge.reason]))
  ]
}

/**
 * The job summary of the plan step: status, the issues (number, title, group, status or skip
 * reason), the findings (kind, issues, evidence, proposal), the groups and their order as a
 * mermaid graph, the open questions the plan settled, and, when the wave waits for a person
 * (halted, or its jobs waiting for an environment's approval), how to go on.
 */
export function renderPlanSummary(plan: WavePlan, decision: ConfirmDecision): string {
  const sections: string[][] = [
    [`## Wave plan \`${plan.id}\``, '', statusLine(plan, decision)],
    ['### Issues', '', ...issuesTable(plan)]
  ]
  sections.push(
    plan.findings.length === 0
      ? ['### Findings', '', 'No conflicts between these issues.']
      : ['### Findings', '', ...findingsTable(plan.findings, true)]
  )
  if (plan.groups.length > 0 || plan.skips.length > 0) {
    const order = plan.sequence.length > 0 ? ['', ...sequenceTable(plan)] : []
    sections.push(['### Groups and order', '', ...planGraph(plan), ...order])
  }
  const questions = plan.groups.flatMap(group =>
    group.openQuestions.map(q =>
      tableRow([`\`${group.id}\``, q.question, q.resolution ?? 'left to the implementer'])
    )
  )
  if (questions.length > 0) {
    sections.push([
      '### Settled up front',
      '',
      '| Group | Question | Answer |',
      '|---|---|---|',
      ...questions
    ])
  }
  if (decision.outcome !== 'proceed') {
    const environment = decision.outcome === 'await-approval' ? decision.environment : null
    sections.push(['### How to go on', '', ...howToGoOn(plan, environment)])
  }
  return `${sections.map(section => section.join('\n')).join('\n\n')}\n`
}

const MARKER = /<!-- codex-waves:plan-proposal issue=(\d+) plan=([0-9a-f]{12}) -->/

/** The hidden marker that identifies the proposal comment on an issue, for any plan. */
export function proposalMarker(issue: number, planId: string): string {
  return `<!-- codex-waves:plan-proposal issue=${issue} plan=${planId} -->`
}

/**
 * What the proposal comment on an issue carries whatever the plan: the start of its
 * {@link proposalMarker}. Find and update the comment by this key, so a re-plan with a new id
 * updates the comment instead of adding another.
 */
export function proposalCommentKey(issue: number): string {
  return `<!-- codex-waves:plan-proposal issue=${issue} plan=`
}

/**
 * Reads the marker of a proposal comment: the issue and the plan it was written for, or null
 * when the comment has none. Find the comment by issue (any plan) and update it on a re-plan.
 */
export function parseProposalMarker(body: string): { issue: number; planId: string } | null {
  const match = MARKER.exec(body)
  if (match === null) return null
  return { issue: Number(match[1]), planId: match[2] as string }
}

/**
 * The issues a halted plan comments on: those of the findings that need a decision, or, when
 * none does (config `confirm: always`), every issue of every group. Sorted.
 */
export function proposalIssues(plan: WavePlan): number[] {
  const deciding = plan.findings.filter(finding => finding.needsDecision)
  const numbers = new Set(
    deciding.length > 0
      ? deciding.flatMap(finding => finding.issues)
      : plan.groups.flatMap(group => group.issues)
  )
  const known = new Set(plan.issues.map(issue => issue.number))
  return [...numbers].filter(number => known.has(number)).sort((a, b) => a - b)
}

function placeOf(plan: WavePlan, issue: number): string {
  const group = plan.groups.find(candidate => candidate.issues.includes(issue))
  if (group !== undefined) {
    const others = group.issues.filter(number => number !== issue)
    const withOthers = others.length > 0 ? `, together with ${issueList(others)}` : ''
    const before = plan.sequence.filter(edge => edge.after === group.id).map(edge => edge.before)
    const after =
      before.length > 0 ? ` It waits for ${before.map(id => `\`${id}\``).join(', ')}.` : ''
    return `This issue is planned in group \`${group.id}\` (branch type \`${group.branchType}\`${withOthers}).${after}`
  }
  const skip = plan.skips.find(candidate => candidate.issue === issue)
  return skip === undefined
    ? 'This issue is not part of the plan.'
    : `This issue is skipped (${skip.reason}): ${skip.detail}`
}

/**
 * The proposal comment for one affected issue of a plan that waits for a person: where the issue
 * stands, the findings about it, what the plan settled for its group, and how to go on (approve
 * the jobs waiting on `options.environment` when set, else re-dispatch with the id); it starts
 * with {@link proposalMarker}.
 */
export function renderProposalComment(
  plan: WavePlan,
  issue: number,
  options: PlanRenderOptions = {}
): string {
  const findings = plan.findings.filter(finding => finding.issues.includes(issue))
  const group = plan.groups.find(candidate => candidate.issues.includes(issue))
  const lines = [
    proposalMarker(issue, plan.id),
    `### Wave plan \`${plan.id}\`: a proposal that needs a confirmation`,
    '',
    placeOf(plan, issue)
  ]
  if (findings.length > 0) lines.push('', ...findingsTable(findings, false))
  const questions = group?.openQuestions ?? []
  if (questions.length > 0) {
    lines.push('', '**Settled up front:**')
    for (const q of questions)
      lines.push(`- ${q.question} ${q.resolution ?? 'Left to the implementer.'}`)
  }
  lines.push('', '**How to go on**', '', ...howToGoOn(plan, options.environment))
  return `${lines.join('\n')}\n`
}
