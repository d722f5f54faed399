/**
 * A run's jobs and step logs as text, so an assertion about a run that went wrong shows why.
 */
import type { RunRecord } from '../../harness/actions-engine/index.js'

/** Every job and step of a run, with the step logs. */
export function runLog(run: RunRecord | undefined): string {
  if (run === undefined) return '(no run)'
  const jobs = run.jobs.map(job => {
    const steps = job.steps.map(step => `### ${step.name}: ${step.outcome}\n${step.log}`)
    return [`## ${job.name}: ${job.result}${job.error ? ` (${job.error})` : ''}`, ...steps].join(
      '\n'
    )
  })
  return [`# ${run.name} run ${run.id} (${run.event}): ${run.conclusion}`, ...jobs].join('\n')
}

/** Fails with the run's log unless it concluded as expected. */
export function expectConclusion(
  run: RunRecord | undefined,
  conclusion: RunRecord['conclusion']
): void {
  if (run?.conclusion !== conclusion) {
    throw new Error(`expected ${conclusion}, the run concluded ${run?.conclusion}:\n${runLog(run)}`)
  }
}
