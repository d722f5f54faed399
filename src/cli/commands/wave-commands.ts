/**
 * `codex-waves plan` and `codex-waves run`: plan a wave (and stop), or run it whole. Both read the
 * issue numbers from the positional arguments and pass the confirmation gate the same way the
 * dispatch workflow does: a plan that needs a person halts, and says how to go on.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PlanId } from '../../contracts/index.js'
import { parseIssueList } from '../../plan/index.js'
import { renderWaveReport } from '../../report/wave-report.js'
import { UsageError, stringFlag, type ParsedFlags } from '../options.js'
import { renderCriteria, renderOutcomes, renderPlanText } from '../render.js'
import { openSession, type CliIo, type Session, type SessionOptions } from '../session.js'
import { planStep, runWave, type WaveResult } from '../wave.js'

/** Exit codes of the wave commands. */
export const EXIT = { ok: 0, failed: 1, usage: 2, halted: 3 } as const

/** The issue numbers and the confirmation of a plan or run command line. */
export function readWaveRequest(
  command: string,
  positionals: readonly string[],
  flags: ParsedFlags
) {
  const list = parseIssueList(positionals.join(' '))
  if (!list.ok) throw new UsageError(`${command}: ${list.message}`)
  if (list.numbers.length === 0) {
    throw new UsageError(
      `${command}: no issue numbers. Name the issues of the wave, e.g. 'codex-waves ${command} 12 15 17'.`
    )
  }
  const confirm = stringFlag(flags, 'confirm') ?? null
  if (confirm !== null && !PlanId.safeParse(confirm).success) {
    throw new UsageError(
      `--confirm: '${confirm.slice(0, 40)}' is not a plan id (12 lowercase hexadecimal characters). Copy it from the plan's output.`
    )
  }
  return { issues: list.numbers, confirm }
}

function write(io: CliIo, text: string): void {
  io.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
}

/** How to continue a halted plan. */
export function continueHint(command: string, issues: readonly number[], planId: string): string {
  return `The plan needs a person's confirmation. Read the proposal above (and on the issues), then continue with:\n  codex-waves ${command} ${issues.join(' ')} --confirm ${planId}`
}

/** `codex-waves plan`: plans the wave, prints it, and writes the summary to the state directory. */
export async function planCommand(
  io: CliIo,
  positionals: readonly string[],
  flags: ParsedFlags
): Promise<number> {
  const request = readWaveRequest('plan', positionals, flags)
  const session = await openSession(io, flags)
  try {
    write(
      io,
      `Planning ${request.issues.map(n => `#${n}`).join(' ')} on ${session.target.description}.`
    )
    const result = await planStep(session.wave, request)
    if (result.outcome === 'nothing') throw new Error(result.summary)
    const file = join(session.state.root, 'plan.md')
    await writeFile(file, result.summary)
    write(io, renderPlanText(result.plan))
    if (result.outcome === 'refused') {
      io.stderr.write(`${result.message}\n`)
      return EXIT.failed
    }
    write(io, `The plan's summary is in ${file}.`)
    if (result.halted) write(io, continueHint('run', request.issues, result.plan.id))
    else write(io, `Run it with: codex-waves run ${request.issues.join(' ')}`)
    return EXIT.ok
  } finally {
    await session.close()
  }
}

/**
 * Prints a finished wave and writes its Markdown report. The exit code is 0 when the criteria are
 * met and (unless `failuresExpected`, as in the demo) no group failed or was left behind.
 */
export async function reportWave(
  io: CliIo,
  session: Session,
  result: Extract<WaveResult, { kind: 'finished' }>,
  failuresExpected: boolean
): Promise<number> {
  const file = join(session.state.root, 'report.md')
  const markdown = [
    result.planSummary,
    ...result.merges.map(merge => merge.summary),
    renderWaveReport(result.report)
  ].join('\n')
  await writeFile(file, markdown)
  write(io, '')
  write(io, 'Wave result')
  write(io, renderOutcomes(result.items, result.plan))
  write(io, '')
  write(io, renderCriteria(result.report))
  write(
    io,
    `The full report (Markdown) is in ${file}; every phase's log is in ${session.state.logFile}.`
  )
  const bad = result.items.some(
    item => !['merged', 'approved', 'no-changes'].includes(item.outcome)
  )
  return (bad && !failuresExpected) || !result.report.allPassed ? EXIT.failed : EXIT.ok
}

/**
 * Runs a wave in an opened session, printing the plan, the progress and the result. `demo`
 * confirms a halted plan itself after printing its proposal, and expects the failure it plays.
 */
export async function runWaveInSession(
  io: CliIo,
  session: Session,
  request: { issues: number[]; confirm: string | null },
  demo: boolean
): Promise<number> {
  session.progress.start()
  let result = await runWave(session.wave, request)
  if (result.kind === 'halted' && demo) {
    session.progress.message(renderPlanText(result.plan))
    session.progress.message(
      `The plan needs confirmation (plan ${result.plan.id}); its proposal is above and commented on the issues. The demo confirms it itself, as 'codex-waves run ${request.issues.join(' ')} --confirm ${result.plan.id}' would.`
    )
    result = await runWave(session.wave, { ...request, confirm: result.plan.id })
  }
  session.progress.stop()
  if (result.kind === 'refused') {
    io.stderr.write(`${result.message}\n`)
    return EXIT.failed
  }
  if (result.kind === 'halted') {
    write(io, renderPlanText(result.plan))
    write(io, continueHint('run', request.issues, result.plan.id))
    return EXIT.halted
  }
  return reportWave(io, session, result, demo)
}

/** `codex-waves run`: the whole wave. */
export async function runCommand(
  io: CliIo,
  positionals: readonly string[],
  flags: ParsedFlags,
  options: SessionOptions = {}
): Promise<number> {
  const request = readWaveRequest('run', positionals, flags)
  const session = await openSession(io, flags, options)
  try {
    write(
      io,
      `Running the wave ${request.issues.map(n => `#${n}`).join(' ')} on ${session.target.description}.`
    )
    return await runWaveInSession(io, session, request, false)
  } finally {
    await session.close()
  }
}
