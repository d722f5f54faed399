/**
 * Orchestration overhead of the command line: `codex-waves run` over the same wave of independent
 * issues on the sandbox forge, all groups at once (`--concurrency` = the wave's size), the CLI's own
 * local CI (`--ci true`) on every head, the real codex binary sleeping in its shell on every run.
 * The figure is the command's wall time divided by the codex critical path: the longest implement
 * run plus the longest review run, from the durations in the PRs' ledgers.
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { atMost, round, type BenchResult } from './result.js'
import { BenchWorld, CODEX_BIN, PIPELINE_LOGIN, epochMs, requestKind } from './world.js'

const CLI = fileURLToPath(new URL('../src/cli/index.ts', import.meta.url))

interface CliWave {
  ratio: number
  wallMs: number
  criticalPathMs: number
  longestImplementMs: number
  longestReviewMs: number
  restPerIssue: number
  merged: number
}

function runCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    const output: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk))
    child.on('error', reject)
    child.on('close', code => resolve({ code, output: Buffer.concat(output).toString('utf8') }))
  })
}

async function cliWave(issues: number, workSeconds: number): Promise<CliWave> {
  const world = await BenchWorld.start({ workSeconds })
  try {
    const numbers = world.createIssues(issues)
    const logStart = world.forge.requests().length
    const started = epochMs()
    const { code, output } = await runCli(
      [
        'run',
        ...numbers.map(String),
        '--repo',
        `${world.forge.owner}/${world.repo}`,
        '--api-url',
        world.forge.apiUrl,
        '--pipeline-login',
        PIPELINE_LOGIN,
        '--codex',
        CODEX_BIN,
        '--concurrency',
        String(issues),
        '--ci',
        'true',
        '--state-dir',
        join(world.scratchDir, 'cli-state')
      ],
      { ...process.env, ...world.home.env, GITHUB_TOKEN: world.forge.tokens.actions }
    )
    const wallMs = epochMs() - started
    if (code !== 0) throw new Error(`codex-waves run exited ${code}:\n${output.slice(-3000)}`)
    const admin = world.admin()
    const pulls = await admin.paginate(admin.rest.pulls.list, {
      owner: world.forge.owner,
      repo: world.repo,
      state: 'all',
      per_page: 100
    })
    const ledgers = await Promise.all(pulls.map(pull => world.ledger(pull.number)))
    const longestImplementMs = Math.max(...ledgers.map(l => l.usage.dispatch.durationMs))
    const longestReviewMs = Math.max(...ledgers.map(l => l.usage.review.durationMs))
    const criticalPathMs = longestImplementMs + longestReviewMs
    const rest = world.pipelineRequests(logStart).filter(entry => requestKind(entry) === 'rest')
    return {
      ratio: wallMs / criticalPathMs,
      wallMs,
      criticalPathMs,
      longestImplementMs,
      longestReviewMs,
      restPerIssue: rest.length / issues,
      merged: pulls.filter(pull => pull.merged_at !== null).length
    }
  } finally {
    await world.close()
  }
}

/** `runs` waves of 12 issues through `codex-waves run`. */
export async function overheadCli(runs: number): Promise<BenchResult> {
  const issues = 12
  const workSeconds = 2
  const waves: CliWave[] = []
  for (let run = 0; run < runs; run++) waves.push(await cliWave(issues, workSeconds))
  return atMost(
    'overhead/cli',
    'wall time ÷ codex critical path',
    waves.map(wave => wave.ratio),
    1.15,
    {
      method: `\`codex-waves run\` on ${issues} independent issues on the sandbox forge with --concurrency ${issues} and --ci true (its local CI), the real codex binary sleeping ${workSeconds} s in its shell on every run; wall time of the command ÷ (longest implement run + longest review run, from the PRs' ledgers).`,
      waves: waves.map(wave => ({
        ratio: round(wave.ratio),
        wallSeconds: round(wave.wallMs / 1000, 1),
        criticalPathSeconds: round(wave.criticalPathMs / 1000, 1),
        longestImplementSeconds: round(wave.longestImplementMs / 1000, 1),
        longestReviewSeconds: round(wave.longestReviewMs / 1000, 1),
        restRequestsPerIssue: round(wave.restPerIssue, 1),
        merged: wave.merged
      }))
    }
  )
}
