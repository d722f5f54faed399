/**
 * The merge action end to end: its bundle run as the runner runs it, against the sandbox forge,
 * over repositories the fixture leaves in the state an approving review would. The scenarios run
 * at the same time in `beforeAll` (each in its own repository; the action spaces its writes a
 * second apart as GitHub asks), and each test checks one scenario's outcome.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { findLedger } from '../../src/ledger/index.js'
import { findMergeCorrectionOrder } from '../../src/report/merge-correction-comment.js'
import type { BlockedPull, MergedPull, OrderSlot } from '../../src/report/merge-summary.js'
import { startEmulator, type GitHubEmulator } from '../../harness/github-emulator/index.js'
import type { ActionRunResult } from '../../harness/actions-engine/action-runner.js'
import { tempDir, waitFor } from '../github-emulator/helpers.js'
import { MergeRepo, PIPELINE_LOGIN, editLine, type MadePull } from './fixtures/merge-wave.js'

let forge: GitHubEmulator
let work: { path: string; remove: () => Promise<void> }

interface Scenario {
  repo: MergeRepo
  runs: ActionRunResult[]
  pulls: MadePull[]
  /** Index into the forge's request log where the action runs started. */
  logStart: number
}

const scenarios: Record<string, Scenario> = {}

function outputs(run: ActionRunResult) {
  return {
    merged: JSON.parse(run.outputs.merged ?? '[]') as MergedPull[],
    blocked: JSON.parse(run.outputs.blocked ?? '[]') as BlockedPull[],
    order: JSON.parse(run.outputs.order ?? '[]') as OrderSlot[]
  }
}

function failureText(run: ActionRunResult): string {
  return run.exitCode === 0 ? '' : `${run.stdout}\n${run.stderr}`
}

async function withRobot(repo: MergeRepo, body: () => Promise<ActionRunResult[]>) {
  repo.startCiRobot()
  try {
    return await body()
  } finally {
    await repo.stopCiRobot()
  }
}

/** Three approved PRs; two change src/app.ts far apart, the smaller by one line. */
async function threePulls(): Promise<Scenario> {
  const repo = await new MergeRepo(forge, 'three-prs', work.path).create()
  const big = await repo.addPull({
    title: 'Rework the tail of the app',
    branch: 'feat/1-tail',
    edits: {
      'src/app.ts': editLine(35, 'export const line35 = 350\nexport const extra = 2')
    }
  })
  const small = await repo.addPull({
    title: 'Fix the head of the app',
    branch: 'fix/2-head',
    edits: { 'src/app.ts': editLine(2, 'export const line2 = 20') }
  })
  const docs = await repo.addPull({
    title: 'Document the app',
    branch: 'feat/3-docs',
    edits: { 'docs/usage.md': () => '# Usage\n' }
  })
  const logStart = forge.requests().length
  const runs = await withRobot(repo, async () => [await repo.runMerge()])
  return { repo, runs, pulls: [big, small, docs], logStart }
}

/** A pair that conflicts, and a pair that both add ADR number 0005. */
async function conflicts(): Promise<Scenario> {
  const repo = await new MergeRepo(forge, 'conflicts', work.path).create()
  const first = await repo.addPull({
    title: 'Set line ten',
    branch: 'fix/1-ten',
    edits: { 'src/app.ts': editLine(10, 'export const line10 = 100') }
  })
  const clash = await repo.addPull({
    title: 'Rename line ten',
    branch: 'fix/2-ten-again',
    edits: { 'src/app.ts': editLine(10, "export const line10 = 'ten'\nexport const ten = 10") }
  })
  const postgres = await repo.addPull({
    title: 'Decide on postgres',
    branch: 'feat/3-postgres',
    edits: { 'docs/adr/0005-use-postgres.md': () => '# 5. Use postgres\n' }
  })
  const redis = await repo.addPull({
    title: 'Decide on redis',
    branch: 'feat/4-redis',
    edits: { 'docs/adr/0005-use-redis.md': () => '# 5. Use redis\n' }
  })
  const logStart = forge.requests().length
  const runs = await withRobot(repo, async () => [await repo.runMerge()])
  return { repo, runs, pulls: [first, clash, postgres, redis], logStart }
}

/** A head pushed after its approval, CI still running, and a commit without codex trailers. */
async function waits(): Promise<Scenario> {
  const repo = await new MergeRepo(forge, 'waits', work.path).create()
  const moved = await repo.addPull({
    title: 'Change after approval',
    branch: 'fix/1-moved',
    edits: { 'src/app.ts': editLine(5, 'export const line5 = 50') },
    pushAfterApproval: true
  })
  const pending = await repo.addPull({
    title: 'Slow CI',
    branch: 'fix/2-slow',
    edits: { 'src/app.ts': editLine(20, 'export const line20 = 200') },
    ci: 'pending',
    robotCi: false
  })
  const manual = await repo.addPull({
    title: 'Hand edit',
    branch: 'fix/3-hand',
    edits: { 'docs/hand.md': () => '# edited by hand\n' },
    trailers: []
  })
  const logStart = forge.requests().length
  const runs = await withRobot(repo, async () => {
    const running = repo.runMerge()
    const statusReads = () =>
      repo
        .pipelineRequests(logStart)
        .filter(entry => entry.path.endsWith(`/commits/${pending.headSha}/status`)).length
    await waitFor(
      async () => (statusReads() >= 2 ? true : undefined),
      'the merge run polling CI of the pending PR',
      60_000
    )
    await repo.setCi(pending.headSha, 'success', false)
    return [await running]
  })
  return { repo, runs, pulls: [moved, pending, manual], logStart }
}

/** CI never reports on a head committed an hour ago, with a one-minute start limit. */
async function neverStarted(): Promise<Scenario> {
  const repo = await new MergeRepo(forge, 'no-ci', work.path).create(
    'merge:\n  ci-start-timeout-minutes: 1\n'
  )
  const quiet = await repo.addPull({
    title: 'Pushed with the workflow token',
    branch: 'fix/1-quiet',
    edits: { 'src/app.ts': editLine(3, 'export const line3 = 30') },
    ci: 'none',
    robotCi: false,
    committedAt: new Date(Date.now() - 60 * 60_000).toISOString()
  })
  const logStart = forge.requests().length
  const runs = [await repo.runMerge()]
  return { repo, runs, pulls: [quiet], logStart }
}

/** Two merge runs at once over two PRs that share a file. */
async function race(): Promise<Scenario> {
  const repo = await new MergeRepo(forge, 'race', work.path).create()
  const one = await repo.addPull({
    title: 'First racer',
    branch: 'fix/1-first',
    edits: { 'src/app.ts': editLine(7, 'export const line7 = 70') }
  })
  const two = await repo.addPull({
    title: 'Second racer',
    branch: 'fix/2-second',
    edits: { 'src/app.ts': editLine(30, 'export const line30 = 300\nexport const more = 1') }
  })
  const logStart = forge.requests().length
  const runs = await withRobot(repo, () =>
    Promise.all([repo.runMerge({}, 901), repo.runMerge({}, 902)])
  )
  return { repo, runs, pulls: [one, two], logStart }
}

beforeAll(async () => {
  forge = await startEmulator()
  work = await tempDir('merge-e2e-')
  const built = await Promise.all([threePulls(), conflicts(), waits(), neverStarted(), race()])
  for (const scenario of built) scenarios[scenario.repo.name] = scenario
}, 240_000)

afterAll(async () => {
  await forge?.close()
  await work?.remove()
})

function scenario(name: string): Scenario {
  const found = scenarios[name]
  if (found === undefined) throw new Error(`scenario ${name} did not run`)
  return found
}

describe('merge action', () => {
  it('merges three approved PRs, the smaller of two sharing a file first, carrying the other approval through its update', async () => {
    const { repo, runs, pulls, logStart } = scenario('three-prs')
    const [big, small, docs] = pulls as [MadePull, MadePull, MadePull]
    const run = runs[0] as ActionRunResult
    expect(failureText(run)).toBe('')
    const { merged, blocked, order } = outputs(run)

    expect(order.map(slot => slot.number)).toEqual([small.number, big.number, docs.number])
    expect(order[1]?.reason).toMatch(/shares src\/app\.ts with #\d+, which is smaller/i)
    expect(merged.map(entry => entry.pr)).toEqual([small.number, big.number, docs.number])
    expect(blocked).toEqual([])
    const bigMerged = merged.find(entry => entry.pr === big.number)
    expect(bigMerged?.carriedFrom).toBe(big.headSha)
    expect(bigMerged?.headSha).not.toBe(big.headSha)

    for (const made of pulls) {
      const pull = await repo.pull(made.number)
      expect(pull.merged).toBe(true)
      expect(pull.labels.map(label => label.name)).not.toContain('codex-waves')
      expect(await repo.issueState(made.issue)).toBe('closed')
      expect(await repo.branchExists(made.branch)).toBe(false)
      const ledger = findLedger(await repo.comments(made.number), PIPELINE_LOGIN).ledger
      expect(ledger?.status).toBe('merged')
    }
    const bigLedger = findLedger(await repo.comments(big.number), PIPELINE_LOGIN).ledger
    const carried = bigLedger?.reviews.find(review => review.carriedFrom === big.headSha)
    expect(carried?.headSha).toBe(bigMerged?.headSha)
    const review = (await repo.statuses(bigMerged?.headSha ?? '')).find(
      status => status.context === 'codex-waves/review'
    )
    expect(review?.state).toBe('success')

    expect(run.summary).toContain('## Wave report: every criterion met')
    expect(run.summary).toContain('approval carried (same patch)')
    const requests = repo.pipelineRequests(logStart)
    const byRoute = requests.reduce<Record<string, number>>((counts, entry) => {
      const key = `${entry.method} ${entry.route}`
      counts[key] = (counts[key] ?? 0) + 1
      return counts
    }, {})
    process.stdout.write(
      `merge of 3 PRs with 3 branch updates: ${requests.length} REST requests\n${JSON.stringify(byRoute, null, 1)}\n`
    )
    expect(requests.length).toBeLessThanOrEqual(45)
  })

  it('orders a correction for a conflict after the first merge and a renumbering for a taken ADR number', async () => {
    const { repo, runs, pulls } = scenario('conflicts')
    const [first, clash, postgres, redis] = pulls as [MadePull, MadePull, MadePull, MadePull]
    const run = runs[0] as ActionRunResult
    expect(failureText(run)).toBe('')
    const { merged, blocked } = outputs(run)
    expect(merged.map(entry => entry.pr)).toEqual([first.number, postgres.number])

    const conflict = blocked.find(entry => entry.pr === clash.number)
    expect(conflict).toMatchObject({ reason: 'conflict', next: 'correct' })
    expect((await repo.pull(clash.number)).state).toBe('open')
    const conflictOrder = findMergeCorrectionOrder(
      await repo.comments(clash.number),
      PIPELINE_LOGIN
    )
    expect(conflictOrder?.ok && conflictOrder.value.chosen.map(item => item.category)).toEqual([
      'merge_conflict'
    ])

    const numbering = blocked.find(entry => entry.pr === redis.number)
    expect(numbering).toMatchObject({ reason: 'numbering', next: 'correct' })
    expect(numbering?.detail).toContain('docs/adr/0005-use-redis.md')
    const renumber = findMergeCorrectionOrder(await repo.comments(redis.number), PIPELINE_LOGIN)
    expect(renumber?.ok).toBe(true)
    if (renumber?.ok) {
      expect(renumber.value.origin).toBe('merge')
      expect(renumber.value.chosen[0]?.category).toBe('numbering')
      expect(renumber.value.chosen[0]?.title).toContain(`#${postgres.number} took number 0005`)
    }
    const ledger = findLedger(await repo.comments(redis.number), PIPELINE_LOGIN).ledger
    expect(ledger?.status).toBe('changes-requested')
    expect((await repo.pull(redis.number)).merged).toBe(false)
    // Each PR sent back is handed to the correct workflow.
    const started = forge
      .events(repo.name)
      .filter(event => event.type === 'workflow_dispatch')
      .map(event => JSON.stringify(event.payload))
    for (const pull of [clash, redis]) {
      expect(started).toContainEqual(
        expect.stringMatching(new RegExp(`codex-waves-correct\\.yml.*"pr":"${pull.number}"`))
      )
    }
  })

  it('sends a head changed after approval back to review, waits for running CI and says so, and flags a commit without codex trailers', async () => {
    const { repo, runs, pulls } = scenario('waits')
    const [moved, pending, manual] = pulls as [MadePull, MadePull, MadePull]
    const run = runs[0] as ActionRunResult
    expect(failureText(run)).toBe('')
    const { merged, blocked } = outputs(run)

    expect(blocked.find(entry => entry.pr === moved.number)).toMatchObject({
      reason: 'head-changed',
      next: 'review'
    })
    expect((await repo.pull(moved.number)).merged).toBe(false)

    expect(run.stdout).toContain(`Waiting for CI on ${pending.headSha.slice(0, 7)}: ci/test`)
    expect(merged.map(entry => entry.pr)).toEqual([pending.number, manual.number])

    expect(run.summary).toContain('Commits without a codex trailer (code touched outside codex)')
    expect(run.summary).toMatch(/PR #\d+: [0-9a-f]{7} without a codex trailer/)
    expect(run.summary).toContain(`#${manual.number}`)
    expect(run.summary).not.toContain('every criterion met')
  })

  it('blocks a PR whose CI never started and explains the GITHUB_TOKEN limitation and the App token fix', async () => {
    const { repo, runs, pulls } = scenario('no-ci')
    const [quiet] = pulls as [MadePull]
    const run = runs[0] as ActionRunResult
    expect(failureText(run)).toBe('')
    const { merged, blocked } = outputs(run)
    expect(merged).toEqual([])
    const entry = blocked.find(item => item.pr === quiet.number)
    expect(entry).toMatchObject({ reason: 'ci-not-started', next: 'blocked' })
    expect(entry?.detail).toContain('GITHUB_TOKEN start no workflow runs')
    expect(entry?.detail).toContain('actions/create-github-app-token')
    expect(run.durationMs).toBeLessThan(30_000)
    expect((await repo.pull(quiet.number)).merged).toBe(false)
  })

  it('lets two merge runs at once merge each PR exactly once without updating a branch twice', async () => {
    const { repo, runs, pulls, logStart } = scenario('race')
    for (const run of runs) expect(failureText(run)).toBe('')
    const mergedBy = runs.map(run => outputs(run).merged.map(entry => entry.pr))
    const all = mergedBy.flat().sort((a, b) => a - b)
    expect(all).toEqual(pulls.map(made => made.number).sort((a, b) => a - b))

    const closings = forge
      .events(repo.name)
      .filter(event => event.type === 'pull_request' && event.payload.merged === true)
    for (const made of pulls) {
      expect(closings.filter(event => event.payload.number === made.number)).toHaveLength(1)
      expect((await repo.pull(made.number)).merged).toBe(true)
    }
    const updates = repo
      .pipelineRequests(logStart)
      .filter(entry => entry.route.endsWith('/update-branch') && entry.status === 202)
    const perPull = new Map<string, number>()
    for (const entry of updates) perPull.set(entry.path, (perPull.get(entry.path) ?? 0) + 1)
    for (const count of perPull.values()) expect(count).toBe(1)

    const others = runs.flatMap(run => outputs(run).blocked)
    for (const entry of others) {
      expect(entry.detail).toMatch(/another run|moved/i)
    }
  })
})
