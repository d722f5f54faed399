/**
 * `codex-waves demo`: a whole wave on the embedded sandbox forge — its sample repository plus the
 * demo's issues (a pair that conflicts, an umbrella, one that needs a correction, one whose codex
 * run fails) — with the local codex: a real model when codex has credentials, or with `--offline`
 * the scripted model playing the shipped playbook. The demo's config asks for confirmation, so
 * the gate shows; the demo confirms the plan itself after printing the proposal.
 */
import { existsSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defaultWaveConfig } from '../../contracts/index.js'
import { startOfflineCodex, type OfflineCodex } from '../../../harness/demo/offline.js'
import { DEMO_EXTRA_ISSUES, DEMO_PLAYBOOK, DEMO_WAVE } from '../../../harness/demo/playbook.js'
import type { GitHubEmulator } from '../../../harness/github-emulator/index.js'
import { runWorkflowsDemo } from '../../../harness/demo/workflows-demo.js'
import { UsageError, stringFlag, type ParsedFlags } from '../options.js'
import { codexHasCredentials, openSession, resolveCodexPath, type CliIo } from '../session.js'
import { runWaveInSession } from './wave-commands.js'

async function seedDemo(forge: GitHubEmulator, repo: string): Promise<void> {
  for (const issue of DEMO_EXTRA_ISSUES) forge.createIssue(repo, issue)
}

/** Runs the demo; the exit code is the wave's. */
export async function demoCommand(
  io: CliIo,
  positionals: readonly string[],
  flags: ParsedFlags
): Promise<number> {
  if (positionals.length > 0) {
    throw new UsageError(`demo: unexpected argument '${positionals[0]}'. It takes flags only.`)
  }
  const offline = flags.offline === true
  if (!offline && !codexHasCredentials(io.env)) {
    throw new UsageError(
      "demo: codex has no credentials (no 'codex login', no OPENAI_API_KEY or CODEX_API_KEY). Log in, set a key, or run 'codex-waves demo --offline' to use the scripted model."
    )
  }
  let model: OfflineCodex | null = null
  try {
    model = offline ? await startOfflineCodex(DEMO_PLAYBOOK) : null
    if (flags.workflows === true || flags['workflows-dir'] !== undefined) {
      return await workflowsDemo(io, flags, model)
    }
    const config = { ...defaultWaveConfig(), confirm: 'always' as const }
    // The demo's forge is gone when it ends; its clones and report go to a temporary folder, kept.
    const stateDir =
      stringFlag(flags, 'state-dir') ?? (await mkdtemp(join(tmpdir(), 'codex-waves-demo-')))
    const session = await openSession(
      io,
      { ...flags, 'state-dir': stateDir },
      {
        seed: seedDemo,
        config,
        ...(model === null ? {} : { codexEnv: model.env })
      }
    )
    try {
      io.stdout.write(
        [
          `codex-waves demo on ${session.target.description}`,
          `codex: ${model === null ? 'your codex with its configured model' : 'the scripted model playing the shipped playbook (offline)'}`,
          `The wave: ${DEMO_WAVE.map(n => `#${n}`).join(' ')}. #1 and #5 both change src/numbers.js, #6 is an umbrella over them, #2 needs a correction, and on #4 the playbook makes codex fail.`,
          ''
        ].join('\n')
      )
      return await runWaveInSession(io, session, { issues: [...DEMO_WAVE], confirm: null }, true)
    } finally {
      await session.close()
    }
  } finally {
    await model?.close()
  }
}

/** The checkout this command runs from: the folder that holds `actions/dispatch/action.yml`. */
function checkoutRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'actions', 'dispatch', 'action.yml'))) {
    const parent = dirname(dir)
    if (parent === dir) {
      throw new UsageError(
        "demo --workflows runs this checkout's actions; run it from a clone of codex-issue-waves."
      )
    }
    dir = parent
  }
  return dir
}

/**
 * The demo wave through the workflow files on the Actions engine. The codex runner finds codex on
 * its PATH (this package's, or `--codex`) and talks to the offline model, or to your own login.
 */
async function workflowsDemo(
  io: CliIo,
  flags: ParsedFlags,
  model: OfflineCodex | null
): Promise<number> {
  const codex = resolveCodexPath(stringFlag(flags, 'codex'))
  const base =
    model?.env ??
    Object.fromEntries(
      Object.entries(io.env).filter((entry): entry is [string, string] => entry[1] !== undefined)
    )
  const codexEnv = { ...base, PATH: `${dirname(codex)}:${base.PATH ?? io.env.PATH ?? ''}` }
  const print = (line: string) => io.stdout.write(`${line}\n`)
  print(
    `codex-waves demo through the workflows, on the Actions engine over an embedded sandbox forge`
  )
  const result = await runWorkflowsDemo({
    actionsRoot: checkoutRoot(),
    workflowsDir: stringFlag(flags, 'workflows-dir'),
    codexEnv,
    print
  })
  print(`Merged: ${result.merged.map(pr => `#${pr}`).join(' ') || 'nothing'}`)
  return result.allMet ? 0 : 1
}
