/**
 * Action start-up: for each of the four bundles, the time from the moment the runner harness is
 * asked to start `node dist/index.js` to the first request the process makes to the forge (REST,
 * git or artifact service, as the forge's request log timestamps it), and the bundle's size.
 */
import { stat } from 'node:fs/promises'
import { actionBundle } from '../test/harness/bundles.js'
import { atMost, round, type BenchResult } from './result.js'
import { BenchWorld, type Job } from './world.js'

type Bundle = 'dispatch' | 'review' | 'correct' | 'merge'
const BUNDLES: readonly Bundle[] = ['dispatch', 'review', 'correct', 'merge']
/** 3 MB as in decimal units (3,000,000 bytes), the stricter reading. */
const SIZE_LIMIT_BYTES = 3_000_000

/**
 * The floor under every figure: node starting a script that makes one `fetch` to the forge and
 * nothing else, measured the same way (this machine's process start, module load and first request).
 */
const FLOOR_SCRIPT = `await fetch(\`\${process.env.GITHUB_API_URL}/repos/\${process.env.GITHUB_REPOSITORY}\`, {
  headers: { authorization: \`Bearer \${process.env.GITHUB_TOKEN}\` }
})
`

interface StartSample {
  firstRequestMs: number
  /** Time the harness spent outside the process (writing the run's files before it, reading after). */
  harnessMs: number
  firstRoute: string
  exitCode: number | null
}

function startSample(world: BenchWorld, job: Job): StartSample {
  const first = world.pipelineRequests(job.logIndexAtLaunch)[0]
  if (first === undefined) {
    throw new Error(`The ${job.action} bundle made no request to the forge:\n${job.result.stderr}`)
  }
  return {
    firstRequestMs: Date.parse(first.at) - job.launchedAt,
    harnessMs: job.endedAt - job.launchedAt - job.result.durationMs,
    firstRoute: `${first.method} ${first.route}`,
    exitCode: job.result.exitCode
  }
}

/** `runs` starts of each bundle, one at a time, on a forge with one issue and its open PR. */
export async function startup(runs: number): Promise<BenchResult[]> {
  const world = await BenchWorld.start({ workSeconds: 0 })
  // the first review approves the PR, so the first merge run merges it once CI has reported
  world.startCiRobot()
  try {
    const [issue] = world.createIssues(1) as [number]
    const planned = await world.plan([issue])
    const group = planned.groups[0]
    if (group === undefined) throw new Error(`The plan of #${issue} has no group.`)
    const implemented = await world.implement(group, planned.plan, planned.job.runId)
    const pr = implemented.result.outputs['pr-number'] ?? ''
    const inputs: Record<Bundle, Record<string, string>> = {
      dispatch: { step: 'plan', issues: String(issue) },
      review: { pr },
      correct: { pr },
      merge: { prs: pr }
    }
    const samples: Record<Bundle, StartSample[]> = {
      dispatch: [],
      review: [],
      correct: [],
      merge: []
    }
    const floor: StartSample[] = []
    const floorEntry = await world.scratchFile('node-floor.mjs', FLOOR_SCRIPT)
    for (let run = 0; run < runs; run++) {
      for (const bundle of BUNDLES) {
        const job = await world.job(bundle, inputs[bundle], undefined, { allowFailure: true })
        samples[bundle].push(startSample(world, job))
      }
      const job = await world.job('dispatch', {}, undefined, { entry: floorEntry })
      floor.push(startSample(world, job))
    }
    const floorMs = floor.map(s => round(s.firstRequestMs, 0))
    const results: BenchResult[] = []
    for (const bundle of BUNDLES) {
      const list = samples[bundle]
      results.push(
        atMost(
          `startup/${bundle}`,
          'ms to first request',
          list.map(s => s.firstRequestMs),
          300,
          {
            method:
              'From just before the runner harness starts `node dist/index.js` (it first writes the event and file-command files, so the figure is an upper bound) to the first request the process makes to the forge, by the forge request log timestamp; runs one at a time. nodeFloorMs: the same for a script that only makes one fetch.',
            inputs: inputs[bundle],
            firstRequest: list[0]?.firstRoute,
            exitCodes: list.map(s => s.exitCode),
            harnessOutsideProcessMs: list.map(s => round(s.harnessMs, 1)),
            nodeFloorMs: floorMs
          },
          0
        )
      )
    }
    for (const bundle of BUNDLES) {
      const size = (await stat(actionBundle(bundle))).size
      results.push(
        atMost(
          `bundle-size/${bundle}`,
          'bytes',
          [size],
          SIZE_LIMIT_BYTES,
          {
            method: 'Size of the committed dist/index.js (one file, every dependency bundled).',
            megabytes: round(size / 1_000_000, 2)
          },
          0
        )
      )
    }
    return results
  } finally {
    await world.close()
  }
}
