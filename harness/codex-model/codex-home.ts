/**
 * An isolated `CODEX_HOME` whose `config.toml` points the real `codex` binary at a scripted model
 * on loopback: used by the tests and by the offline demo, so codex needs no account and no network.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

export interface CodexHomeOptions {
  /** The scripted model's base URL (`ScriptedModel.url`). */
  modelUrl: string
  /**
   * A model slug codex knows: its tool set depends on it, and `gpt-5.5` is one for which codex
   * 0.169 offers `apply_patch` (unknown slugs get no `apply_patch` tool).
   */
  model?: string
  /** HTTP retries per request; low so a failing model fails fast. */
  requestMaxRetries?: number
  /** Stream reconnections per turn; low so a failing model fails fast. */
  streamMaxRetries?: number
  /** How long codex waits for the next SSE event before treating the stream as lost. */
  streamIdleTimeoutMs?: number
}

export interface CodexHome {
  /** The `CODEX_HOME` directory. */
  dir: string
  /**
   * A minimal environment for the codex process: `PATH`, `CODEX_HOME`, and a `HOME` inside the
   * temporary directory so the machine's shell profile and `~/.codex` stay out of the run.
   */
  env: Record<string, string>
  remove(): Promise<void>
}

/** The `config.toml` text for a scripted model provider. */
export function codexConfigToml(options: CodexHomeOptions): string {
  const lines = [
    `model = ${tomlString(options.model ?? 'gpt-5.5')}`,
    'model_provider = "scripted"',
    '',
    '[model_providers.scripted]',
    'name = "Scripted model"',
    `base_url = ${tomlString(options.modelUrl)}`,
    'wire_api = "responses"',
    `request_max_retries = ${options.requestMaxRetries ?? 0}`,
    `stream_max_retries = ${options.streamMaxRetries ?? 0}`,
    `stream_idle_timeout_ms = ${options.streamIdleTimeoutMs ?? 60_000}`,
    '',
    // Both reach the internet on start (the plugin catalogue on github.com, analytics): an offline run may not.
    '[features]',
    'plugins = false',
    '',
    '[analytics]',
    'enabled = false',
    ''
  ]
  return lines.join('\n')
}

/** Writes a fresh `CODEX_HOME` in a temporary directory. */
export async function createCodexHome(options: CodexHomeOptions): Promise<CodexHome> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'codex-home-'))
  const dir = path.join(root, 'codex')
  const home = path.join(root, 'home')
  await mkdir(dir)
  await mkdir(home)
  await writeFile(path.join(dir, 'config.toml'), codexConfigToml(options))
  return {
    dir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, CODEX_HOME: dir },
    remove: () => rm(root, { recursive: true, force: true })
  }
}

function tomlString(value: string): string {
  return JSON.stringify(value)
}
