/**
 * The implement step over a real git work tree and remote, with a codex stand-in that edits the
 * work tree and small in-memory forge, artifacts, ui and clock ports.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeEach, describe, expect, it } from '@jest/globals'
import { GitWorkTree } from '../../src/adapters/git.js'
import {
  defaultWaveConfig,
  implementerResultJsonSchema,
  parseDispatchRecord,
  sealPlan,
  type ImplementerResult,
  type WaveGroup
} from '../../src/contracts/index.js'
import { findLedger } from '../../src/ledger/index.js'
import {
  implementGroup,
  type ImplementPorts,
  type ImplementRequest
} from '../../src/phases/implement/implement.js'
import type {
  ArtifactFile,
  CodexRunRequest,
  CodexRunResult,
  ForgeComment,
  ForgeIssue,
  ForgePull
} from '../../src/ports.js'
import { gitOk } from '../github-emulator/helpers.js'

const roots: string[] = []
afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true })
})

const GROUP: WaveGroup = {
  id: 'g12',
  issues: [12],
  branchType: 'fix',
  title: 'Null title crashes',
  openQuestions: []
}
const BRANCH = 'fix/12-null-title-crashes'

const DONE: ImplementerResult = {
  status: 'done',
  commit_title: 'fix: accept a null title',
  commit_body: 'Titles may be null.',
  pr_summary: 'Accepts null titles.',
  tests_run: ['npm test: ok'],
  open_questions: []
}

type Edit = (cwd: string) => Promise<void>

/** Codex stand-in: applies `edit` to the work tree and ends with `final`. */
class FakeCodex {
  requests: CodexRunRequest[] = []
  constructor(
    private readonly edit: Edit,
    private readonly final: string | null = JSON.stringify(DONE),
    private readonly outcome: CodexRunResult['outcome'] = 'succeeded'
  ) {}
  async run(request: CodexRunRequest): Promise<CodexRunResult> {
    this.requests.push(request)
    await this.edit(request.cwd)
    return {
      outcome: this.outcome,
      finalMessage: this.final,
      error: this.outcome === 'succeeded' ? null : 'codex exited 1: model unavailable.',
      threadId: 'thread-abc',
      usage: { inputTokens: 10, cachedInputTokens: 2, outputTokens: 3 },
      commands: [{ command: 'npm test', exitCode: 0 }],
      filesChanged: [],
      durationMs: 1500,
      eventLog: '{"type":"turn.completed"}\n'
    }
  }
}

/** The forge operations the step uses, in memory. */
class FakeForge {
  issues = new Map<number, ForgeIssue>()
  pulls: ForgePull[] = []
  comments = new Map<number, ForgeComment[]>()
  calls: string[] = []
  private nextId = 100

  addIssue(number: number, fields: Partial<ForgeIssue> = {}) {
    this.issues.set(number, {
      number,
      title: `Issue ${number}`,
      body: `Body of ${number}`,
      labels: [],
      state: 'open',
      locked: false,
      isPullRequest: false,
      author: 'someone',
      ...fields
    })
  }
  async getIssue(number: number) {
    this.calls.push(`getIssue ${number}`)
    return this.issues.get(number) ?? null
  }
  async listOpenPulls(filter: { head?: string } = {}) {
    this.calls.push('listOpenPulls')
    return this.pulls.filter(
      pull => pull.state === 'open' && (filter.head === undefined || pull.headRef === filter.head)
    )
  }
  async createPull(pull: { title: string; body: string; head: string; base: string }) {
    this.calls.push('createPull')
    const created: ForgePull = {
      number: this.nextId++,
      title: pull.title,
      body: pull.body,
      state: 'open',
      merged: false,
      draft: false,
      headRef: pull.head,
      headSha: '',
      crossRepository: false,
      baseRef: pull.base,
      baseSha: '',
      mergeable: null,
      labels: [],
      htmlUrl: `https://github.com/o/r/pull/${this.nextId - 1}`
    }
    this.pulls.push(created)
    return created
  }
  async updatePull(number: number, change: { title?: string; body?: string }) {
    this.calls.push('updatePull')
    const pull = this.pulls.find(candidate => candidate.number === number)!
    Object.assign(pull, change)
    return pull
  }
  async addLabels(number: number, labels: readonly string[]) {
    this.calls.push(`addLabels ${labels.join(',')}`)
    this.pulls.find(pull => pull.number === number)?.labels.push(...labels)
  }
  async listComments(issue: number) {
    this.calls.push(`listComments ${issue}`)
    return this.comments.get(issue) ?? []
  }
  async upsertComment(issue: number, marker: string, body: string, author: string) {
    this.calls.push(`upsertComment ${issue}`)
    const list = this.comments.get(issue) ?? []
    const existing = list.find(
      comment => comment.user.login === author && comment.body.includes(marker)
    )
    if (existing) {
      const outcome = existing.body === body ? 'unchanged' : 'updated'
      existing.body = body
      return { id: existing.id, outcome } as const
    }
    const comment = { id: this.nextId++, body, user: { login: author, type: 'Bot' } }
    this.comments.set(issue, [...list, comment])
    return { id: comment.id, outcome: 'created' } as const
  }
}

interface Fixture {
  remote: string
  workDir: string
  git: GitWorkTree
  forge: FakeForge
  uploads: Array<{ name: string; files: readonly ArtifactFile[] }>
  log: string[]
  ports(codex: FakeCodex, config?: Partial<ReturnType<typeof defaultWaveConfig>>): ImplementPorts
}

async function fixture(): Promise<Fixture> {
  const root = await mkdtemp(join(tmpdir(), 'implement-phase-'))
  roots.push(root)
  const remote = join(root, 'remote.git')
  const seed = join(root, 'seed')
  const workDir = join(root, 'work')
  await gitOk(root, ['init', '--quiet', '--bare', '-b', 'main', remote])
  await gitOk(root, ['clone', '--quiet', remote, seed])
  await writeFile(join(seed, 'AGENTS.md'), 'Use tabs.\n')
  await writeFile(join(seed, 'app.js'), 'export const title = null\n')
  await gitOk(seed, ['add', '-A'])
  await gitOk(seed, ['commit', '--quiet', '-m', 'initial'])
  await gitOk(seed, ['push', '--quiet', 'origin', 'main'])
  await gitOk(root, ['clone', '--quiet', remote, workDir])
  const git = new GitWorkTree(workDir, { identity: { name: 'pipeline', email: 'p@example.test' } })
  const forge = new FakeForge()
  forge.addIssue(12, { title: 'Null title crashes', body: 'Crash on `null`.' })
  const uploads: Fixture['uploads'] = []
  const log: string[] = []
  const ports = (codex: FakeCodex, config = {}): ImplementPorts => ({
    context: {
      run: { runId: 7, attempt: 1, url: 'https://github.com/o/r/actions/runs/7' },
      config: { ...defaultWaveConfig(), ...config },
      pipelineLogin: 'waves[bot]',
      ui: {
        info: message => log.push(message),
        notice: message => log.push(`notice: ${message}`),
        warning: message => log.push(`warning: ${message}`),
        error: message => log.push(`error: ${message}`),
        debug: () => undefined,
        group: async (title, body) => {
          log.push(`group: ${title}`)
          return body()
        },
        setOutput: () => undefined,
        appendSummary: async () => undefined
      },
      clock: { now: () => new Date('2025-01-31T12:00:00.000Z'), sleep: async () => undefined },
      forge,
      artifacts: {
        upload: async (name, files) => {
          uploads.push({ name, files })
          forge.calls.push(`upload ${name}`)
          return { name, id: uploads.length }
        }
      }
    },
    git,
    codex,
    workDir,
    remote: 'origin',
    auth: { token: 'not-used-by-a-file-remote' }
  })
  return { remote, workDir, git, forge, uploads, log, ports }
}

const request = (fields: Partial<ImplementRequest> = {}): ImplementRequest => ({
  group: GROUP,
  plan: null,
  base: null,
  timeoutMinutes: null,
  model: null,
  ...fields
})

const writeFix: Edit = cwd => writeFile(join(cwd, 'app.js'), 'export const title = ""\n')

async function remoteHeads(remote: string): Promise<string> {
  return gitOk(remote, ['for-each-ref', '--format=%(refname)', 'refs/heads'])
}

let f: Fixture
beforeEach(async () => {
  f = await fixture()
})

describe('implementGroup', () => {
  it('opens a PR: commit with trailers pushed, PR labelled, ledger written, artifact uploaded', async () => {
    const codex = new FakeCodex(writeFix)
    const result = await implementGroup(request(), f.ports(codex))

    expect(result).toEqual(
      expect.objectContaining({
        status: 'opened',
        branch: BRANCH,
        pr: { number: 100, url: 'https://github.com/o/r/pull/100' }
      })
    )
    expect(codex.requests[0]).toEqual(
      expect.objectContaining({
        cwd: f.workDir,
        sandbox: 'workspace-write',
        outputSchema: implementerResultJsonSchema,
        timeoutMs: 45 * 60_000
      })
    )
    expect(codex.requests[0]?.prompt).toContain('Use tabs.')
    expect(await gitOk(f.remote, ['log', '-1', '--format=%B', BRANCH])).toBe(
      'fix: accept a null title\n\nTitles may be null.\n\nCodex-Thread: thread-abc\nCodex-Waves-Run: https://github.com/o/r/actions/runs/7\nRefs: #12'
    )
    expect(await gitOk(f.remote, ['rev-parse', BRANCH])).toBe(result.headSha)
    expect(f.forge.calls).toEqual([
      'getIssue 12',
      'listOpenPulls',
      'createPull',
      'addLabels codex-waves',
      // the artifact the ledger points the review at exists before the ledger does
      'upload waves-dispatch-g12-1',
      'upsertComment 100'
    ])
    const { ledger } = findLedger(f.forge.comments.get(100) ?? [], 'waves[bot]')
    expect(ledger?.usage.dispatch).toEqual({
      inputTokens: 10,
      cachedInputTokens: 2,
      outputTokens: 3,
      durationMs: 1500
    })
    expect(f.uploads.map(upload => [upload.name, upload.files.map(file => file.path)])).toEqual([
      ['waves-dispatch-g12-1', ['prompt.md', 'codex-events.jsonl', 'record.json']]
    ])
    const record = parseDispatchRecord(JSON.parse(String(f.uploads[0]?.files[2]?.content)))
    expect(record.ok && record.value.outcome).toBe('opened')
    expect(f.log).toContain('group: codex: implement group g12 (#12)')
    expect(f.log).toContain('   M app.js')
  })

  it('reuses the group’s branch and PR: builds on the branch, updates the PR and the ledger', async () => {
    const first = await implementGroup(request(), f.ports(new FakeCodex(writeFix)))
    f.forge.calls = []
    const again = await fixture()
    const second = new FakeCodex(
      cwd => writeFile(join(cwd, 'more.js'), 'export const more = 1\n'),
      JSON.stringify({ ...DONE, pr_summary: 'More.' })
    )
    const ports = f.ports(second)
    const otherWorkTree = new GitWorkTree(again.workDir, {
      identity: { name: 'pipeline', email: 'p@example.test' }
    })
    await gitOk(again.workDir, ['remote', 'set-url', 'origin', f.remote])
    const result = await implementGroup(request(), {
      ...ports,
      git: otherWorkTree,
      workDir: again.workDir
    })

    expect(result.status).toBe('updated')
    expect(result.pr?.number).toBe(first.pr?.number)
    expect(await gitOk(f.remote, ['rev-parse', `${BRANCH}~1`])).toBe(first.headSha)
    expect(f.forge.calls).toEqual([
      'getIssue 12',
      'listOpenPulls',
      'updatePull',
      'upload waves-dispatch-g12-1',
      'listComments 100',
      'upsertComment 100'
    ])
    expect(f.forge.comments.get(100)).toHaveLength(1)
    const { ledger } = findLedger(f.forge.comments.get(100) ?? [], 'waves[bot]')
    expect(ledger?.usage.dispatch.inputTokens).toBe(20)
  })

  it('skips a group whose issue was closed, without running codex', async () => {
    f.forge.addIssue(12, { state: 'closed' })
    const codex = new FakeCodex(writeFix)
    const result = await implementGroup(request(), f.ports(codex))
    expect(result).toEqual(
      expect.objectContaining({ status: 'skipped', usage: null, artifact: null })
    )
    expect(result.message).toBe(
      'Group "g12" was skipped: #12 is closed. Plan the wave again to drop or replace these issues.'
    )
    expect(codex.requests).toEqual([])
  })

  it('fails without pushing when the final message is not a valid result', async () => {
    const result = await implementGroup(
      request(),
      f.ports(new FakeCodex(writeFix, '{"status":"done"}'))
    )
    expect(result.status).toBe('failed')
    expect(result.message).toContain('codex ended without a valid result.')
    expect(result.message).toContain('commit_title')
    expect(await remoteHeads(f.remote)).toBe('refs/heads/main')
    const record = parseDispatchRecord(JSON.parse(String(f.uploads[0]?.files[2]?.content)))
    expect(record.ok && record.value).toEqual(
      expect.objectContaining({ outcome: 'failed', headSha: null })
    )
  })

  it('fails without pushing on a conflict marker in an untracked file', async () => {
    const edit: Edit = cwd => writeFile(join(cwd, 'new dir file.txt'), 'a\n>>>>>>> theirs\n')
    const result = await implementGroup(request(), f.ports(new FakeCodex(edit)))
    expect(result.status).toBe('failed')
    expect(result.message).toContain(
      "conflict markers ('<<<<<<<' or '>>>>>>>' lines) in new dir file.txt."
    )
    expect(await remoteHeads(f.remote)).toBe('refs/heads/main')
  })

  it('comments no-changes on every issue once, and pushes nothing', async () => {
    const group = { ...GROUP, id: 'g12-13', issues: [12, 13] }
    f.forge.addIssue(13)
    const ports = f.ports(new FakeCodex(async () => undefined))
    await implementGroup(request({ group }), ports)
    const result = await implementGroup(request({ group }), ports)
    expect(result.status).toBe('no-changes')
    expect(f.forge.comments.get(12)).toHaveLength(1)
    expect(f.forge.comments.get(13)).toHaveLength(1)
    expect(f.forge.comments.get(12)?.[0]?.body).toContain('Accepts null titles.')
    expect(await remoteHeads(f.remote)).toBe('refs/heads/main')
  })

  it('takes the timeout from the input in minutes and the base from the config', async () => {
    await gitOk(f.workDir, ['push', '--quiet', 'origin', 'main:release'])
    const codex = new FakeCodex(writeFix)
    const result = await implementGroup(
      request({ timeoutMinutes: 0.1 }),
      f.ports(codex, { base: 'release' })
    )
    expect(codex.requests[0]?.timeoutMs).toBe(6_000)
    expect(result.status).toBe('opened')
    expect(f.forge.pulls[0]?.baseRef).toBe('release')
  })

  it('names the wave’s other issues out of scope and the plan’s id in the ledger', async () => {
    const other: WaveGroup = {
      id: 'g14',
      issues: [14],
      branchType: 'feat',
      title: 'Other',
      openQuestions: []
    }
    const plan = sealPlan({
      v: 1,
      issues: [
        { number: 12, title: 'Null title crashes', labels: [], state: 'open' },
        { number: 14, title: 'Add dark mode', labels: [], state: 'open' }
      ],
      groups: [GROUP, other],
      sequence: [],
      skips: [],
      findings: [],
      needsConfirmation: false
    })
    const codex = new FakeCodex(writeFix)
    await implementGroup(request({ plan }), f.ports(codex))
    expect(codex.requests[0]?.prompt).toContain('  - #14 `Add dark mode`')
    const { ledger } = findLedger(f.forge.comments.get(100) ?? [], 'waves[bot]')
    expect(ledger?.planId).toBe(plan.id)
  })

  it('refuses a detached HEAD without a base, naming the fix', async () => {
    await gitOk(f.workDir, ['remote', 'set-head', 'origin', '--delete'])
    await gitOk(f.workDir, ['checkout', '--quiet', '--detach'])
    await expect(implementGroup(request(), f.ports(new FakeCodex(writeFix)))).rejects.toThrow(
      "Set the 'base' input (e.g. 'main'), or check out the default branch."
    )
  })
})
