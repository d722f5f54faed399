/**
 * The demo wave through the workflow files themselves: the sample repository gets the workflows
 * `codex-waves init` writes (or a maintainer's own edited copies) and its config; the Actions
 * engine runs them on the GitHub emulator, with the pipeline's actions taken from this checkout.
 * A maintainer dispatches `codex-waves-dispatch.yml` with the demo's issues, confirms the plan when
 * it asks, and the workflows do the rest: implement, review, correct, merge. Each workflow run is
 * printed as it starts and ends, then the wave report the merge job wrote.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { getOctokit } from '@actions/github'
import { initTemplates } from '../../src/cli/init.js'
import { ACTIONS_REPOSITORY } from '../../src/cli/templates/render.js'
import {
  ActionsEngine,
  type EngineNotice,
  type RunnerSpec,
  type RunRecord
} from '../actions-engine/index.js'
import { seedSampleRepo, startEmulator, type GitHubEmulator } from '../github-emulator/index.js'
import { DEMO_EXTRA_ISSUES, DEMO_WAVE } from './playbook.js'

/** How to run the demo. */
export interface WorkflowsDemoOptions {
  /** The checkout whose `actions/<phase>` the workflows use. */
  actionsRoot: string
  /** A directory of workflow files to run instead of the ones init writes. */
  workflowsDir?: string
  /** The codex runner's environment: where codex is, its home and login (or the scripted model's). */
  codexEnv: Record<string, string>
  print: (line: string) => void
}

/**
 * The runners a pipeline deployment has: GitHub's hosted runners for the jobs that need no codex,
 * and a self-hosted codex runner whose environment says where codex is and how it logs in.
 */
export function pipelineRunners(codexEnv: Record<string, string>, codexSlots = 2): RunnerSpec[] {
  return [
    { name: 'hosted', labels: ['ubuntu-latest'], hosted: true, capacity: 16 },
    {
      name: 'codex',
      labels: ['self-hosted', 'linux', 'codex'],
      capacity: codexSlots,
      env: codexEnv
    }
  ]
}

/** What the demo came to. */
export interface WorkflowsDemoResult {
  merged: number[]
  /** Whether the wave report says every success criterion is met. */
  allMet: boolean
  runs: RunRecord[]
}

const DISPATCH = 'codex-waves-dispatch.yml'

/** The demo's stand-in GitHub App, so the pull requests it opens start CI as an App's do. */
const DEMO_APP = { id: '1001', slug: 'codex-waves', privateKey: 'demo-only-private-key' }

async function workflowFiles(options: WorkflowsDemoOptions): Promise<Record<string, string>> {
  const files = Object.fromEntries(initTemplates().map(file => [file.path, file.content]))
  if (options.workflowsDir === undefined) return files
  for (const name of (await readdir(options.workflowsDir)).filter(file => /\.ya?ml$/.test(file))) {
    files[`.github/workflows/${name}`] = await readFile(join(options.workflowsDir, name), 'utf8')
  }
  return files
}

function describe(notice: EngineNotice): string {
  const run = notice.run
  const head = `${run.name} #${run.number} (${run.event}${run.action ? `.${run.action}` : ''}, run ${run.id})`
  if (notice.kind === 'run-started') return `  ▶ ${head} started`
  const seconds = (((run.endedAt ?? Date.now()) - run.startedAt) / 1000).toFixed(0)
  const mark = run.conclusion === 'success' ? '✓' : run.conclusion === 'skipped' ? '·' : '✗'
  return `  ${mark} ${head} ${run.conclusion} in ${seconds}s`
}

/** The outputs of the plan job of the newest dispatch run. */
function planOutputs(runs: readonly RunRecord[]): Record<string, string> {
  const dispatches = runs.filter(run => run.workflow === `.github/workflows/${DISPATCH}`)
  return dispatches.at(-1)?.jobs.find(job => job.jobId === 'plan')?.outputs ?? {}
}

/** The wave report: the summary of the newest merge job that wrote one. */
function waveReport(runs: readonly RunRecord[]): string {
  const merges = runs
    .flatMap(run => run.jobs)
    .filter(job => job.jobId === 'merge' && job.summary !== '')
  return merges.at(-1)?.summary ?? '(no merge job wrote a report)'
}

/** What a maintainer does: dispatch the wave, and confirm the plan when it asks. */
async function playMaintainer(
  forge: GitHubEmulator,
  engine: ActionsEngine,
  repo: string,
  print: (line: string) => void
): Promise<void> {
  const maintainer = getOctokit(forge.tokens.write, { baseUrl: forge.apiUrl })
  const issues = DEMO_WAVE.join(' ')
  const dispatch = async (inputs: Record<string, string>) => {
    await maintainer.rest.actions.createWorkflowDispatch({
      owner: forge.owner,
      repo,
      workflow_id: DISPATCH,
      ref: 'main',
      inputs
    })
    await engine.settled({ timeoutMs: 30 * 60_000 })
  }
  print(`A maintainer dispatches ${DISPATCH} with issues: ${issues}`)
  await dispatch({ issues })
  const plan = planOutputs(engine.runs())
  if (plan['needs-confirmation'] === 'true' && plan['plan-id']) {
    print(
      `The plan asks for a confirmation (its proposal is on the issues); the maintainer confirms ${plan['plan-id']}.`
    )
    await dispatch({ issues, confirm: plan['plan-id'] })
  }
}

/** Runs the demo wave through the workflows; resolves when nothing more happens. */
export async function runWorkflowsDemo(
  options: WorkflowsDemoOptions
): Promise<WorkflowsDemoResult> {
  const forge = await startEmulator()
  try {
    const repo = await seedSampleRepo(forge, undefined, await workflowFiles(options))
    for (const issue of DEMO_EXTRA_ISSUES) forge.createIssue(repo, issue)
    const engine = await ActionsEngine.start({
      forge,
      repo,
      runners: pipelineRunners(options.codexEnv),
      vars: { CODEX_WAVES_APP_ID: DEMO_APP.id },
      secrets: { CODEX_WAVES_APP_PRIVATE_KEY: DEMO_APP.privateKey },
      app: DEMO_APP,
      actionSources: { [ACTIONS_REPOSITORY]: options.actionsRoot },
      onNotice: notice => options.print(describe(notice))
    })
    try {
      await playMaintainer(forge, engine, repo, options.print)
      const reader = getOctokit(forge.tokens.read, { baseUrl: forge.apiUrl })
      const pulls = await reader.paginate(reader.rest.pulls.list, {
        owner: forge.owner,
        repo,
        state: 'closed',
        per_page: 100
      })
      const report = waveReport(engine.runs())
      options.print(`\n${report}`)
      return {
        merged: pulls
          .filter(pull => pull.merged_at !== null)
          .map(pull => pull.number)
          .sort((a, b) => a - b),
        allMet: report.includes('every criterion met'),
        runs: engine.runs()
      }
    } finally {
      await engine.close()
    }
  } finally {
    await forge.close()
  }
}
