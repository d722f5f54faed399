/**
 * The scenario corpus: each file under `scenarios/` is a batch of issues over a small real
 * repository, with the findings, groups, order, skips and gate decision the plan must reach.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  WavePlanContent,
  parseWaveConfigValue,
  planIdMatches,
  sealPlan,
  valueOrThrow,
  type WaveConfig,
  type WavePlan
} from '../../src/contracts/index.js'
import {
  confirmPlan,
  parseIssueList,
  planMatrix,
  planWave,
  type InFlightPull,
  type IssueFacts
} from '../../src/plan/index.js'
import { TempRepo, gatherFacts } from './scenario-repo.js'

interface ScenarioIssue {
  number: number
  title: string
  body: string
  labels?: string[]
  state?: 'open' | 'closed'
  locked?: boolean
  pullRequest?: boolean
  subIssues?: number[]
}

interface Scenario {
  name: string
  repo?: string
  config?: Record<string, unknown>
  files: Record<string, string>
  issues: ScenarioIssue[]
  inFlight?: InFlightPull[]
  /** The `issues` input as typed. */
  input: string
  /** The triggering event's issue, used when `input` is empty. */
  event?: number
  /** An earlier version of one issue: the plan made from it gives the stale confirmation. */
  edited?: { number: number; body: string }
  /** `stale`: confirm with the id of the plan made before `edited` changed. */
  confirm?: 'stale'
  expect: {
    error?: string
    findings?: { kind: string; issues: number[]; paths?: string[]; needsDecision?: boolean }[]
    groups?: { id: string; issues: number[]; branchType?: string }[]
    sequence?: [string, string][]
    skips?: { issue: number; reason: string }[]
    needsConfirmation?: boolean
    decision?: 'proceed' | 'halt' | 'refused'
    /** Lines that must be among the findings' evidence. */
    evidence?: string[]
    /** Proposals that must be among the findings'. */
    proposals?: string[]
    /** Group id → the resolutions of its open questions. */
    resolutions?: Record<string, string[]>
  }
}

const directory = join(dirname(fileURLToPath(import.meta.url)), 'scenarios')
const scenarios: [string, Scenario][] = readdirSync(directory)
  .filter(name => name.endsWith('.json'))
  .sort()
  .map(name => [name, JSON.parse(readFileSync(join(directory, name), 'utf8')) as Scenario])

function toFacts(issue: ScenarioIssue): IssueFacts {
  return {
    number: issue.number,
    title: issue.title,
    body: issue.body,
    labels: issue.labels ?? [],
    state: issue.state ?? 'open',
    locked: issue.locked ?? false,
    isPullRequest: issue.pullRequest ?? false,
    subIssues: issue.subIssues ?? []
  }
}

function plan(
  scenario: Scenario,
  repo: TempRepo,
  config: WaveConfig,
  requested: number[],
  github: IssueFacts[]
): WavePlan {
  const facts = gatherFacts({
    repo,
    repoName: scenario.repo ?? 'acme/shop',
    requested,
    github,
    inFlight: scenario.inFlight ?? [],
    config
  })
  const content = planWave(facts, config)
  const checked = WavePlanContent.safeParse(content)
  expect(checked.error?.issues ?? []).toEqual([])
  return sealPlan(content)
}

test('the corpus holds at least 12 scenarios', () => {
  expect(scenarios.length).toBeGreaterThanOrEqual(12)
})

describe.each(scenarios)('scenario %s', (_file, scenario) => {
  let repo: TempRepo

  beforeAll(() => {
    repo = new TempRepo(scenario.files)
  })

  afterAll(() => {
    repo.remove()
  })

  test(scenario.name, () => {
    const parsed = parseIssueList(scenario.input)
    if (scenario.expect.error !== undefined) {
      expect(parsed).toMatchObject({ ok: false, message: scenario.expect.error })
      return
    }
    if (!parsed.ok) throw new Error(parsed.message)
    const requested =
      parsed.numbers.length > 0
        ? parsed.numbers
        : scenario.event === undefined
          ? []
          : [scenario.event]
    const config = valueOrThrow(parseWaveConfigValue(scenario.config ?? {}))
    const github = scenario.issues.map(toFacts)
    const wave = plan(scenario, repo, config, requested, github)
    const { expect: want } = scenario

    expect(planIdMatches(wave)).toBe(true)
    if (want.findings !== undefined) {
      expect(
        wave.findings.map(f => ({
          kind: f.kind,
          issues: f.issues,
          paths: f.paths,
          needsDecision: f.needsDecision
        }))
      ).toEqual(want.findings.map(f => expect.objectContaining(f) as unknown))
    }
    if (want.groups !== undefined) {
      expect(wave.groups).toEqual(
        want.groups.map(group => expect.objectContaining(group) as unknown)
      )
    }
    if (want.sequence !== undefined) {
      expect(wave.sequence.map(edge => [edge.before, edge.after])).toEqual(want.sequence)
    }
    if (want.skips !== undefined) {
      expect(wave.skips.map(skip => ({ issue: skip.issue, reason: skip.reason }))).toEqual(
        want.skips
      )
    }
    if (want.needsConfirmation !== undefined) {
      expect(wave.needsConfirmation).toBe(want.needsConfirmation)
    }
    for (const line of want.evidence ?? []) {
      expect(wave.findings.flatMap(f => f.evidence)).toContain(line)
    }
    for (const proposal of want.proposals ?? []) {
      expect(wave.findings.map(f => f.proposal)).toContain(proposal)
    }
    for (const [id, resolutions] of Object.entries(want.resolutions ?? {})) {
      const group = wave.groups.find(candidate => candidate.id === id)
      expect(group?.openQuestions.map(q => q.resolution)).toEqual(resolutions)
    }

    let confirmId: string | null = null
    if (scenario.confirm === 'stale' && scenario.edited !== undefined) {
      const { number, body } = scenario.edited
      const before = github.map(issue => (issue.number === number ? { ...issue, body } : issue))
      confirmId = plan(scenario, repo, config, requested, before).id
      expect(confirmId).not.toBe(wave.id)
    }
    const decision = confirmPlan(wave, confirmId)
    expect(decision.outcome).toBe(want.decision)
    if (decision.outcome === 'refused') {
      expect(decision.message).toBe(
        `Input 'confirm': plan '${confirmId}' no longer matches the current plan '${wave.id}' ` +
          `(the issues changed since it was proposed). Review the new proposal and re-dispatch with confirm: ${wave.id}.`
      )
    }
    const matrix = planMatrix(wave, decision)
    if (!matrix.ok) throw new Error(matrix.message)
    expect(matrix.matrix.include.map(group => group.id).sort()).toEqual(
      decision.outcome === 'proceed' ? wave.groups.map(group => group.id).sort() : []
    )

    // The same facts in another order make the same plan.
    const again = plan(scenario, repo, config, [...requested].reverse(), [...github].reverse())
    expect(again).toEqual(wave)
  })
})
