/**
 * The triage of a batch: skips, findings, groups and their order, from the facts alone. The same
 * facts always give the same plan, in the same order, so its id is stable.
 */
import type {
  BranchType,
  Finding,
  FindingKind,
  OpenQuestion,
  PlanIssue,
  Skip,
  WaveGroup,
  WavePlanContent
} from '../contracts/index.js'
import type { InFlightBranch, InFlightPull, IssueFacts, PlanConfig, PlanFacts } from './facts.js'
import { addsNumberedFile, assignNumbers, inFlightNumbers } from './numbering.js'
import { definingFiles, profileIssue, type IssueProfile } from './profile.js'
import { SequenceBuilder } from './sequence.js'

/** The most issues combined into one branch. */
export const MAX_GROUP_SIZE = 5

const KIND_ORDER: FindingKind[] = [
  'umbrella',
  'semantic-overlap',
  'shared-numbering',
  'same-region',
  'trivial-siblings'
]

/** A finding whose proposal is written once the order between groups is settled. */
interface DraftFinding {
  kind: FindingKind
  issues: number[]
  paths: string[]
  evidence: string[]
  proposal: () => string
  needsDecision: boolean
}

/** The state the steps of the triage share. */
interface Triage {
  facts: PlanFacts
  config: PlanConfig
  known: Map<number, IssueFacts>
  inFlightFor: Map<number, InFlightPull>
  /** Issues in flight on a pipeline branch that has no open pull request. */
  branchFor: Map<number, InFlightBranch>
  skips: Skip[]
  findings: DraftFinding[]
  sequence: SequenceBuilder
  groupOf: Map<number, string>
  questions: Map<number, OpenQuestion[]>
}

const byNumber = (a: number, b: number) => a - b

function issueList(numbers: readonly number[]): string {
  return numbers.map(number => `#${number}`).join(', ')
}

/** Backticks cannot be escaped inside a code span, so names from outside lose theirs. */
function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``
}

function pullLabel(pull: InFlightPull): string {
  return `PR #${pull.number} (${code(pull.headBranch)})`
}

/** Work of the pipeline in flight, a pull request or a bare branch, as findings name it. */
interface InFlightWork {
  closes: readonly number[]
  changedPaths: readonly string[]
  /** Evidence's subject: `Open pipeline PR #3 (...)`. */
  label: string
  /** When the issue could start without overlapping it: `PR #3 merges`. */
  until: string
}

function inFlightWork(facts: PlanFacts): InFlightWork[] {
  return [
    ...facts.inFlight.map(pull => ({
      closes: pull.closes,
      changedPaths: pull.changedPaths,
      label: `Open pipeline ${pullLabel(pull)}`,
      until: `PR #${pull.number} merges`
    })),
    ...(facts.inFlightBranches ?? []).map(branch => ({
      closes: [branch.issue],
      changedPaths: branch.changedPaths,
      label: `Pipeline branch ${code(branch.branch)} (no open pull request)`,
      until: `branch ${code(branch.branch)} is merged or deleted`
    }))
  ]
}

/** Why a requested issue gets no branch before any triage, or null when it is a candidate. */
function basicSkip(number: number, triage: Triage): Skip | null {
  const issue = triage.known.get(number)
  if (issue === undefined) {
    return {
      issue: number,
      reason: 'missing',
      detail: `#${number} does not exist in ${triage.facts.repo}, or the token cannot see it.`
    }
  }
  if (issue.isPullRequest) {
    return {
      issue: number,
      reason: 'pull-request',
      detail: `#${number} is a pull request, not an issue.`
    }
  }
  if (issue.state === 'closed') {
    return { issue: number, reason: 'closed', detail: `#${number} is closed.` }
  }
  if (issue.locked) {
    return {
      issue: number,
      reason: 'locked',
      detail: `#${number} is locked, so the pipeline cannot comment on it; unlock it to include it.`
    }
  }
  const pull = triage.inFlightFor.get(number)
  if (pull !== undefined) {
    return {
      issue: number,
      reason: 'in-flight',
      detail: `#${number} already has an open pipeline pull request: ${pullLabel(pull)}.`
    }
  }
  const branch = triage.branchFor.get(number)
  if (branch !== undefined) {
    return {
      issue: number,
      reason: 'in-flight',
      detail: `#${number} already has a pipeline branch without an open pull request: ${code(branch.branch)}. Open a pull request from it with the pipeline's label, or delete it to plan #${number} afresh.`
    }
  }
  return null
}

/** Why an issue cannot be started now, or null when it can. */
function blockedBecause(number: number, triage: Triage): string | null {
  const issue = triage.known.get(number)
  if (issue === undefined) return `#${number} is unknown`
  if (issue.isPullRequest) return `#${number} is a pull request`
  if (issue.state === 'closed') return `#${number} is closed`
  if (issue.locked) return `#${number} is locked`
  const pull = triage.inFlightFor.get(number)
  if (pull !== undefined) return `#${number} is in flight in PR #${pull.number}`
  const branch = triage.branchFor.get(number)
  if (branch !== undefined) return `#${number} is in flight on branch ${code(branch.branch)}`
  return null
}

/** The first of `numbers` that can start now, and why each one before it cannot. */
function firstUnblocked(
  numbers: readonly number[],
  triage: Triage
): { first: number | null; blocked: string[] } {
  const blocked: string[] = []
  for (const number of numbers) {
    const reason = blockedBecause(number, triage)
    if (reason === null) return { first: number, blocked }
    blocked.push(reason)
  }
  return { first: null, blocked }
}

function umbrellaProposal(umbrella: number, first: number | null, inWave: Set<number>): string {
  if (first === null) {
    return `Skip #${umbrella}, an umbrella: none of its issues can start now (all checked, closed, in flight or unknown).`
  }
  if (inWave.has(first)) {
    return `Skip #${umbrella}, an umbrella; its first unblocked issue, #${first}, is in this wave already.`
  }
  return `Skip #${umbrella}, an umbrella, and start with its first unblocked issue, #${first} (dispatch it with issues: ${first}).`
}

/**
 * Skips an umbrella (a task list of issues, or sub-issues) and proposes its first unblocked issue
 * instead; false when the issue is no umbrella.
 */
function triageUmbrella(profile: IssueProfile, triage: Triage, inWave: Set<number>): boolean {
  const { issue, taskRefs } = profile
  if (taskRefs.length === 0 && issue.subIssues.length === 0) return false
  const evidence: string[] = []
  if (taskRefs.length > 0) {
    const items = taskRefs.map(ref => `#${ref.number}${ref.done ? ' (checked)' : ''}`)
    evidence.push(`#${issue.number} has a task list of issues: ${items.join(', ')}.`)
  }
  if (issue.subIssues.length > 0) {
    evidence.push(`#${issue.number} has sub-issues: ${issueList(issue.subIssues)}.`)
  }
  const open = [...taskRefs.filter(ref => !ref.done).map(ref => ref.number), ...issue.subIssues]
  const { first, blocked } = firstUnblocked(
    [...new Set(open)].filter(number => number !== issue.number),
    triage
  )
  if (blocked.length > 0) evidence.push(`Blocked: ${blocked.join('; ')}.`)
  triage.skips.push({
    issue: issue.number,
    reason: 'umbrella',
    detail:
      first === null
        ? `#${issue.number} tracks other issues, none of which can start now.`
        : `#${issue.number} tracks other issues; proposed instead: #${first}.`
  })
  const proposal = umbrellaProposal(issue.number, first, inWave)
  triage.findings.push({
    kind: 'umbrella',
    issues: first === null ? [issue.number] : [issue.number, first].sort(byNumber),
    paths: [],
    evidence,
    proposal: () => proposal,
    needsDecision: false
  })
  return true
}

/** Issues naming the same existing file: file → issues, then files grouped by their issue set. */
function clustersOf(profiles: readonly IssueProfile[]): { issues: number[]; files: string[] }[] {
  const issuesByFile = new Map<string, number[]>()
  for (const profile of profiles) {
    for (const file of profile.files.keys()) {
      const issues = issuesByFile.get(file) ?? []
      issues.push(profile.issue.number)
      issuesByFile.set(file, issues)
    }
  }
  const clusters = new Map<string, { issues: number[]; files: string[] }>()
  for (const [file, issues] of issuesByFile) {
    if (issues.length < 2) continue
    const sorted = [...issues].sort(byNumber)
    const key = sorted.join(',')
    const cluster = clusters.get(key) ?? { issues: sorted, files: [] }
    cluster.files.push(file)
    clusters.set(key, cluster)
  }
  return [...clusters.values()]
    .map(cluster => ({ ...cluster, files: cluster.files.sort() }))
    .sort((a, b) => compareNumberLists(a.issues, b.issues))
}

function compareNumberLists(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0)
    if (difference !== 0) return difference
  }
  return a.length - b.length
}

/** Union-find over issue numbers, with the size of each set. */
class Combiner {
  private readonly parent = new Map<number, number>()
  private readonly size = new Map<number, number>()

  root(number: number): number {
    let node = number
    while ((this.parent.get(node) ?? node) !== node) node = this.parent.get(node) ?? node
    this.parent.set(number, node)
    return node
  }

  /** Joins the two sets when the result stays within {@link MAX_GROUP_SIZE}; false when full. */
  join(a: number, b: number): boolean {
    const rootA = this.root(a)
    const rootB = this.root(b)
    if (rootA === rootB) return true
    const sizeA = this.size.get(rootA) ?? 1
    const sizeB = this.size.get(rootB) ?? 1
    if (sizeA + sizeB > MAX_GROUP_SIZE) return false
    const [low, high] = rootA < rootB ? [rootA, rootB] : [rootB, rootA]
    this.parent.set(high, low)
    this.size.set(low, sizeA + sizeB)
    return true
  }
}

/** Combines small issues touching the same file; returns the issues of each group. */
function combineSmallSiblings(
  profiles: readonly IssueProfile[],
  clusters: readonly { issues: number[]; files: string[] }[]
): number[][] {
  const small = new Set(profiles.filter(p => p.small !== null).map(p => p.issue.number))
  const combiner = new Combiner()
  for (const cluster of clusters) {
    const [first, ...rest] = cluster.issues.filter(number => small.has(number))
    let anchor = first as number
    // A full group starts the next one with the sibling that did not fit.
    for (const member of rest) if (!combiner.join(anchor, member)) anchor = member
  }
  const groups = new Map<number, number[]>()
  for (const profile of profiles) {
    const root = combiner.root(profile.issue.number)
    groups.set(root, [...(groups.get(root) ?? []), profile.issue.number])
  }
  return [...groups.values()].map(issues => issues.sort(byNumber))
}

function groupId(issues: readonly number[]): string {
  const full = `g${issues.join('-')}`
  return full.length <= 64 ? full : `g${issues[0]}-plus-${issues.length - 1}`
}

function branchTypeOf(issues: readonly IssueFacts[], config: PlanConfig): BranchType {
  const labels = new Set(issues.flatMap(issue => issue.labels.map(label => label.toLowerCase())))
  for (const type of ['fix', 'refactor', 'feat'] as const) {
    if (config.branches.types[type].some(label => labels.has(label.toLowerCase()))) return type
  }
  return config.branches.defaultType
}

function titleOf(issues: readonly IssueFacts[]): string {
  const [first, ...rest] = issues
  const title = first?.title.replace(/\s+/g, ' ').trim() || `Issue #${first?.number}`
  return rest.length === 0 ? title : `${title} (with ${issueList(rest.map(i => i.number))})`
}

/** The trivial-siblings finding of each combined group. */
function triageSiblings(
  group: WaveGroup,
  profiles: Map<number, IssueProfile>,
  triage: Triage
): void {
  if (group.issues.length < 2) return
  const members = group.issues.map(number => profiles.get(number) as IssueProfile)
  const evidence: string[] = members.map(member => member.small as string)
  const files = new Set<string>()
  for (const member of members) {
    for (const [file, lines] of member.files) {
      const sharers = members.filter(other => other.files.has(file))
      if (sharers.length < 2) continue
      files.add(file)
      for (const line of lines) if (!evidence.includes(line)) evidence.push(line)
    }
  }
  triage.findings.push({
    kind: 'trivial-siblings',
    issues: group.issues,
    paths: [...files].sort(),
    evidence,
    proposal: () =>
      `Combine ${issueList(group.issues)} into one branch and pull request (${group.id}): small changes to the same file.`,
    needsDecision: false
  })
}

function targetKey(kind: 'path' | 'symbol', target: string): string {
  return `${kind}:${target}`
}

function describeKey(key: string): string {
  return code(key.slice(key.indexOf(':') + 1))
}

/** Target key → issue → the evidence line, for one intent. */
type IntentIndex = Map<string, Map<number, string>>

function note(index: IntentIndex, key: string, issue: number, line: string): void {
  const entries = index.get(key) ?? new Map<number, string>()
  if (!entries.has(issue)) entries.set(issue, line)
  index.set(key, entries)
}

/**
 * Who removes and who builds on each existing path and each symbol. Building on a symbol that
 * one file alone defines also builds on that file, so removing the file conflicts with it.
 */
function indexIntents(
  profiles: readonly IssueProfile[],
  facts: PlanFacts
): { removers: IntentIndex; builders: IntentIndex } {
  const removers: IntentIndex = new Map()
  const builders: IntentIndex = new Map()
  for (const profile of profiles) {
    const n = profile.issue.number
    for (const mention of profile.intents) {
      const { target, targetKind } = mention
      if (targetKind === 'path' && facts.pathsAtBase[target] !== true) continue
      const line = `#${n} says "${mention.verb}" about ${code(target)}.`
      note(
        mention.intent === 'remove' ? removers : builders,
        targetKey(targetKind, target),
        n,
        line
      )
      const files = targetKind === 'symbol' ? definingFiles(facts, target) : []
      if (mention.intent === 'build-on' && files.length === 1) {
        const file = files[0] as string
        const defined = `${line.slice(0, -1)}, defined in ${code(file)}.`
        note(builders, targetKey('path', file), n, defined)
      }
    }
  }
  return { removers, builders }
}

/** Each (remover, builder) pair with the targets they meet on and the evidence lines. */
function overlapPairs(removers: IntentIndex, builders: IntentIndex) {
  const pairs = new Map<
    string,
    { remover: number; builder: number; keys: string[]; lines: string[] }
  >()
  for (const [key, removing] of [...removers].sort(([a], [b]) => a.localeCompare(b))) {
    for (const [builder, builderLine] of builders.get(key) ?? []) {
      // An issue that both removes and uses a thing is reworking it, not building on it.
      if (removing.has(builder)) continue
      for (const [remover, removerLine] of removing) {
        const pair = pairs.get(`${remover}>${builder}`) ?? { remover, builder, keys: [], lines: [] }
        pair.keys.push(key)
        for (const line of [removerLine, builderLine]) {
          if (!pair.lines.includes(line)) pair.lines.push(line)
        }
        pairs.set(`${remover}>${builder}`, pair)
      }
    }
  }
  return [...pairs.values()]
}

/** One issue removing, renaming or replacing what another builds on: the builder goes first. */
function triageSemanticOverlap(profiles: readonly IssueProfile[], triage: Triage): void {
  const { removers, builders } = indexIntents(profiles, triage.facts)
  const pairs = overlapPairs(removers, builders)
  for (const { remover, builder, keys, lines } of pairs) {
    const before = triage.groupOf.get(builder) as string
    const after = triage.groupOf.get(remover) as string
    const what = keys.map(describeKey).join(', ')
    triage.sequence.add(before, after, `#${remover} removes what #${builder} builds on (${what}).`)
    triage.findings.push({
      kind: 'semantic-overlap',
      issues: [remover, builder].sort(byNumber),
      paths: keys.filter(key => key.startsWith('path:')).map(key => key.slice(5)),
      evidence: lines,
      proposal: () => {
        if (before === after) {
          return `#${builder} builds on ${what}, which #${remover} removes, and they share ${before}: confirm what that branch should do with it.`
        }
        if (triage.sequence.reaches(after, before)) {
          return `#${remover} removes ${what}, which #${builder} builds on, and another finding puts #${remover} first: #${builder} must then do without it. Confirm, or drop one of them.`
        }
        return `Do #${builder} first (it builds on ${what}), then #${remover}, which removes it and moves #${builder}'s new uses along; or drop one of them. Confirm the order.`
      },
      needsDecision: true
    })
  }
}

/** Issues adding files under the same numbered path get their order and numbers now. */
function triageNumbering(profiles: readonly IssueProfile[], triage: Triage): void {
  for (const pattern of [...triage.config.numberedPaths].sort()) {
    const state = triage.facts.numberedPaths.find(entry => entry.pattern === pattern)
    const adders: { number: number; line: string }[] = []
    for (const profile of profiles) {
      const line = addsNumberedFile(profile, pattern, state, triage.facts)
      if (line !== null) adders.push({ number: profile.issue.number, line })
    }
    if (adders.length === 0) continue
    const taken = inFlightNumbers(pattern, triage.facts.inFlight)
    const numbers = adders.map(adder => adder.number)
    const assignment = assignNumbers(pattern, numbers, state, taken)
    for (const [number, question] of assignment.questions) {
      triage.questions.set(number, [...(triage.questions.get(number) ?? []), question])
    }
    if (adders.length < 2 && taken.length === 0) continue
    for (let i = 1; i < numbers.length; i++) {
      const before = triage.groupOf.get(numbers[i - 1] as number) as string
      const after = triage.groupOf.get(numbers[i] as number) as string
      triage.sequence.add(
        before,
        after,
        `Both add a file under ${code(pattern)}: ${assignment.order}.`
      )
    }
    const inFlightLines = taken.map(
      entry => `Open pipeline ${pullLabel(entry.pull)} adds ${code(entry.path)}.`
    )
    triage.findings.push({
      kind: 'shared-numbering',
      issues: numbers,
      paths: [pattern],
      evidence: [...adders.map(adder => adder.line), ...inFlightLines, assignment.baseline],
      proposal: () => assignment.summary,
      needsDecision: false
    })
  }
}

/** Issues touching the same existing file, in different groups: sequence them, older first. */
function triageSameRegion(
  clusters: readonly { issues: number[]; files: string[] }[],
  profiles: Map<number, IssueProfile>,
  triage: Triage,
  rank: (group: string) => number
): void {
  for (const cluster of clusters) {
    const groups = [...new Set(cluster.issues.map(n => triage.groupOf.get(n) as string))].sort(
      (a, b) => rank(a) - rank(b)
    )
    if (groups.length < 2) continue
    for (let i = 1; i < groups.length; i++) {
      triage.sequence.add(
        groups[i - 1] as string,
        groups[i] as string,
        `They change the same file (${cluster.files.map(code).join(', ')}); the older issue goes first.`
      )
    }
    const evidence = cluster.files.flatMap(file =>
      cluster.issues.flatMap(n => profiles.get(n)?.files.get(file) ?? [])
    )
    triage.findings.push({
      kind: 'same-region',
      issues: cluster.issues,
      paths: cluster.files,
      evidence: [...new Set(evidence)],
      proposal: () => {
        const order = triage.sequence.order(groups, rank)
        const steps = order.map(
          group => `${group} (${issueList(groupIssues(group, cluster, triage))})`
        )
        const [first, ...rest] = steps
        return `Sequence them, as they change the same file: ${first} first, then ${rest.join(', then ')}.`
      },
      needsDecision: false
    })
  }
}

function groupIssues(group: string, cluster: { issues: number[] }, triage: Triage): number[] {
  return cluster.issues.filter(n => triage.groupOf.get(n) === group)
}

/**
 * An issue touching files that an open pipeline PR, or a pipeline branch without one, changes:
 * wait for it, or go ahead.
 */
function triageInFlight(profiles: readonly IssueProfile[], triage: Triage): void {
  const works = inFlightWork(triage.facts)
  for (const profile of profiles) {
    const n = profile.issue.number
    const touched = new Set([...profile.files.keys(), ...profile.paths])
    for (const work of works) {
      if (work.closes.includes(n)) continue
      const shared = [...new Set(work.changedPaths.filter(path => touched.has(path)))].sort()
      if (shared.length === 0) continue
      const named = shared.flatMap(
        file => profile.files.get(file) ?? [`#${n} names ${code(file)}.`]
      )
      triage.findings.push({
        kind: 'same-region',
        issues: [n],
        paths: shared,
        evidence: [...new Set(named), `${work.label} changes ${shared.map(code).join(', ')}.`],
        proposal: () =>
          `Implement #${n} after ${work.until}, or confirm to start now and let the merge step bring it up to date.`,
        needsDecision: true
      })
    }
  }
}

/** `#15 depends on #12` between two groups of the batch: #12's group goes first. */
function triageDependencies(profiles: readonly IssueProfile[], triage: Triage): void {
  for (const profile of profiles) {
    const n = profile.issue.number
    for (const dependency of profile.dependsOn) {
      const before = triage.groupOf.get(dependency)
      const after = triage.groupOf.get(n) as string
      if (before !== undefined)
        triage.sequence.add(before, after, `#${n} depends on #${dependency}.`)
    }
  }
}

function compareFindings(a: DraftFinding, b: DraftFinding): number {
  return (
    compareNumberLists(a.issues, b.issues) ||
    KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
    a.paths.join('\n').localeCompare(b.paths.join('\n')) ||
    a.evidence.join('\n').localeCompare(b.evidence.join('\n'))
  )
}

function needsConfirmation(config: PlanConfig, groups: WaveGroup[], findings: Finding[]): boolean {
  if (config.confirm === 'never') return false
  if (config.confirm === 'always') return groups.length > 0
  return findings.some(finding => finding.needsDecision)
}

/**
 * Triages a batch: skips (missing, pull request, closed, locked, in flight, umbrella), findings
 * (same region, semantic overlap, shared numbering, umbrella, trivial siblings, and overlap with
 * the pipeline's open PRs), groups (one per issue, small siblings combined), the sequence between
 * groups, and whether a person must confirm (config `confirm`). Seal the result with `sealPlan`.
 */
export function planWave(facts: PlanFacts, config: PlanConfig): WavePlanContent {
  const triage: Triage = {
    facts,
    config,
    known: new Map(facts.issues.map(issue => [issue.number, issue])),
    inFlightFor: new Map(),
    branchFor: new Map(),
    skips: [],
    findings: [],
    sequence: new SequenceBuilder(),
    groupOf: new Map(),
    questions: new Map()
  }
  for (const pull of [...facts.inFlight].sort((a, b) => b.number - a.number)) {
    for (const number of pull.closes) triage.inFlightFor.set(number, pull)
  }
  const branches = [...(facts.inFlightBranches ?? [])].sort((a, b) =>
    a.branch < b.branch ? -1 : a.branch > b.branch ? 1 : 0
  )
  for (const branch of branches) {
    if (!triage.inFlightFor.has(branch.issue) && !triage.branchFor.has(branch.issue)) {
      triage.branchFor.set(branch.issue, branch)
    }
  }
  const requested = [...new Set(facts.requested)].sort(byNumber)
  const candidates: IssueFacts[] = []
  for (const number of requested) {
    const skip = basicSkip(number, triage)
    if (skip === null) candidates.push(triage.known.get(number) as IssueFacts)
    else triage.skips.push(skip)
  }
  const candidateProfiles = candidates.map(issue => profileIssue(issue, facts))
  const candidateNumbers = new Set(candidates.map(issue => issue.number))
  const profiles = candidateProfiles.filter(
    profile => !triageUmbrella(profile, triage, candidateNumbers)
  )
  const profileOf = new Map(profiles.map(profile => [profile.issue.number, profile]))
  const clusters = clustersOf(profiles)
  const groupsIssues = combineSmallSiblings(profiles, clusters)
  for (const issues of groupsIssues) {
    for (const number of issues) triage.groupOf.set(number, groupId(issues))
  }
  const rankOf = new Map(groupsIssues.map(issues => [groupId(issues), issues[0] as number]))
  const rank = (group: string) => rankOf.get(group) ?? 0

  triageDependencies(profiles, triage)
  triageSemanticOverlap(profiles, triage)
  triageNumbering(profiles, triage)
  triageSameRegion(clusters, profileOf, triage, rank)
  triageInFlight(profiles, triage)

  const groups: WaveGroup[] = groupsIssues
    .map(issues => {
      const members = issues.map(number => triage.known.get(number) as IssueFacts)
      const openQuestions = issues
        .flatMap(number => triage.questions.get(number) ?? [])
        .sort((a, b) => a.question.localeCompare(b.question))
      return {
        id: groupId(issues),
        issues,
        branchType: branchTypeOf(members, config),
        title: titleOf(members),
        openQuestions: dedupeQuestions(openQuestions)
      }
    })
    .sort((a, b) => rank(a.id) - rank(b.id))
  for (const group of groups) triageSiblings(group, profileOf, triage)

  const findings: Finding[] = triage.findings.sort(compareFindings).map((draft, index) => ({
    id: `f${index + 1}`,
    kind: draft.kind,
    issues: draft.issues,
    paths: [...new Set(draft.paths)].sort(),
    evidence: draft.evidence,
    proposal: draft.proposal(),
    needsDecision: draft.needsDecision
  }))
  const issues: PlanIssue[] = requested
    .map(number => triage.known.get(number))
    .filter((issue): issue is IssueFacts => issue !== undefined)
    .map(issue => ({
      number: issue.number,
      title: issue.title,
      labels: [...issue.labels].sort(),
      state: issue.state
    }))
  return {
    v: 1,
    issues,
    groups,
    sequence: triage.sequence.edges(rank),
    skips: triage.skips.sort((a, b) => (a.issue ?? 0) - (b.issue ?? 0)),
    findings,
    needsConfirmation: needsConfirmation(config, groups, findings)
  }
}

function dedupeQuestions(questions: OpenQuestion[]): OpenQuestion[] {
  const seen = new Set<string>()
  return questions.filter(question => {
    const key = `${question.question}\u0000${question.resolution ?? ''}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
