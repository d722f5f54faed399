/**
 * From events to finished runs: an event is delivered to the workflows of its commit (the ref a
 * dispatch names, the pushed commit, else the default branch); each workflow it starts becomes a
 * run on the forge, executed under the workflow's concurrency group; a run that ends sends
 * `workflow_run` one level deeper. Keeps the runs' records and knows when nothing can move.
 */
import type { ForgeEvent } from '../github-emulator/types.js'
import { readConcurrency } from './concurrency.js'
import type { EngineForge } from './engine-forge.js'
import { evaluateToken, valueText, type Contexts, type Value } from './expressions.js'
import type { JobHost } from './job-execution.js'
import { githubContext, type RunFacts } from './job-setup.js'
import type { RunRecord } from './records.js'
import { conclusionOf, runJobs } from './run-execution.js'
import { starts, type TriggerEvent } from './triggers.js'
import type { WorkflowCatalog } from './workflow-catalog.js'
import type { WorkflowModel } from './workflow.js'

/** What the engine tells its watcher. */
export type EngineNotice =
  { kind: 'run-started'; run: RunRecord } | { kind: 'run-completed'; run: RunRecord }

/** What the starter needs. */
export interface StarterHost {
  forge: EngineForge
  repo: string
  repository: string
  catalog: WorkflowCatalog
  jobHost: JobHost
  vars: Readonly<Record<string, string>>
  onNotice: (notice: EngineNotice) => void
  /** Hands a new event (a run's `workflow_run`) back to the engine's inbox. */
  deliver: (event: TriggerEvent) => void
  /** Reports an engine error: the run fails, and the engine's waiters hear of it. */
  fail: (error: Error) => void
  changed: () => void
}

interface ActiveRun {
  record: RunRecord
  liveJobs: number
  /** Live jobs waiting for a reviewer or a concurrency group. */
  waitingJobs: number
  /** The run itself waits for its workflow's concurrency group. */
  waitingForGroup: boolean
}

/** Starts and tracks the runs of one repository. */
export class RunStarter {
  private readonly all: RunRecord[] = []
  private readonly active = new Map<number, ActiveRun>()

  constructor(private readonly host: StarterHost) {}

  /** Counts a run's jobs that are live, and those of them that wait. */
  activity(runId: number, kind: 'live' | 'waiting', change: 1 | -1): void {
    const run = this.active.get(runId)
    if (run) run[kind === 'live' ? 'liveJobs' : 'waitingJobs'] += change
    this.host.changed()
  }

  /** The trigger an event of the forge's log is, with its payload rendered now. */
  triggerOf(event: ForgeEvent): TriggerEvent {
    const payload = this.host.forge.webhookPayload(this.host.repo, event)
    const dispatch = event.type === 'workflow_dispatch'
    if (dispatch) delete payload.run_id
    return {
      name: event.type,
      action: event.action,
      payload,
      causedByActionsToken: event.causedByActionsToken,
      depth: 0,
      ...(dispatch
        ? { target: String(event.payload.workflow), runId: Number(event.payload.run_id) }
        : {})
    }
  }

  /** The ref and commit a run of this event runs on. */
  private async commitOf(event: TriggerEvent): Promise<{ ref: string; sha: string } | null> {
    const { forge, repo } = this.host
    const payload = event.payload as {
      ref?: string
      after?: string
      pull_request?: { number: number; head: { sha: string } }
    }
    if (event.runId !== undefined) {
      const run = forge.workflowRun(repo, event.runId)
      return run ? { ref: `refs/heads/${run.headBranch}`, sha: run.headSha } : null
    }
    if (event.name === 'push') {
      return payload.after ? { ref: String(payload.ref), sha: payload.after } : null
    }
    if (event.name.startsWith('pull_request') && payload.pull_request) {
      const pull = payload.pull_request
      return { ref: `refs/pull/${pull.number}/merge`, sha: pull.head.sha }
    }
    const branch = forge.defaultBranch(repo)
    const sha = await forge.resolveCommit(repo, `refs/heads/${branch}`)
    return sha === null ? null : { ref: `refs/heads/${branch}`, sha }
  }

  /** Delivers an event: starts a run of every workflow it triggers. */
  async deliver(event: TriggerEvent): Promise<void> {
    const commit = await this.commitOf(event)
    if (commit === null) return
    for (const workflow of await this.host.catalog.at(commit.sha)) {
      if (starts(workflow, event)) this.start(workflow, event, commit)
    }
  }

  private start(
    workflow: WorkflowModel,
    event: TriggerEvent,
    commit: { ref: string; sha: string }
  ): void {
    const { forge, repo } = this.host
    const sender =
      (event.payload.sender as { login?: string } | undefined)?.login ?? 'github-actions[bot]'
    const branch = commit.ref.replace(/^refs\/heads\//, '')
    const id =
      event.runId ??
      forge.createWorkflowRun(repo, {
        workflow: workflow.path,
        event: event.name,
        headBranch: branch,
        headSha: commit.sha,
        actor: sender,
        name: workflow.name
      })
    const record: RunRecord = {
      id,
      number: forge.workflowRun(repo, id)?.runNumber ?? 1,
      workflow: workflow.path,
      name: workflow.name,
      event: event.name,
      action: event.action,
      depth: event.name === 'workflow_run' ? event.depth : 0,
      ref: commit.ref,
      sha: commit.sha,
      actor: sender,
      status: 'queued',
      conclusion: null,
      jobs: [],
      startedAt: Date.now(),
      endedAt: null
    }
    this.all.push(record)
    this.active.set(id, { record, liveJobs: 0, waitingJobs: 0, waitingForGroup: false })
    const facts: RunFacts = {
      ...commit,
      id,
      number: record.number,
      workflow,
      event,
      actor: sender,
      repository: this.host.repository
    }
    void this.execute(record, facts)
  }

  private inputsOf(facts: RunFacts): Record<string, Value> {
    if (facts.event.name !== 'workflow_dispatch') return {}
    const given = (facts.event.payload.inputs ?? {}) as Record<string, Value>
    const declared = facts.workflow.events.workflow_dispatch?.inputs ?? {}
    const inputs: Record<string, Value> = {}
    for (const [name, config] of Object.entries(declared)) {
      const value = given[name] ?? config.default ?? ''
      inputs[name] =
        config.type === 'boolean' ? value === true || value === 'true' : valueText(value)
    }
    return inputs
  }

  private async execute(record: RunRecord, facts: RunFacts): Promise<void> {
    const { forge, repo, jobHost } = this.host
    const abort = new AbortController()
    const github = githubContext(facts, {
      jobId: '',
      token: '',
      workspace: '',
      apiUrl: jobHost.apiUrl,
      serverUrl: jobHost.serverUrl
    })
    const contexts: Contexts = { github, inputs: this.inputsOf(facts), vars: { ...this.host.vars } }
    let leave = () => undefined as void
    try {
      const group =
        facts.workflow.concurrency === null
          ? null
          : readConcurrency(
              evaluateToken(facts.workflow.concurrency, contexts, facts.workflow.path)
            )
      if (group !== null) {
        const member = { cancel: () => abort.abort() }
        const active = this.active.get(record.id)!
        active.waitingForGroup = true
        const admitted = await jobHost.concurrency.enter(
          group.group,
          member,
          group.cancelInProgress
        )
        active.waitingForGroup = false
        if (!admitted) return this.finish(record, 'cancelled')
        leave = () => jobHost.concurrency.leave(group.group, member)
      }
      forge.updateWorkflowRun(repo, record.id, { status: 'in_progress' })
      record.status = 'in_progress'
      this.host.onNotice({ kind: 'run-started', run: record })
      const summaries = await runJobs(
        jobHost,
        { actionSources: jobHost.actionSources },
        { run: facts, record, contexts, signal: abort.signal }
      )
      this.finish(
        record,
        abort.signal.aborted ? 'cancelled' : conclusionOf([...summaries.values()])
      )
    } catch (error) {
      this.host.fail(error as Error)
      this.finish(record, 'failure')
    } finally {
      leave()
    }
  }

  private finish(record: RunRecord, conclusion: NonNullable<RunRecord['conclusion']>): void {
    const { forge, repo } = this.host
    Object.assign(record, { status: 'completed', conclusion, endedAt: Date.now() })
    forge.updateWorkflowRun(repo, record.id, { status: 'completed', conclusion })
    this.active.delete(record.id)
    this.host.onNotice({ kind: 'run-completed', run: record })
    const event: ForgeEvent = {
      id: 0,
      repository: this.host.repository,
      type: 'workflow_run',
      action: 'completed',
      actor: record.actor,
      causedByActionsToken: false,
      payload: { run_id: record.id },
      at: new Date().toISOString()
    }
    this.host.deliver({ ...this.triggerOf(event), depth: record.depth + 1 })
    this.host.changed()
  }

  /** Every run started so far, oldest first. */
  records(): RunRecord[] {
    return [...this.all]
  }

  /**
   * Whether no active run can move on its own: each waits for its concurrency group, or every one
   * of its live jobs waits (for a reviewer, or a group another run holds).
   */
  blockedOrDone(): boolean {
    return [...this.active.values()].every(
      run => run.waitingForGroup || (run.liveJobs > 0 && run.liveJobs === run.waitingJobs)
    )
  }

  /** The runs still active, for an error message. */
  describeActive(): string {
    const active = [...this.active.values()].map(run => {
      const jobs = run.record.jobs.map(job => `${job.name}=${job.result}`).join(', ')
      return `run ${run.record.id} of ${run.record.workflow} (${run.liveJobs} jobs live, ${run.waitingJobs} of them waiting; done: ${jobs || 'none'})`
    })
    return active.length === 0 ? 'no run is active' : active.join('; ')
  }
}
