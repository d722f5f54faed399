/**
 * One workflow run, as GitHub runs it: the workflow's concurrency group, then its jobs in `needs`
 * order, each `if:` evaluated with the status functions answering from the jobs it needs, each
 * matrix expanded (`fail-fast`, `max-parallel`), `continue-on-error` honoured, and the run's
 * conclusion from its jobs'.
 */
import {
  evaluateCondition,
  evaluateToken,
  type Contexts,
  type Status,
  type Value
} from './expressions.js'
import { executeJob, type JobHost } from './job-execution.js'
import type { StepHost } from './job-runner.js'
import type { RunFacts } from './job-setup.js'
import { InvalidWorkflow, UnsupportedConstruct } from './errors.js'
import { expandStrategy, legName, type MatrixLeg, type Strategy } from './matrix.js'
import { newJobRecord, type JobRecord, type RunRecord } from './records.js'
import type { JobModel } from './workflow.js'

/** What a job (all its legs) came to, as `needs.<id>` shows it. */
interface JobSummary {
  result: 'success' | 'failure' | 'cancelled' | 'skipped'
  outputs: Record<string, string>
}

/** The run being executed, and where its job records go. */
export interface RunCall {
  run: RunFacts
  record: RunRecord
  /** github (without the job's parts), inputs and vars. */
  contexts: Contexts
  signal: AbortSignal
}

function ancestors(
  jobs: ReadonlyMap<string, JobModel>,
  id: string,
  seen = new Set<string>()
): Set<string> {
  for (const need of jobs.get(id)?.needs ?? []) {
    if (seen.has(need)) continue
    seen.add(need)
    ancestors(jobs, need, seen)
  }
  return seen
}

function jobStatus(results: JobSummary['result'][], cancelled: boolean): Status {
  return {
    success: !cancelled && results.every(result => result === 'success'),
    failure: results.includes('failure'),
    cancelled
  }
}

/** The result of a job from its legs: failure wins, then cancelled, else success. */
function combine(legs: readonly JobRecord[]): JobSummary['result'] {
  const results = legs.map(leg => leg.result)
  if (results.includes('failure')) return 'failure'
  if (results.includes('cancelled')) return 'cancelled'
  return 'success'
}

/** The run's conclusion: failure, cancelled, skipped when every job was, else success. */
export function conclusionOf(
  summaries: readonly JobSummary[]
): NonNullable<RunRecord['conclusion']> {
  const results = summaries.map(summary => summary.result)
  if (results.includes('failure')) return 'failure'
  if (results.includes('cancelled')) return 'cancelled'
  if (results.length > 0 && results.every(result => result === 'skipped')) return 'skipped'
  return 'success'
}

async function runLegs(
  host: JobHost,
  stepHost: Omit<StepHost, 'standIns' | 'deadline'>,
  call: RunCall,
  job: JobModel,
  contexts: Contexts,
  strategy: Strategy
): Promise<JobRecord[]> {
  const file = call.run.workflow.path
  const baseName = job.name === null ? job.id : String(evaluateToken(job.name, contexts, file))
  const matrixed = job.strategy !== null
  const failFast = new AbortController()
  call.signal.addEventListener('abort', () => failFast.abort(), { once: true })
  const queue = [...strategy.legs]
  const records: JobRecord[] = []
  const worker = async () => {
    for (let leg = queue.shift(); leg !== undefined; leg = queue.shift()) {
      const legContexts = matrixed ? withLeg(contexts, leg, strategy) : contexts
      const jobRecord = await executeJob(
        host,
        {
          run: call.run,
          job,
          leg: matrixed ? leg : null,
          name: legName(baseName, matrixed ? leg : {}),
          contexts: legContexts,
          signal: failFast.signal
        },
        stepHost
      )
      records.push(jobRecord)
      call.record.jobs.push(jobRecord)
      const fails = jobRecord.result === 'failure' && !continuesOnError(job, legContexts, file)
      if (fails && strategy.failFast) failFast.abort()
    }
  }
  const width = Math.min(strategy.maxParallel, strategy.legs.length)
  await Promise.all(Array.from({ length: width }, worker))
  return records
}

function withLeg(contexts: Contexts, leg: MatrixLeg, strategy: Strategy): Contexts {
  const index = strategy.legs.indexOf(leg)
  const facts = {
    'job-index': index,
    'job-total': strategy.legs.length,
    'fail-fast': strategy.failFast
  }
  return { ...contexts, matrix: leg as Value, strategy: facts }
}

function continuesOnError(job: JobModel, contexts: Contexts, file: string): boolean {
  return job.continueOnError !== null && evaluateToken(job.continueOnError, contexts, file) === true
}

/** Runs the run's jobs; returns each job's summary by id. */
export async function runJobs(
  host: JobHost,
  stepHost: Omit<StepHost, 'standIns' | 'deadline'>,
  call: RunCall
): Promise<Map<string, JobSummary>> {
  const models = new Map(call.run.workflow.jobs.map(job => [job.id, job]))
  const summaries = new Map<string, JobSummary>()
  const started = new Map<string, Promise<JobSummary>>()
  const start = (job: JobModel): Promise<JobSummary> => {
    const existing = started.get(job.id)
    if (existing) return existing
    const promise = (async () => {
      await Promise.all(job.needs.map(need => start(models.get(need)!)))
      const needs = Object.fromEntries(job.needs.map(need => [need, summaries.get(need)!]))
      const contexts: Contexts = { ...call.contexts, needs: needs as unknown as Value }
      const upstream = [...ancestors(models, job.id)].map(id => summaries.get(id)!.result)
      const status = jobStatus(upstream, call.signal.aborted)
      const file = call.run.workflow.path
      const summary: JobSummary = evaluateCondition(
        job.condition,
        contexts,
        { file, line: job.place.line },
        status
      )
        ? await summarizeLegs(host, stepHost, call, job, contexts)
        : { result: 'skipped', outputs: {} }
      summaries.set(job.id, summary)
      return summary
    })()
    started.set(job.id, promise)
    return promise
  }
  await Promise.all(call.run.workflow.jobs.map(start))
  return summaries
}

async function summarizeLegs(
  host: JobHost,
  stepHost: Omit<StepHost, 'standIns' | 'deadline'>,
  call: RunCall,
  job: JobModel,
  contexts: Contexts
): Promise<JobSummary> {
  const file = call.run.workflow.path
  let strategy: Strategy
  try {
    strategy = expandStrategy(
      job.strategy === null ? null : evaluateToken(job.strategy, contexts, file)
    )
  } catch (error) {
    if (error instanceof UnsupportedConstruct || error instanceof InvalidWorkflow) throw error
    // GitHub fails a job whose strategy cannot be evaluated, with the reason in the run's log.
    const record = newJobRecord({
      runId: call.run.id,
      workflow: file,
      jobId: job.id,
      name: job.id,
      matrix: null,
      permissions: {}
    })
    const reason = `Error when evaluating 'strategy' for job '${job.id}'. ${(error as Error).message}`
    call.record.jobs.push(Object.assign(record, { result: 'failure', error: reason }))
    return { result: 'failure', outputs: {} }
  }
  const legs = await runLegs(host, stepHost, call, job, contexts, strategy)
  const outputs = Object.assign({}, ...legs.map(leg => leg.outputs)) as Record<string, string>
  const result = combine(legs)
  const tolerated = result === 'failure' && continuesOnError(job, contexts, file)
  return { result: tolerated ? 'success' : result, outputs }
}
