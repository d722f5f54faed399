/**
 * What the engine keeps of the runs it executed, for tests and the demo to read back: each run with
 * its event and conclusion, each job with its runner, token permissions, steps, outputs and
 * summary.
 */
import type { Outcome, StepRecord } from './job-runner.js'
import type { MatrixLeg } from './matrix.js'
import type { GrantedPermissions } from './permissions.js'

/** One job (one matrix leg) of a run. */
export interface JobRecord {
  runId: number
  workflow: string
  /** The job's id in the workflow. */
  jobId: string
  /** As GitHub shows it: the id (or name) and the matrix values. */
  name: string
  matrix: MatrixLeg | null
  result: Outcome
  outputs: Record<string, string>
  runner: string | null
  environment: string | null
  /** The permissions of the job's `GITHUB_TOKEN`. */
  permissions: GrantedPermissions
  /** Ids of the job's token and of the installation tokens its steps minted (the forge's request log names them). */
  tokenIds: string[]
  /** What went wrong outside the steps (no runner, a bad matrix, a rejected deployment). */
  error: string | null
  steps: StepRecord[]
  summary: string
  startedAt: number
  endedAt: number
}

/** One workflow run. */
export interface RunRecord {
  id: number
  number: number
  /** The workflow's path in the repository. */
  workflow: string
  name: string
  event: string
  action: string | null
  /** How many `workflow_run` levels led to this run (0 when another event started it). */
  depth: number
  ref: string
  sha: string
  actor: string
  status: 'queued' | 'in_progress' | 'waiting' | 'completed'
  conclusion: 'success' | 'failure' | 'cancelled' | 'skipped' | null
  jobs: JobRecord[]
  startedAt: number
  endedAt: number | null
}

/** A job's record before it has run: success until something says otherwise. */
export function newJobRecord(
  fields: Pick<JobRecord, 'runId' | 'workflow' | 'jobId' | 'name' | 'matrix' | 'permissions'>
): JobRecord {
  const now = Date.now()
  return {
    ...fields,
    result: 'success',
    outputs: {},
    runner: null,
    environment: null,
    tokenIds: [],
    error: null,
    steps: [],
    summary: '',
    startedAt: now,
    endedAt: now
  }
}
