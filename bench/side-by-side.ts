/**
 * Side by side, in one run: the time from a job's start to codex's first model request, for this
 * pipeline (the bundled dispatch action, step implement, with codex already on the runner) and for
 * the install-at-start pattern (`npm install -g @openai/codex@<same version>` into an empty prefix
 * with an empty npm cache, then `codex exec`), both against the same scripted model. The figure is
 * the ratio of the two, per pair of runs: how many times sooner this pipeline's codex starts working.
 */
import { spawn } from 'node:child_process'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { atLeast, median, round, type BenchResult } from './result.js'
import { BASELINE_MARKER } from './playbook.js'
import { BenchWorld, epochMs } from './world.js'

async function codexVersion(): Promise<string> {
  const manifest = new URL('../node_modules/@openai/codex/package.json', import.meta.url)
  return (JSON.parse(await readFile(manifest, 'utf8')) as { version: string }).version
}

/** Runs a command to its end; throws with its output when it fails. */
function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv }
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] })
    const output: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk))
    child.on('error', reject)
    child.on('close', code =>
      code === 0
        ? resolve()
        : reject(
            new Error(
              `${command} ${args.join(' ')} exited ${code}:\n${Buffer.concat(output).toString('utf8').slice(-2000)}`
            )
          )
    )
  })
}

interface BaselineSample {
  toFirstRequestMs: number
  installMs: number
}

/** The install-at-start job: install codex into an empty prefix, then run it once. */
async function baselineJob(
  world: BenchWorld,
  version: string,
  id: string
): Promise<BaselineSample> {
  const root = join(world.scratchDir, `baseline-${id}`)
  const prefix = join(root, 'prefix')
  const cache = join(root, 'npm-cache')
  const work = join(root, 'work')
  await Promise.all([prefix, cache, work].map(dir => mkdir(dir, { recursive: true })))
  const env = { ...process.env, ...world.home.env }
  const started = epochMs()
  await run(
    'npm',
    ['install', '--global', '--prefix', prefix, '--cache', cache, `@openai/codex@${version}`],
    { cwd: work, env }
  )
  const installed = epochMs()
  await run(
    join(prefix, 'bin', 'codex'),
    [
      'exec',
      '--json',
      '--skip-git-repo-check',
      '--sandbox',
      'read-only',
      `${BASELINE_MARKER} ${id}: reply with one word.`
    ],
    { cwd: work, env }
  )
  const first = world.playbook.firstRequestAt.get(`baseline:${id}`)
  if (first === undefined) throw new Error(`The baseline codex run ${id} made no model request.`)
  return { toFirstRequestMs: first - started, installMs: installed - started }
}

interface PipelineSample {
  toFirstRequestMs: number
  /** The job's checkout before the action's step, which both patterns need and neither figure counts. */
  checkoutMs: number
}

/** This pipeline's job: the dispatch bundle implementing one issue with the runner's codex. */
async function pipelineJob(world: BenchWorld): Promise<PipelineSample> {
  const [issue] = world.createIssues(1) as [number]
  const planned = await world.plan([issue])
  const group = planned.groups[0]
  if (group === undefined) throw new Error(`The plan of #${issue} has no group.`)
  const job = await world.implement(group, planned.plan, planned.job.runId)
  const first = world.playbook.firstRequestAt.get(`implement:${issue}`)
  if (first === undefined) throw new Error(`The implement job for #${issue} made no model request.`)
  return { toFirstRequestMs: first - job.launchedAt, checkoutMs: job.launchedAt - job.startedAt }
}

/** `runs` of each, alternated, in one world. */
export async function sideBySide(runs: number): Promise<BenchResult> {
  const version = await codexVersion()
  const world = await BenchWorld.start({ workSeconds: 0 })
  try {
    const pipeline: PipelineSample[] = []
    const baseline: BaselineSample[] = []
    for (let index = 0; index < runs; index++) {
      pipeline.push(await pipelineJob(world))
      baseline.push(await baselineJob(world, version, `b${index + 1}`))
    }
    const baselineMs = baseline.map(sample => sample.toFirstRequestMs)
    const pipelineMs = pipeline.map(sample => sample.toFirstRequestMs)
    const ratios = baselineMs.map((ms, index) => ms / (pipelineMs[index] as number))
    return atLeast('side-by-side', '× sooner to first model request', ratios, 1, {
      method: `Alternating runs in one process against one scripted model. Each pair is one ratio. This pipeline: from the start of the implement step (the runner harness starting the bundle, after the job's checkout, which the baseline would need too) through the dispatch bundle to codex ${version}'s first model request, codex already installed. Install at start: \`npm install --global @openai/codex@${version}\` into an empty prefix with an empty npm cache (a fresh one per run, so the registry download is paid every time as on a fresh runner), then \`codex exec\` on a one-line prompt, to its first model request. Figure per pair = install-at-start time ÷ pipeline time.`,
      pipelineMs: pipelineMs.map(ms => round(ms, 0)),
      checkoutBeforeThePipelineStepMs: pipeline.map(sample => round(sample.checkoutMs, 0)),
      installAtStartMs: baselineMs.map(ms => round(ms, 0)),
      installOnlyMs: baseline.map(sample => round(sample.installMs, 0)),
      pipelineMedianMs: round(median(pipelineMs), 0),
      installAtStartMedianMs: round(median(baselineMs), 0),
      codexVersion: version
    })
  } finally {
    await world.close()
  }
}
