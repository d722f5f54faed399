/**
 * Offline codex: the scripted model playing a playbook on loopback, and a `CODEX_HOME` that points
 * the real `codex` binary at it, so a wave runs with no account and no network.
 */
import { createCodexHome } from '../codex-model/codex-home.js'
import { startScriptedModel, type RecordedRequest } from '../codex-model/scripted-model.js'
import { answerFromPlaybook } from './player.js'
import type { PlaybookEntry } from './playbook.js'

/** A running offline model and the environment codex needs to use it. */
export interface OfflineCodex {
  /** `PATH`, `HOME` and `CODEX_HOME` for the codex process. */
  env: Record<string, string>
  /** Every request the model answered (or refused), in arrival order. */
  requests: readonly RecordedRequest[]
  /** Stops the model and removes the codex home. */
  close(): Promise<void>
}

/** Starts the scripted model with `playbook` and writes a codex home pointing at it. */
export async function startOfflineCodex(playbook: readonly PlaybookEntry[]): Promise<OfflineCodex> {
  const model = await startScriptedModel([], {
    answer: request => answerFromPlaybook(playbook, request),
    whenExhausted: {
      kind: 'http-error',
      status: 500,
      message:
        'the offline playbook has no answer for this prompt (it knows the demo issues only); run without --offline to use a real model'
    }
  })
  const home = await createCodexHome({ modelUrl: model.url }).catch(async (error: unknown) => {
    await model.close()
    throw error
  })
  return {
    env: home.env,
    requests: model.requests,
    close: async () => {
      await model.close()
      await home.remove()
    }
  }
}
