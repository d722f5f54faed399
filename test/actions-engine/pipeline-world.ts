/**
 * The pipeline as a maintainer deploys it, on the GitHub emulator with the Actions engine: the
 * sample repository holding this checkout's pipeline workflows, its action bundles and a wave
 * config; a hosted runner and a self-hosted codex runner whose real codex talks to the scripted
 * model playing the demo playbook; optionally the GitHub App whose installation tokens the
 * workflows mint. People act through the forge's REST API with their own tokens.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { getOctokit } from '@actions/github'
import { startOfflineCodex, type OfflineCodex } from '../../harness/demo/offline.js'
import { pipelineRunners } from '../../harness/demo/workflows-demo.js'
import {
  DEMO_EXTRA_ISSUES,
  DEMO_PLAYBOOK,
  type DemoIssue,
  type PlaybookEntry
} from '../../harness/demo/playbook.js'
import {
  ActionsEngine,
  type EngineNotice,
  type RunRecord
} from '../../harness/actions-engine/index.js'
import {
  seedSampleRepo,
  startEmulator,
  type GitHubEmulator
} from '../../harness/github-emulator/index.js'

const ROOT = resolve(import.meta.dirname, '..', '..')
const PHASES = ['dispatch', 'review', 'correct', 'merge'] as const

/** The App the world's repository installs, as its variables and secret name it. */
export const TEST_APP = {
  id: '424242',
  slug: 'codex-waves',
  privateKey: '-----BEGIN RSA PRIVATE KEY-----\ntest-only\n-----END RSA PRIVATE KEY-----'
}

/** A wave config that keeps a test short: CI that never starts is reported after one minute. */
export const TEST_CONFIG = `merge:
  ci-start-timeout-minutes: 1
`

/** The files that deploy this checkout's pipeline into a repository, as it deploys itself. */
export function pipelineFiles(config = TEST_CONFIG): Record<string, string> {
  const files: Record<string, string> = { '.github/codex-waves.yml': config }
  const workflows = join(ROOT, '.github', 'workflows')
  for (const name of readdirSync(workflows).filter(file => file.startsWith('codex-waves-'))) {
    files[`.github/workflows/${name}`] = readFileSync(join(workflows, name), 'utf8')
  }
  for (const phase of PHASES) {
    const dir = join(ROOT, 'actions', phase)
    files[`actions/${phase}/action.yml`] = readFileSync(join(dir, 'action.yml'), 'utf8')
    for (const name of ['index.js', 'package.json']) {
      files[`actions/${phase}/dist/${name}`] = readFileSync(join(dir, 'dist', name), 'utf8')
    }
  }
  return files
}

/** Options of {@link startPipelineWorld}. */
export interface WorldOptions {
  /** Deploy with the GitHub App (its id variable and key secret set), or with `GITHUB_TOKEN` only. */
  app?: boolean
  config?: string
  /** Extra files of the repository's first commit. */
  files?: Record<string, string>
  /** How many jobs the codex runner takes at once (default 2). */
  codexSlots?: number
  /** What the scripted model plays (default the demo's playbook). */
  playbook?: readonly PlaybookEntry[]
  /** Issues opened after the sample repository's four (default the demo's two). */
  issues?: readonly DemoIssue[]
}

/** A running world. */
export interface PipelineWorld {
  forge: GitHubEmulator
  engine: ActionsEngine
  repo: string
  owner: string
  model: OfflineCodex
  /** Every run notice, in order. */
  notices: EngineNotice[]
  /** An Octokit acting as a person of the forge. */
  as(kind: 'admin' | 'write' | 'read'): ReturnType<typeof getOctokit>
  close(): Promise<void>
}

/** Starts a world: forge, repository, scripted codex and engine. */
export async function startPipelineWorld(options: WorldOptions = {}): Promise<PipelineWorld> {
  const forge = await startEmulator()
  const repo = await seedSampleRepo(forge, undefined, {
    ...pipelineFiles(options.config),
    ...options.files
  })
  for (const issue of options.issues ?? DEMO_EXTRA_ISSUES) forge.createIssue(repo, issue)
  const model = await startOfflineCodex(options.playbook ?? DEMO_PLAYBOOK)
  const notices: EngineNotice[] = []
  const app = options.app === true
  const engine = await ActionsEngine.start({
    forge,
    repo,
    runners: pipelineRunners(
      { ...model.env, PATH: `${join(ROOT, 'node_modules', '.bin')}:${model.env.PATH}` },
      options.codexSlots
    ),
    vars: app ? { CODEX_WAVES_APP_ID: TEST_APP.id } : {},
    secrets: app ? { CODEX_WAVES_APP_PRIVATE_KEY: TEST_APP.privateKey } : {},
    ...(app ? { app: TEST_APP } : {}),
    onNotice: notice => notices.push(notice)
  })
  return {
    forge,
    engine,
    repo,
    owner: forge.owner,
    model,
    notices,
    as: kind => getOctokit(forge.tokens[kind], { baseUrl: forge.apiUrl }),
    async close() {
      await engine.close()
      await model.close()
      await forge.close()
    }
  }
}

/** The runs of one workflow file, oldest first. */
export function runsOf(runs: readonly RunRecord[], file: string): RunRecord[] {
  return runs.filter(run => run.workflow === `.github/workflows/${file}`)
}
