/**
 * The correct action end to end, between runs of the review action: both bundles run as the
 * runner runs them, against the sandbox forge, with the real codex binary and the scripted model.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ImplementerResult, ReviewVerdict } from '../../src/contracts/index.js'
import { createCodexHome, type CodexHome } from '../../harness/codex-model/codex-home.js'
import {
  applyPatch,
  execCommand,
  finalJson,
  startScriptedModel,
  toolCalls,
  type RecordedRequest,
  type ScriptedModel
} from '../../harness/codex-model/scripted-model.js'
import { gitOk, remoteWithToken } from '../github-emulator/helpers.js'
import { codexThen } from './fixtures/codex-wrappers.js'
import { PIPELINE_LOGIN, PipelineRepo, type PipelinePr } from './fixtures/pipeline-pr.js'

const TIMEOUT = 300_000

let world: PipelineRepo
let model: ScriptedModel
let home: CodexHome

beforeAll(async () => {
  world = await PipelineRepo.start()
  model = await startScriptedModel()
  home = await createCodexHome({ modelUrl: model.url })
}, TIMEOUT)

afterAll(async () => {
  await model?.close()
  await home?.remove()
  await world?.close()
})

const finding = (id: string, title: string, file: string | null = 'src/numbers.js') => ({
  id,
  title,
  detail: `${title}: fix it.`,
  file,
  line: null,
  checklist_item: 'other' as const
})

/** A review with one blocking item, one should-fix item and one nit. */
const CHANGES: ReviewVerdict = {
  verdict: 'changes_requested',
  summary: 'mean([]) still returns NaN.',
  blocking: [finding('B1', 'mean([]) returns NaN')],
  should_fix: [finding('S1', 'No test for the empty list', 'test/numbers.test.js')],
  nits: [finding('N1', 'Rename values to numbers')],
  scope_violations: []
}

const APPROVED: ReviewVerdict = {
  verdict: 'approved',
  summary: 'mean([]) returns 0 now.',
  blocking: [],
  should_fix: [],
  nits: [],
  scope_violations: []
}

const done = (title: string): ImplementerResult => ({
  status: 'done',
  commit_title: title,
  commit_body: 'Addresses the review.',
  pr_summary: 'Returned 0 for an empty list.',
  tests_run: [],
  open_questions: []
})

const FIX_PATCH = `*** Begin Patch
*** Update File: src/numbers.js
@@
 export function mean(values) {
+  if (values.length === 0) return 0
   return sum(values) / values.length
*** End Patch`

const notePatch = (cycle: number) => `*** Begin Patch
*** Add File: notes/cycle-${cycle}.md
+An attempt, cycle ${cycle}.
*** End Patch`

async function run(action: 'review' | 'correct', pr: PipelinePr, codexPath?: string) {
  const start = model.requests.length
  const result = await world.runPhase(action, {
    pr: pr.pr,
    codexEnv: home.env,
    ...(codexPath === undefined ? {} : { codexPath })
  })
  return { ...result, requests: model.requests.slice(start) }
}

async function comments(pr: number) {
  const { data } = await world.api().rest.issues.listComments({
    owner: world.owner,
    repo: world.repo,
    issue_number: pr
  })
  return data
}

const marked = (list: Array<{ body?: string }>, marker: string) =>
  list.filter(comment => comment.body?.includes(marker))

function ledgerOf(list: Array<{ body?: string; user: { login: string } | null }>) {
  const body = list.find(
    c => c.user?.login === PIPELINE_LOGIN && c.body?.startsWith('<!-- codex-waves:ledger')
  )?.body
  const json = /^<!-- codex-waves:ledger v1\n([\s\S]*?)\n-->/.exec(body ?? '')?.[1]
  return JSON.parse(json ?? 'null') as { cycles: number; status: string; statusReason: string }
}

async function branchHead(branch: string): Promise<string> {
  const { data } = await world.api().rest.git.getRef({
    owner: world.owner,
    repo: world.repo,
    ref: `heads/${branch}`
  })
  return data.object.sha
}

function section(prompt: string, from: string, to: string): string {
  const start = prompt.indexOf(from)
  return prompt.slice(start, prompt.indexOf(to, start + from.length))
}

function promptOf(request: RecordedRequest): string {
  return JSON.parse(JSON.stringify(request.body?.input ?? []))
    .flatMap((item: { content?: Array<{ text?: string }> }) => item.content ?? [])
    .map((part: { text?: string }) => part.text ?? '')
    .join('\n')
}

/**
 * Someone else's commit on the PR's branch, and a codex path whose runs push it once codex ends:
 * a push to the branch while a correction runs.
 */
async function theirPushDuringCodex(
  pr: PipelinePr,
  clone: string,
  message: string
): Promise<{ theirSha: string; codexPath: string }> {
  const theirs = join(await world.workspace(), '..', clone)
  await gitOk(join(theirs, '..'), [
    'clone',
    '--quiet',
    remoteWithToken(world.forge.cloneUrl(world.repo), world.forge.tokens.write),
    theirs
  ])
  await gitOk(theirs, ['checkout', '--quiet', pr.branch])
  await gitOk(theirs, ['commit', '--quiet', '--allow-empty', '-m', message])
  const theirSha = await gitOk(theirs, ['rev-parse', 'HEAD'])
  const codexPath = await codexThen(home.dir, [
    'git',
    '-C',
    theirs,
    'push',
    '--quiet',
    'origin',
    `HEAD:refs/heads/${pr.branch}`
  ])
  return { theirSha, codexPath }
}

/**
 * A pipeline PR that changes the README's first paragraph, approved, green, and then sent back by
 * the merge phase with a conflict order: the base changed the same paragraph after it was opened.
 */
async function conflictingPr(slug: string): Promise<PipelinePr> {
  const pr = await world.openPipelinePr({
    slug,
    files: { 'README.md': `# tiny-lib\n\nThe ${slug} pull request's paragraph.\n` }
  })
  const base = join(await world.workspace(), '..', `${slug}-base`)
  await gitOk(join(base, '..'), [
    'clone',
    '--quiet',
    remoteWithToken(world.forge.cloneUrl(world.repo), world.forge.tokens.write),
    base
  ])
  await writeFile(join(base, 'README.md'), `# tiny-lib\n\nThe base's own paragraph (${slug}).\n`)
  await gitOk(base, ['commit', '--quiet', '-am', 'docs: the base rewrites the README'])
  await gitOk(base, ['push', '--quiet', 'origin', 'HEAD:refs/heads/main'])

  model.enqueue(finalJson(APPROVED))
  expect((await run('review', pr)).outputs.next).toBe('merge')
  await world.api().rest.repos.createCommitStatus({
    owner: world.owner,
    repo: world.repo,
    sha: pr.headSha,
    state: 'success',
    context: 'ci/test'
  })
  const merge = await world.runPhase('merge', {
    pr: pr.pr,
    codexEnv: home.env,
    inputs: { prs: String(pr.pr) }
  })
  expect(merge.exitCode).toBe(0)
  expect(JSON.parse(merge.outputs.blocked ?? '[]')).toMatchObject([
    { pr: pr.pr, reason: 'conflict', next: 'correct' }
  ])
  const started = world.forge
    .events(world.repo)
    .filter(event => event.type === 'workflow_dispatch')
    .map(event => JSON.stringify(event.payload))
  expect(started.at(-1)).toMatch(new RegExp(`codex-waves-correct\\.yml.*"pr":"${pr.pr}"`))
  return pr
}

/** The corrector's answer to a conflict: one shell command that writes the resolved README. */
const RESOLVE = execCommand(
  `printf '# tiny-lib\\n\\nThe base paragraph and the pull request paragraph, together.\\n' > README.md`
)

describe('correct action', () => {
  it(
    'one cycle fixes the finding: the corrector gets exactly the chosen items, pushes with the trailers, starts the review, and the next review approves; a re-run changes nothing',
    async () => {
      const pr = await world.openPipelinePr({
        slug: 'one-cycle',
        files: { 'README.md': '# tiny-lib\n\nMean.\n' }
      })
      model.enqueue(finalJson(CHANGES))
      expect((await run('review', pr)).outputs.next).toBe('correct')

      const eventsBefore = world.forge.events(world.repo).length
      model.enqueue(
        toolCalls(applyPatch(FIX_PATCH)),
        finalJson(done('fix: return 0 for the mean of an empty list'))
      )
      const corrected = await run('correct', pr)

      expect(corrected.annotations.filter(a => a.level === 'error')).toEqual([])
      expect(corrected.exitCode).toBe(0)
      expect(corrected.outputs).toMatchObject({ cycle: '1', status: 'corrected' })
      const newHead = corrected.outputs['head-sha'] ?? ''
      expect(newHead).not.toBe(pr.headSha)
      expect(await branchHead(pr.branch)).toBe(newHead)

      const prompt = promptOf(corrected.requests[0]!)
      const inScope = section(prompt, '### In scope', '### Out of scope')
      expect(inScope).toMatch(/B1.*mean\(\[\]\) returns NaN/)
      expect(inScope).toMatch(/S1.*No test for the empty list/)
      expect(inScope).not.toContain('N1')
      expect(section(prompt, '### Out of scope', '## Project rules')).toMatch(/N1.*deferred/)
      expect(prompt).toContain(pr.dispatchPrompt.split('\n')[2])

      const workspace = await world.workspace()
      await gitOk(workspace, [
        'fetch',
        '--quiet',
        remoteWithToken(world.forge.cloneUrl(world.repo), world.forge.tokens.read),
        pr.branch
      ])
      const message = await gitOk(workspace, ['log', '-1', '--format=%B', 'FETCH_HEAD'])
      expect(message).toMatch(/^fix: return 0 for the mean of an empty list/)
      expect(message).toMatch(/^Codex-Thread: \S+$/m)
      expect(message).toContain(
        `Codex-Waves-Run: https://github.com/${world.owner}/${world.repo}/actions/runs/${corrected.runId}`
      )

      const dispatches = world.forge
        .events(world.repo)
        .slice(eventsBefore)
        .filter(event => event.type === 'workflow_dispatch')
      expect(dispatches).toHaveLength(1)
      expect(JSON.stringify(dispatches[0]?.payload)).toContain('codex-waves-review.yml')

      const rerun = await run('correct', pr)
      expect(rerun.exitCode).toBe(0)
      expect(rerun.outputs).toMatchObject({ cycle: '1', status: 'corrected', 'head-sha': newHead })
      expect(rerun.requests).toEqual([])
      let all = await comments(pr.pr)
      expect(marked(all, '<!-- codex-waves:correction pr=')).toHaveLength(1)
      expect(ledgerOf(all).cycles).toBe(1)

      model.enqueue(finalJson(APPROVED))
      const approved = await run('review', pr)
      expect(approved.outputs).toMatchObject({
        verdict: 'approved',
        next: 'merge',
        'head-sha': newHead
      })
      all = await comments(pr.pr)
      expect(ledgerOf(all).status).toBe('approved')
    },
    TIMEOUT
  )

  it(
    'three cycles that never satisfy the reviewer escalate after the third, and a further run only says so',
    async () => {
      const pr = await world.openPipelinePr({
        slug: 'three-cycles',
        files: { 'README.md': '# tiny-lib\n\nThree.\n' }
      })
      for (let cycle = 1; cycle <= 3; cycle++) {
        model.enqueue(finalJson(CHANGES))
        expect((await run('review', pr)).outputs.next).toBe('correct')
        model.enqueue(
          toolCalls(applyPatch(notePatch(cycle))),
          finalJson(done(`fix: attempt ${cycle}`))
        )
        const corrected = await run('correct', pr)
        expect(corrected.outputs).toMatchObject({ cycle: String(cycle), status: 'corrected' })
      }
      model.enqueue(finalJson(CHANGES))
      expect((await run('review', pr)).outputs.next).toBe('correct')

      const escalated = await run('correct', pr)
      expect(escalated.exitCode).toBe(0)
      expect(escalated.outputs).toMatchObject({ cycle: '3', status: 'escalated' })
      expect(escalated.requests).toEqual([])
      const { data: issue } = await world.api().rest.issues.get({
        owner: world.owner,
        repo: world.repo,
        issue_number: pr.pr
      })
      expect(issue.labels.map(label => (typeof label === 'string' ? label : label.name))).toContain(
        'waves:needs-human'
      )
      let all = await comments(pr.pr)
      const escalation = marked(all, '<!-- codex-waves:escalation pr=')
      expect(escalation).toHaveLength(1)
      expect(escalation[0]?.body).toContain('Correction cycles spent: 3 of at most 3')
      expect(escalation[0]?.body).toContain('| blocking | `B1` | mean(\\[\\]) returns NaN |')
      expect(escalation[0]?.body).toContain('Fix it by hand')
      expect(ledgerOf(all).status).toBe('escalated')
      const head = await branchHead(pr.branch)
      const { data: statuses } = await world.api().rest.repos.listCommitStatusesForRef({
        owner: world.owner,
        repo: world.repo,
        ref: head
      })
      expect(statuses.map(s => s.state)).toEqual(['failure'])

      const fourth = await run('correct', pr)
      expect(fourth.exitCode).toBe(0)
      expect(fourth.outputs).toMatchObject({ status: 'escalated', 'head-sha': head })
      expect(fourth.requests).toEqual([])
      expect(fourth.stdout).toMatch(/is escalated to a person/)
      all = await comments(pr.pr)
      expect(marked(all, '<!-- codex-waves:escalation pr=')).toHaveLength(1)
      expect(marked(all, '<!-- codex-waves:correction pr=')).toHaveLength(3)
      expect(ledgerOf(all).cycles).toBe(3)
    },
    TIMEOUT
  )

  it(
    'a push by someone else while the corrector runs: the push is rejected, the step fails clearly, their commit stays',
    async () => {
      const pr = await world.openPipelinePr({
        slug: 'raced',
        files: { 'README.md': '# tiny-lib\n\nRaced.\n' }
      })
      model.enqueue(finalJson(CHANGES))
      expect((await run('review', pr)).outputs.next).toBe('correct')

      const { theirSha, codexPath } = await theirPushDuringCodex(
        pr,
        'their-clone',
        'docs: a maintainer’s own fix'
      )
      model.enqueue(
        toolCalls(applyPatch(FIX_PATCH)),
        finalJson(done('fix: return 0 for an empty list'))
      )
      const raced = await run('correct', pr, codexPath)

      expect(raced.exitCode).toBe(1)
      expect(raced.outputs.status).toBe('failed')
      const errors = raced.annotations.filter(a => a.level === 'error')
      expect(errors).toHaveLength(1)
      expect(errors[0]?.message).toMatch(
        new RegExp(
          `rejected .*someone pushed to the branch while the correction ran\\. Their commits are kept`
        )
      )
      expect(await branchHead(pr.branch)).toBe(theirSha)
      const all = await comments(pr.pr)
      expect(ledgerOf(all).status).toBe('failed')
      expect(marked(all, '<!-- codex-waves:correction pr=')).toEqual([])
    },
    TIMEOUT
  )

  it(
    'a conflict ordered by the merge: the branch moves onto the base, codex resolves the markers, and the push rewrites the branch with a lease',
    async () => {
      const pr = await conflictingPr('conflict')
      model.enqueue(toolCalls(RESOLVE), finalJson(done('fix: keep both README paragraphs')))
      const corrected = await run('correct', pr)

      expect(corrected.annotations.filter(a => a.level === 'error')).toEqual([])
      expect(corrected.outputs).toMatchObject({ cycle: '1', status: 'corrected' })
      expect(corrected.stdout).toMatch(/conflict markers for codex to resolve in README\.md/)
      const prompt = promptOf(corrected.requests[0]!)
      expect(section(prompt, '### In scope', '### Out of scope')).toContain('merge-conflict')
      expect(section(prompt, '## Conflicts', '## Project rules')).toMatch(
        /hold conflict markers[\s\S]*- `README\.md`/
      )
      expect(prompt).toMatch(/## The review\s+None: this correction comes from the merge phase/)

      const newHead = corrected.outputs['head-sha'] ?? ''
      expect(await branchHead(pr.branch)).toBe(newHead)
      const workspace = await world.workspace()
      const remote = remoteWithToken(world.forge.cloneUrl(world.repo), world.forge.tokens.read)
      await gitOk(workspace, ['fetch', '--quiet', remote, pr.branch, 'main'])
      const main = await gitOk(workspace, ['rev-parse', 'origin/main'])
      // One commit on top of the current base, holding the resolved file and no marker.
      expect(await gitOk(workspace, ['rev-parse', `${newHead}^`])).toBe(main)
      expect(await gitOk(workspace, ['show', `${newHead}:README.md`])).toBe(
        '# tiny-lib\n\nThe base paragraph and the pull request paragraph, together.'
      )
      expect(await gitOk(workspace, ['log', '-1', '--format=%B', newHead])).toMatch(
        /^Codex-Thread: \S+$/m
      )
      const all = await comments(pr.pr)
      expect(ledgerOf(all)).toMatchObject({ cycles: 1, status: 'in-review' })

      model.enqueue(finalJson(APPROVED))
      expect((await run('review', pr)).outputs).toMatchObject({
        next: 'merge',
        'head-sha': newHead
      })
    },
    TIMEOUT
  )

  it(
    'a push by someone else while a moved branch is corrected: the lease rejects the rewrite and their commit stays',
    async () => {
      const pr = await conflictingPr('leased')
      const { theirSha, codexPath } = await theirPushDuringCodex(
        pr,
        'leased-their-clone',
        'docs: their own note'
      )
      model.enqueue(toolCalls(RESOLVE), finalJson(done('fix: keep both README paragraphs')))
      const raced = await run('correct', pr, codexPath)

      expect(raced.exitCode).toBe(1)
      expect(raced.outputs.status).toBe('failed')
      expect(raced.annotations.filter(a => a.level === 'error')[0]?.message).toMatch(
        /rejected .*stale info.*someone pushed to the branch while the correction ran\. Their commits are kept/
      )
      expect(await branchHead(pr.branch)).toBe(theirSha)
    },
    TIMEOUT
  )
})
