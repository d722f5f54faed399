/**
 * `npm run bench`: runs the benchmarks of the project's performance targets against the committed action bundles, the
 * sandbox forge and the real codex binary, writes `bench/results.json` and prints a table.
 *
 * `npm run bench -- [--runs N] [name ...]` runs only the named benchmarks (triage, startup,
 * api-economy, side-by-side, overhead, overhead-cli), each N times instead of its default.
 */
import { writeFile } from 'node:fs/promises'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { apiEconomy } from './api-economy.js'
import { overhead } from './overhead.js'
import { overheadCli } from './overhead-cli.js'
import type { BenchResult } from './result.js'
import { sideBySide } from './side-by-side.js'
import { startup } from './startup.js'
import { triage } from './triage.js'

const RESULTS_FILE = fileURLToPath(new URL('./results.json', import.meta.url))

interface Benchmark {
  name: string
  defaultRuns: number
  measure: (runs: number) => Promise<BenchResult | BenchResult[]>
}

const BENCHMARKS: readonly Benchmark[] = [
  { name: 'triage', defaultRuns: 5, measure: triage },
  { name: 'startup', defaultRuns: 5, measure: startup },
  { name: 'api-economy', defaultRuns: 3, measure: apiEconomy },
  { name: 'side-by-side', defaultRuns: 3, measure: sideBySide },
  { name: 'overhead', defaultRuns: 3, measure: overhead },
  { name: 'overhead-cli', defaultRuns: 3, measure: overheadCli }
]

function parseArgs(argv: readonly string[]): { runs: number | null; names: string[] } {
  let runs: number | null = null
  const names: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    if (arg === '--runs') {
      runs = Number(argv[++i])
      if (!Number.isInteger(runs) || runs < 1) {
        throw new Error(`--runs takes a whole number of at least 1, not '${argv[i]}'.`)
      }
    } else if (BENCHMARKS.some(benchmark => benchmark.name === arg)) names.push(arg)
    else {
      throw new Error(
        `Unknown argument '${arg}'. Use --runs N and benchmark names: ${BENCHMARKS.map(b => b.name).join(', ')}.`
      )
    }
  }
  return { runs, names }
}

/** The machine the figures were measured on. */
function machine() {
  const cpus = os.cpus()
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGB: Math.round(os.totalmem() / 1e8) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAverageAtStart: os.loadavg().map(load => Math.round(load * 100) / 100)
  }
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2)
}

/** The results as a Markdown table (also readable in a terminal). */
export function resultsTable(results: readonly BenchResult[]): string {
  const rows = results.map(result => [
    result.name,
    `${formatNumber(result.median)} ${result.unit}`,
    formatNumber(result.min),
    formatNumber(result.max),
    String(result.runs.length),
    result.target,
    result.holds ? 'yes' : '**no**'
  ])
  const header = ['benchmark', 'median', 'min', 'max', 'runs', 'target', 'holds']
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

async function main(): Promise<void> {
  const { runs, names } = parseArgs(process.argv.slice(2))
  const chosen = BENCHMARKS.filter(b => names.length === 0 || names.includes(b.name))
  const started = new Date()
  const machineAtStart = machine()
  const results: BenchResult[] = []
  const failures: Array<{ benchmark: string; error: string }> = []
  for (const benchmark of chosen) {
    const count = runs ?? benchmark.defaultRuns
    console.error(`bench: ${benchmark.name}, ${count} run(s)…`)
    const began = Date.now()
    try {
      const measured = await benchmark.measure(count)
      results.push(...(Array.isArray(measured) ? measured : [measured]))
    } catch (error) {
      // one broken benchmark must not hide the others' figures; it is reported, and fails the command
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error)
      failures.push({ benchmark: benchmark.name, error: message })
      console.error(`bench: ${benchmark.name} failed: ${message}`)
    }
    console.error(`bench: ${benchmark.name} done in ${Math.round((Date.now() - began) / 1000)} s`)
  }
  const report = {
    measuredAt: started.toISOString(),
    durationSeconds: Math.round((Date.now() - started.getTime()) / 1000),
    machine: machineAtStart,
    loadAverageAtEnd: os.loadavg().map(load => Math.round(load * 100) / 100),
    bundles: process.env.WAVES_DIST_ROOT ? 'WAVES_DIST_ROOT' : 'actions/*/dist (committed)',
    results,
    failures
  }
  await writeFile(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`)
  console.log(resultsTable(results))
  const m = report.machine
  console.log(
    `\n${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB, ${m.os}, Node ${m.node}; load average at start ${m.loadAverageAtStart.join(' ')}`
  )
  console.log(`Written to ${RESULTS_FILE}`)
  if (failures.length > 0) {
    console.log(
      `Failed: ${failures.map(failure => failure.benchmark).join(', ')} (see the log above).`
    )
    process.exitCode = 1
  }
}

await main()
