/**
 * The plan phase over the real adapters: the GitHub forge adapter against the sandbox forge, git
 * on a clone of the repository, artifacts in a directory.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals'
import { DirectoryArtifacts } from '../../src/adapters/artifacts.js'
import { GitHubForge } from '../../src/adapters/forge.js'
import { GitWorkTree } from '../../src/adapters/git.js'
import { createGitHubClient } from '../../src/adapters/github.js'
import { defaultWaveConfig, parseWavePlan } from '../../src/contracts/index.js'
import {
  runPlanPhase,
  type PlanPhaseContext,
  type PlanRequest
} from '../../src/phases/plan/plan.js'
import { proposalCommentKey } from '../../src/report/plan-summary.js'
import { startEmulator, type GitHubEmulator } from '../../harness/github-emulator/index.js'
import { tempDir } from '../github-emulator/helpers.js'
import {
  createPlanRepo,
  pushBranchWithoutPull,
  restRequests,
  writeRequests,
  type PlanRepo
} from '../e2e/fixtures/plan-repo.js'

jest.setTimeout(60_000)

let forge: GitHubEmulator
let repo: PlanRepo
let artifactsDir: { path: string; remove: () => Promise<void> }
let runId = 100

/** Log lines the phase wrote, for the assertions that read them. */
const logged: string[] = []

function phaseContext(): PlanPhaseContext {
  const client = createGitHubClient({
    token: forge.tokens.actions,
    baseUrl: forge.apiUrl,
    writeSpacingMs: 0,
    env: {}
  })
  runId += 1
  return {
    repo: { owner: forge.owner, repo: repo.name },
    run: {
      runId,
      attempt: 1,
      url: `https://github.com/${forge.owner}/${repo.name}/actions/runs/${runId}`
    },
    config: defaultWaveConfig(),
    pipelineLogin: forge.userFor('actions').login,
    forge: new GitHubForge({ client, owner: forge.owner, repo: repo.name }),
    artifacts: new DirectoryArtifacts(artifactsDir.path, { runId }),
    ui: {
      info: message => logged.push(message),
      notice: message => logged.push(`notice: ${message}`),
      warning: message => logged.push(`warning: ${message}`),
      group: (_title, body) => body()
    }
  }
}

function request(overrides: Partial<PlanRequest> = {}): PlanRequest {
  return { issues: [], event: null, confirm: null, base: null, ...overrides }
}

/** The proposal comments on an issue, by anyone. */
async function proposals(issue: number): Promise<{ id: number; body: string }[]> {
  const { data } = await repo.api.rest.issues.listComments({
    owner: forge.owner,
    repo: repo.name,
    issue_number: issue
  })
  return data
    .filter(comment => comment.body?.includes(proposalCommentKey(issue)))
    .map(comment => ({ id: comment.id, body: comment.body ?? '' }))
}

/** The batch that halts: an overlap that needs a decision, and a skip of every kind. */
function haltingBatch(): number[] {
  const n = repo.numbers
  return [n.drop, n.extend, n.config, n.closed, n.umbrella, n.pull]
}

beforeAll(async () => {
  forge = await startEmulator()
  repo = await createPlanRepo(forge, 'plan-phase')
  artifactsDir = await tempDir('plan-phase-artifacts-')
})

afterAll(async () => {
  await forge?.close()
  await repo?.remove()
  await artifactsDir?.remove()
})

describe('runPlanPhase', () => {
  let firstPlanId = ''

  test('halts on a finding that needs a decision: proposal comments, no matrix, the plan kept', async () => {
    const git = new GitWorkTree(repo.workspace)
    const since = forge.requests().length
    const context = phaseContext()
    const result = await runPlanPhase(context, git, request({ issues: haltingBatch() }))
    const requests = restRequests(forge, since)
    if (result.outcome !== 'planned') throw new Error(`expected a plan, got ${result.outcome}`)
    const n = repo.numbers
    firstPlanId = result.plan.id

    expect(result.halted).toBe(true)
    expect(result.matrix).toBe('')
    expect(result.plan.needsConfirmation).toBe(true)
    expect(result.plan.groups.map(group => group.issues)).toEqual([[n.drop], [n.extend]])
    expect(result.plan.sequence).toEqual([
      expect.objectContaining({ before: `g${n.extend}`, after: `g${n.drop}` })
    ])
    expect(result.plan.skips.map(skip => [skip.issue, skip.reason])).toEqual([
      [n.config, 'in-flight'],
      [n.closed, 'closed'],
      [n.umbrella, 'umbrella'],
      [n.pull, 'pull-request']
    ])
    const kinds = result.plan.findings.map(finding => [finding.kind, finding.needsDecision])
    expect(kinds).toEqual(
      expect.arrayContaining([
        ['semantic-overlap', true],
        ['same-region', false],
        ['umbrella', false]
      ])
    )
    const umbrella = result.plan.findings.find(finding => finding.kind === 'umbrella')
    expect(umbrella?.evidence).toContain(`#${n.umbrella} has sub-issues: #${n.part}.`)
    expect(result.summary).toContain(`re-dispatch the workflow with \`confirm: ${result.plan.id}\``)
    expect(result.summary).toContain('```mermaid')

    expect(result.comments.map(c => [c.issue, c.outcome])).toEqual([
      [n.drop, 'created'],
      [n.extend, 'created']
    ])
    for (const issue of [n.drop, n.extend]) {
      const found = await proposals(issue)
      expect(found).toHaveLength(1)
      expect(found[0]?.body).toContain(`Wave plan \`${result.plan.id}\``)
    }
    expect(await proposals(n.config)).toEqual([])

    expect(result.artifact).toBe(`waves-plan-${result.plan.id}-1`)
    const kept = await readFile(
      join(artifactsDir.path, String(context.run.runId), result.artifact, 'plan.json'),
      'utf8'
    )
    const parsed = parseWavePlan(JSON.parse(kept))
    expect(parsed.ok && parsed.value).toEqual(result.plan)
    expect(JSON.parse(result.planOutput)).toEqual(result.plan)

    // Requests: per issue a read and (when it could be planned) its sub-issues, the referenced
    // sub-issue, the pipeline's PRs and their files; then a list and a write per comment.
    const reads = requests.filter(
      entry => entry.method === 'GET' && !entry.route.endsWith('/comments')
    )
    expect(reads.length).toBeLessThanOrEqual(2 * haltingBatch().length + 2)
    expect(writeRequests(requests).map(entry => `${entry.method} ${entry.route}`)).toEqual([
      'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
      'POST /repos/{owner}/{repo}/issues/{issue_number}/comments'
    ])
    expect(requests).toHaveLength(reads.length + 4)
  })

  test('a re-run of the same batch leaves the comments unchanged and writes nothing', async () => {
    const since = forge.requests().length
    const result = await runPlanPhase(
      phaseContext(),
      new GitWorkTree(repo.workspace),
      request({ issues: haltingBatch() })
    )
    expect(result.outcome === 'planned' && result.plan.id).toBe(firstPlanId)
    expect(result.outcome === 'planned' && result.comments.map(c => c.outcome)).toEqual([
      'unchanged',
      'unchanged'
    ])
    expect(writeRequests(restRequests(forge, since))).toEqual([])
  })

  test('a re-plan after an issue changed updates each comment in place, and a stale confirm is refused', async () => {
    const n = repo.numbers
    await repo.api.rest.issues.update({
      owner: forge.owner,
      repo: repo.name,
      issue_number: n.extend,
      title: 'Dates in e-mails and receipts should show the time zone'
    })
    const before = await proposals(n.extend)

    const since = forge.requests().length
    const stale = await runPlanPhase(
      phaseContext(),
      new GitWorkTree(repo.workspace),
      request({ issues: haltingBatch(), confirm: firstPlanId })
    )
    if (stale.outcome !== 'refused') throw new Error(`expected a refusal, got ${stale.outcome}`)
    expect(stale.plan.id).not.toBe(firstPlanId)
    expect(stale.message).toBe(
      `Input 'confirm': plan '${firstPlanId}' no longer matches the current plan '${stale.plan.id}' (the issues changed since it was proposed). Review the new proposal and re-dispatch with confirm: ${stale.plan.id}.`
    )
    expect(stale.summary).toContain('**Refused:**')
    expect(writeRequests(restRequests(forge, since))).toEqual([])

    const replanned = await runPlanPhase(
      phaseContext(),
      new GitWorkTree(repo.workspace),
      request({ issues: haltingBatch() })
    )
    if (replanned.outcome !== 'planned') throw new Error('expected a plan')
    expect(replanned.plan.id).toBe(stale.plan.id)
    expect(replanned.comments.map(c => [c.issue, c.outcome])).toEqual([
      [n.drop, 'updated'],
      [n.extend, 'updated']
    ])
    const after = await proposals(n.extend)
    expect(after).toHaveLength(1)
    expect(after[0]?.id).toBe(before[0]?.id)
    expect(after[0]?.body).toContain(`Wave plan \`${replanned.plan.id}\``)
    firstPlanId = replanned.plan.id
  })

  test('the confirmed id starts the wave: a matrix of the groups in order, no comment written', async () => {
    const since = forge.requests().length
    const result = await runPlanPhase(
      phaseContext(),
      new GitWorkTree(repo.workspace),
      request({ issues: haltingBatch(), confirm: firstPlanId })
    )
    if (result.outcome !== 'planned') throw new Error('expected a plan')
    expect(result.halted).toBe(false)
    expect(result.decision).toMatchObject({ outcome: 'proceed', confirmed: true })
    const matrix = JSON.parse(result.matrix) as { include: { id: string; issues: number[] }[] }
    expect(matrix.include.map(group => group.issues)).toEqual([
      [repo.numbers.extend],
      [repo.numbers.drop]
    ])
    expect(result.comments).toEqual([])
    expect(writeRequests(restRequests(forge, since))).toEqual([])
  })

  test('an issue labelled with the trigger label is planned alone, against the open pipeline PRs', async () => {
    const n = repo.numbers
    const labelled = (issue: number, label: string) =>
      request({
        event: {
          name: 'issues',
          action: 'labeled',
          issue,
          label,
          sender: forge.userFor('write').login
        }
      })
    const result = await runPlanPhase(
      phaseContext(),
      new GitWorkTree(repo.workspace),
      labelled(n.config, 'codex-waves')
    )
    if (result.outcome !== 'planned') throw new Error('expected a plan')
    expect(result.plan.groups).toEqual([])
    expect(result.plan.skips).toEqual([
      {
        issue: n.config,
        reason: 'in-flight',
        detail: `#${n.config} already has an open pipeline pull request: PR #${n.pull} (\`fix/${n.config}-byte-order-mark\`).`
      }
    ])
    expect(result.matrix).toBe('')
    expect(result.halted).toBe(false)

    const single = await runPlanPhase(
      phaseContext(),
      new GitWorkTree(repo.workspace),
      labelled(n.drop, 'codex-waves')
    )
    expect(single.outcome === 'planned' && JSON.parse(single.matrix)).toMatchObject({
      include: [{ id: `g${n.drop}`, issues: [n.drop], branchType: 'refactor' }]
    })
  })

  test("another label plans nothing, reading only the labeller's permission; an event that is no label is an error", async () => {
    const since = forge.requests().length
    const writer = forge.userFor('write').login
    const other = await runPlanPhase(
      phaseContext(),
      new GitWorkTree(repo.workspace),
      request({
        event: { name: 'issues', action: 'labeled', issue: 3, label: 'bug', sender: writer }
      })
    )
    expect(other).toEqual({
      outcome: 'nothing',
      summary:
        "## Wave plan\n\n**Nothing to plan.** Issue #3 was labelled 'bug', not the trigger label 'codex-waves': nothing to plan.\n"
    })
    await expect(
      runPlanPhase(
        phaseContext(),
        new GitWorkTree(repo.workspace),
        request({
          event: {
            name: 'workflow_dispatch',
            action: null,
            issue: null,
            label: null,
            sender: writer
          }
        })
      )
    ).rejects.toThrow(
      "Input 'issues' is empty and the triggering event 'workflow_dispatch' is not an issue labelled 'codex-waves'. Pass the issue numbers in 'issues', e.g. '12, 15, 17'."
    )
    expect(restRequests(forge, since).map(entry => entry.route)).toEqual([
      '/repos/{owner}/{repo}/collaborators/{username}/permission'
    ])
  })

  test('a label set by someone who may not write does nothing but read their permission', async () => {
    const n = repo.numbers
    const reader = forge.userFor('read').login
    const cases = [
      { sender: reader, issues: [] },
      // the issues input does not get round the check
      { sender: 'stranger', issues: [n.drop, n.extend] },
      { sender: null, issues: [] }
    ]
    const refusals: string[] = []
    for (const { sender, issues } of cases) {
      const since = forge.requests().length
      logged.length = 0
      const result = await runPlanPhase(
        phaseContext(),
        new GitWorkTree(repo.workspace),
        request({
          issues,
          event: { name: 'issues', action: 'labeled', issue: n.drop, label: 'codex-waves', sender }
        })
      )
      expect(result.outcome).toBe('nothing')
      expect(restRequests(forge, since).map(entry => entry.route)).toEqual(
        sender === null ? [] : ['/repos/{owner}/{repo}/collaborators/{username}/permission']
      )
      const notices = logged.filter(line => line.startsWith('notice: '))
      expect(notices).toHaveLength(1)
      expect(result.summary).toContain('**Nothing to plan.**')
      refusals.push(notices[0]!.slice('notice: '.length))
    }
    expect(refusals[0]).toBe(
      `${reader} has 'read' access to ${forge.owner}/${repo.name}, not write, maintain or admin: a label starts a wave only when the person who set it may write to the repository. Nothing was done; someone with write access can set the label again or run the dispatch workflow by hand.`
    )
    expect(refusals[1]).toMatch(/^stranger has no access to /)
    expect(refusals[2]).toMatch(/^The labelled event names no sender/)
  })

  test('a base that is not checked out is an error naming it, before any request', async () => {
    const since = forge.requests().length
    await expect(
      runPlanPhase(
        phaseContext(),
        new GitWorkTree(repo.workspace),
        request({ issues: [repo.numbers.drop], base: 'release' })
      )
    ).rejects.toThrow(
      "Base 'release' is not in the checked-out repository (neither refs/remotes/origin/release nor refs/heads/release exists)."
    )
    expect(restRequests(forge, since)).toEqual([])
  })

  test('a named base is read at its remote-tracking branch, not at HEAD', async () => {
    const git = new GitWorkTree(repo.workspace)
    const headBefore = await git.revParse('HEAD')
    // A local commit that removes the helper: HEAD no longer defines it, origin/main does.
    await git.exec(['checkout', '--quiet', '-b', 'scratch'])
    await git.exec(['rm', '--quiet', 'src/format.ts'])
    await git.exec([
      '-c',
      'user.name=T',
      '-c',
      'user.email=t@example.test',
      'commit',
      '--quiet',
      '-m',
      'scratch'
    ])
    try {
      const neverConfirm = { ...defaultWaveConfig(), confirm: 'never' as const }
      const batch = [repo.numbers.drop, repo.numbers.extend]
      const atBase = await runPlanPhase(
        { ...phaseContext(), config: neverConfirm },
        git,
        request({ issues: batch, base: 'main' })
      )
      const atHead = await runPlanPhase(
        { ...phaseContext(), config: neverConfirm },
        git,
        request({ issues: batch })
      )
      const paths = (result: typeof atBase) =>
        result.outcome === 'planned' ? result.plan.findings.flatMap(finding => finding.paths) : []
      expect(paths(atBase)).toContain('src/format.ts')
      expect(paths(atHead)).not.toContain('src/format.ts')
    } finally {
      await git.exec(['checkout', '--quiet', 'main'])
      await git.exec(['branch', '--quiet', '-D', 'scratch'])
      expect(await git.revParse('HEAD')).toBe(headBefore)
    }
  })

  test('with an environment, a plan that needs a confirmation starts its jobs, which wait for its approval', async () => {
    const n = repo.numbers
    const result = await runPlanPhase(
      phaseContext(),
      new GitWorkTree(repo.workspace),
      request({ issues: haltingBatch(), environment: 'waves-go' })
    )
    if (result.outcome !== 'planned') throw new Error('expected a plan')
    expect(result.plan.id).toBe(firstPlanId)
    expect(result.decision.outcome).toBe('await-approval')
    expect(result.halted).toBe(false)
    expect(result.needsConfirmation).toBe(true)
    expect(result.environment).toBe('waves-go')
    const matrix = JSON.parse(result.matrix) as { include: { issues: number[] }[] }
    expect(matrix.include.map(group => group.issues)).toEqual([[n.extend], [n.drop]])
    expect(result.summary).toContain('**Waiting for approval:** 1 finding needs a decision.')
    expect(result.comments.map(c => [c.issue, c.outcome])).toEqual([
      [n.drop, 'updated'],
      [n.extend, 'updated']
    ])
    for (const issue of [n.drop, n.extend]) {
      const [comment] = await proposals(issue)
      expect(comment?.body).toContain(
        'a required reviewer of the `waves-go` environment approves the implement jobs waiting on this run'
      )
      expect(comment?.body).toContain(`re-dispatch the workflow with \`confirm: ${firstPlanId}\``)
    }
  })

  test("a pipeline branch without a PR puts its issue in flight, and what it changes in others' way", async () => {
    const n = repo.numbers
    const branch = `feat/${n.extend}-time-zone`
    await pushBranchWithoutPull(forge, repo, branch, {
      'src/format.ts':
        'export function legacyFormat(date: Date, zone?: string) {\n  return date.toUTCString() + (zone ?? "")\n}\n'
    })
    const git = new GitWorkTree(repo.workspace)
    // A branch fetched by an earlier plan and deleted on the remote since must not count.
    const stale = `refs/codex-waves/branches/fix/${n.part}-gone`
    await git.exec(['update-ref', stale, 'HEAD'])
    const batch = [n.drop, n.extend, n.config, n.part]
    const branches = { remote: 'origin', auth: { token: forge.tokens.actions } }

    const withoutSince = forge.requests().length
    const without = await runPlanPhase(phaseContext(), git, request({ issues: batch }))
    const withoutRoutes = restRequests(forge, withoutSince).map(e => `${e.method} ${e.route}`)
    const since = forge.requests().length
    const result = await runPlanPhase(phaseContext(), git, request({ issues: batch, branches }))
    const routes = restRequests(forge, since).map(e => `${e.method} ${e.route}`)
    if (result.outcome !== 'planned' || without.outcome !== 'planned') {
      throw new Error('expected plans')
    }

    expect(without.plan.skips.map(skip => skip.issue)).toEqual([n.config])
    expect(result.plan.skips).toEqual([
      {
        issue: n.extend,
        reason: 'in-flight',
        detail: `#${n.extend} already has a pipeline branch without an open pull request: \`${branch}\`. Open a pull request from it with the pipeline's label, or delete it to plan #${n.extend} afresh.`
      },
      expect.objectContaining({ issue: n.config, reason: 'in-flight' })
    ])
    expect(result.plan.groups.map(group => group.issues)).toEqual([[n.drop], [n.part]])
    expect(result.plan.findings).toContainEqual(
      expect.objectContaining({
        kind: 'same-region',
        issues: [n.drop],
        paths: ['src/format.ts'],
        evidence: expect.arrayContaining([
          `Pipeline branch \`${branch}\` (no open pull request) changes \`src/format.ts\`.`
        ]),
        needsDecision: true
      })
    )
    expect(result.needsConfirmation).toBe(true)
    // the branches come from git: the same issue and pull request reads as without them (sub-issues
    // aside, as an issue in flight is not asked for its own), nothing about branches or refs
    const reads = (list: string[]) =>
      list.filter(
        route =>
          route.startsWith('GET') && !route.endsWith('/comments') && !route.includes('sub_issues')
      )
    expect(reads(routes)).toEqual(reads(withoutRoutes))
    expect(routes.filter(route => /branches|\/git\//.test(route))).toEqual([])
    expect(await git.hasRevision(stale)).toBe(false)
    expect(await git.hasRevision(`refs/codex-waves/branches/${branch}`)).toBe(true)
  })
})
