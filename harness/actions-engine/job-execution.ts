/**
 * One job (one matrix leg) from start to end, as GitHub runs it: its concurrency group, its
 * environment's reviewers, a runner with its labels, a `GITHUB_TOKEN` carrying exactly its
 * permissions, the workspace, the contexts and environment, the steps, then its outputs and the
 * token revoked.
 */
import { randomUUID } from 'node:crypto'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { readConcurrency, type ConcurrencyGroups } from './concurrency.js'
import type { EnvironmentGate } from './environments.js'
import { evaluateTextMap, evaluateToken, type Contexts, type Value } from './expressions.js'
import { githubContext, type JobSetup, type RunFacts } from './job-setup.js'
import { runJobSteps, type StepHost } from './job-runner.js'
import type { MatrixLeg } from './matrix.js'
import {
  jobPermissions,
  type DefaultTokenPermissions,
  type GrantedPermissions
} from './permissions.js'
import { newJobRecord, type JobRecord } from './records.js'
import type { RunnerPool, RunnerSlot } from './runners.js'
import type { StandInHost } from './stand-ins.js'
import type { JobModel } from './workflow.js'

/** A job's token and the runtime variables of its actions, as the forge issues them. */
export interface IssuedJobToken {
  token: string
  tokenId: string
  runtimeEnv: Record<string, string>
}

/** What running a job needs from the engine. */
export interface JobHost {
  workDir: string
  repoName: string
  apiUrl: string
  serverUrl: string
  runners: RunnerPool
  concurrency: ConcurrencyGroups
  environments: EnvironmentGate
  defaultPermissions: DefaultTokenPermissions
  secrets: Readonly<Record<string, string>>
  issueJobToken(runId: number, permissions: GrantedPermissions): Promise<IssuedJobToken>
  revokeToken(token: string): void
  /** The check run GitHub shows for a job on its run's commit: started, then completed. */
  checkRun(
    name: string,
    headSha: string,
    runId: number
  ): (conclusion: 'success' | 'failure' | 'cancelled') => void
  /** The stand-ins' host for one job; tokens they mint are reported to `minted`. */
  standIns(minted: (token: string, tokenId: string) => void): StandInHost
  actionSources: Readonly<Record<string, string>>
  /**
   * Counts a run's live jobs, and those of them that wait: for a reviewer, or for a concurrency
   * group another run holds. Only a person or another run can move a waiting job.
   */
  activity(runId: number, kind: 'live' | 'waiting', change: 1 | -1): void
}

/** The job to run and the run around it. */
export interface JobCall {
  run: RunFacts
  job: JobModel
  leg: MatrixLeg | null
  name: string
  /** Contexts the job's `if:` already saw: github, inputs, vars, needs, and strategy and matrix. */
  contexts: Contexts
  /** The run's cancellation. */
  signal: AbortSignal
}

const DEFAULT_JOB_MINUTES = 360

function runsOnLabels(call: JobCall): string[] {
  const value = evaluateToken(call.job.runsOn, call.contexts, call.run.workflow.path)
  const labels = typeof value === 'string' ? [value] : Array.isArray(value) ? value : null
  if (labels === null || !labels.every(label => typeof label === 'string')) {
    throw new Error(
      `'runs-on' is ${JSON.stringify(value)}; the engine takes a label or a list of labels`
    )
  }
  return labels as string[]
}

async function workspaceFor(
  host: JobHost,
  taken: RunnerSlot
): Promise<{ workspace: string; temp: string }> {
  // A hosted job gets a fresh machine; a self-hosted runner keeps its work folder between jobs.
  const root = taken.spec.hosted
    ? join(host.workDir, 'hosted', randomUUID())
    : join(host.workDir, 'runners', `${taken.spec.name}-${taken.slot}`, '_work')
  const workspace = join(root, host.repoName, host.repoName)
  const temp = join(root, '_temp')
  await rm(temp, { recursive: true, force: true })
  await mkdir(workspace, { recursive: true })
  await mkdir(temp, { recursive: true })
  return { workspace, temp }
}

function permissionsOf(call: JobCall, host: JobHost): GrantedPermissions {
  const file = call.run.workflow.path
  const read = (token: JobModel['permissions']) =>
    token === null
      ? null
      : { value: evaluateToken(token, {}, file), place: { file, line: token.line } }
  return jobPermissions(
    read(call.job.permissions),
    read(call.run.workflow.permissions),
    host.defaultPermissions
  )
}

async function prepare(
  host: JobHost,
  call: JobCall,
  taken: RunnerSlot,
  issued: IssuedJobToken,
  signal: AbortSignal
): Promise<JobSetup> {
  const { workspace, temp } = await workspaceFor(host, taken)
  const eventPath = join(temp, '_github_workflow', 'event.json')
  await mkdir(join(temp, '_github_workflow'), { recursive: true })
  await writeFile(eventPath, JSON.stringify(call.run.event.payload, null, 2))
  const github = githubContext(call.run, {
    jobId: call.job.id,
    token: issued.token,
    workspace,
    apiUrl: host.apiUrl,
    serverUrl: host.serverUrl
  })
  const secrets = { ...host.secrets, GITHUB_TOKEN: issued.token }
  const runner = {
    name: taken.spec.name,
    os: 'Linux',
    arch: 'X64',
    temp,
    tool_cache: join(temp, 'tool-cache')
  }
  const contexts: Contexts = { ...call.contexts, github, secrets, runner }
  const file = call.run.workflow.path
  const workflowEnv = evaluateTextMap(call.run.workflow.env, contexts, file)
  const env = {
    ...workflowEnv,
    ...evaluateTextMap(call.job.env, { ...contexts, env: workflowEnv }, file)
  }
  return {
    run: call.run,
    jobId: call.job.id,
    runner: taken.spec,
    workspace,
    runnerTemp: temp,
    eventPath,
    token: issued.token,
    runtimeEnv: issued.runtimeEnv,
    apiUrl: host.apiUrl,
    serverUrl: host.serverUrl,
    contexts,
    env,
    paths: [],
    masks: new Set([issued.token, ...Object.values(host.secrets)]),
    signal
  }
}

/** The job's concurrency group, entered: how to leave it, or why the job was cancelled while pending. */
type GroupEntry = { leave: () => void } | { cancelled: string }

async function enterGroup(
  host: JobHost,
  call: JobCall,
  abort: AbortController
): Promise<GroupEntry> {
  const token = call.job.concurrency
  if (token === null) return { leave: () => undefined }
  const { group, cancelInProgress } = readConcurrency(
    evaluateToken(token, call.contexts, call.run.workflow.path)
  )
  const member = { cancel: () => abort.abort() }
  host.activity(call.run.id, 'waiting', 1)
  const admitted = await host.concurrency.enter(group, member, cancelInProgress)
  host.activity(call.run.id, 'waiting', -1)
  if (!admitted)
    return { cancelled: `Canceling since a higher priority waiting request for '${group}' exists` }
  return { leave: () => host.concurrency.leave(group, member) }
}

/** Runs one job to its end and returns its record; a failure outside the steps fails the job, never the engine. */
export async function executeJob(
  host: JobHost,
  call: JobCall,
  stepHost: Omit<StepHost, 'standIns' | 'deadline'>
): Promise<JobRecord> {
  host.activity(call.run.id, 'live', 1)
  try {
    return await executeLiveJob(host, call, stepHost)
  } finally {
    host.activity(call.run.id, 'live', -1)
  }
}

async function executeLiveJob(
  host: JobHost,
  call: JobCall,
  stepHost: Omit<StepHost, 'standIns' | 'deadline'>
): Promise<JobRecord> {
  const record = newJobRecord({
    runId: call.run.id,
    workflow: call.run.workflow.path,
    jobId: call.job.id,
    name: call.name,
    matrix: call.leg,
    permissions: permissionsOf(call, host)
  })
  const abort = new AbortController()
  call.signal.addEventListener('abort', () => abort.abort(), { once: true })
  const finish = (result: JobRecord['result'], error: string | null = null) =>
    Object.assign(record, { result, error, endedAt: Date.now() })
  const entry = await enterGroup(host, call, abort)
  if ('cancelled' in entry) return finish('cancelled', entry.cancelled)
  try {
    const environment = call.job.environment === null ? '' : environmentName(call)
    record.environment = environment || null
    if (environment !== '' && host.environments.isProtected(environment)) {
      host.activity(call.run.id, 'waiting', 1)
      const approved = await host.environments.wait(call.run.id, environment)
      host.activity(call.run.id, 'waiting', -1)
      if (!approved) return finish('failure', `The deployment to '${environment}' was rejected.`)
    }
    const labels = runsOnLabels(call)
    if (!host.runners.serves(labels)) {
      return finish(
        'failure',
        `No runner has the labels [${labels.join(', ')}]; on GitHub the job would wait forever.`
      )
    }
    const taken = await host.runners.acquire(labels)
    try {
      return await runOnRunner(host, call, stepHost, record, taken, abort)
    } finally {
      host.runners.release(taken)
    }
  } finally {
    entry.leave()
  }
}

function environmentName(call: JobCall): string {
  const value = evaluateToken(call.job.environment!, call.contexts, call.run.workflow.path)
  if (typeof value === 'string') return value
  const name = (value as Record<string, Value> | null)?.name
  return typeof name === 'string' ? name : ''
}

async function runOnRunner(
  host: JobHost,
  call: JobCall,
  stepHost: Omit<StepHost, 'standIns' | 'deadline'>,
  record: JobRecord,
  taken: RunnerSlot,
  abort: AbortController
): Promise<JobRecord> {
  const file = call.run.workflow.path
  const minutes =
    call.job.timeoutMinutes === null
      ? DEFAULT_JOB_MINUTES
      : Number(evaluateToken(call.job.timeoutMinutes, call.contexts, file))
  const deadline = Date.now() + minutes * 60_000
  const issued = await host.issueJobToken(call.run.id, record.permissions)
  const completeCheck = host.checkRun(call.name, call.run.sha, call.run.id)
  const minted: string[] = []
  // Until the steps say otherwise: an engine error on the way fails the job.
  Object.assign(record, { runner: taken.spec.name, result: 'failure', startedAt: Date.now() })
  record.tokenIds.push(issued.tokenId)
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    abort.abort()
  }, deadline - Date.now())
  try {
    const setup = await prepare(host, call, taken, issued, abort.signal)
    const standIns = host.standIns((token, tokenId) => {
      minted.push(token)
      record.tokenIds.push(tokenId)
    })
    const outcome = await runJobSteps(setup, call.job, { ...stepHost, standIns, deadline })
    Object.assign(record, {
      outputs: outcome.outputs,
      steps: outcome.steps,
      summary: outcome.summary,
      result: timedOut ? 'failure' : outcome.result,
      error: timedOut
        ? `The job has exceeded the maximum execution time of ${minutes} minutes.`
        : null
    })
    return record
  } finally {
    clearTimeout(timer)
    record.endedAt = Date.now()
    completeCheck(record.result === 'skipped' ? 'cancelled' : record.result)
    host.revokeToken(issued.token)
    minted.forEach(token => host.revokeToken(token))
  }
}
