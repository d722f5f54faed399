/**
 * What every phase runs with: the repository, the run it belongs to, the config and the ports.
 * Entry points (the actions, the command line) build it; phases only read it.
 */
import type { WaveConfig } from '../../contracts/index.js'
import type { Artifacts, Clock, Forge, Ui } from '../../ports.js'

export interface RepoRef {
  owner: string
  repo: string
}

/** The workflow run (or local run) a phase executes in. */
export interface RunRef {
  runId: number
  attempt: number
  /** A link people can follow to this run's log. */
  url: string
}

export interface PhaseContext {
  repo: RepoRef
  run: RunRef
  config: WaveConfig
  /** The login whose comments are the pipeline's own; ledger comments by anyone else are ignored. */
  pipelineLogin: string
  forge: Forge
  artifacts: Artifacts
  ui: Ui
  clock: Clock
}
