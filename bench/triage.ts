/**
 * Triage scale: 1,000 synthetic issues planned with `planWave` and sealed with `sealPlan`, each run
 * in a fresh node process so the figure is the planner's and not this harness's memory: the time
 * of the planning call and the process's peak resident set size.
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { atMost, round, type BenchResult } from './result.js'

const CHILD = fileURLToPath(new URL('./triage-child.ts', import.meta.url))
const ISSUES = 1000

interface ChildReport {
  issues: number
  planMs: number
  peakRssBytes: number
  rssBeforePlanningBytes: number
  groups: number
  findings: number
  skips: number
  sequenceEdges: number
}

function planInChild(): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', CHILD, String(ISSUES)],
      { maxBuffer: 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`The triage child failed: ${error.message}\n${stderr}`))
        else resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as ChildReport)
      }
    )
  })
}

/** The time and memory entries, from `runs` child processes. */
export async function triage(runs: number): Promise<BenchResult[]> {
  const reports: ChildReport[] = []
  for (let run = 0; run < runs; run++) reports.push(await planInChild())
  const first = reports[0] as ChildReport
  const shape = {
    issues: ISSUES,
    groups: first.groups,
    findings: first.findings,
    skips: first.skips,
    sequenceEdges: first.sequenceEdges
  }
  const mb = (bytes: number) => bytes / 1_000_000
  return [
    atMost(
      'triage/time',
      'ms',
      reports.map(report => report.planMs),
      2000,
      {
        method: `${ISSUES} synthetic issues (own files and symbols; shared files, numbered ADRs, task-list umbrellas, sub-issues, removals, closed ones) planned with planWave + sealPlan in a fresh node process; the time of that call.`,
        plan: shape
      },
      0
    ),
    atMost(
      'triage/memory',
      'MB peak RSS',
      reports.map(report => mb(report.peakRssBytes)),
      300,
      {
        method:
          'Peak resident set size (getrusage maxrss) of the child process that built the facts and planned them; it includes node and the TypeScript loader.',
        rssBeforePlanningMB: reports.map(report => round(mb(report.rssBeforePlanningBytes), 1)),
        plan: shape
      },
      1
    )
  ]
}
