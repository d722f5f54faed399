/**
 * Reads action inputs into typed settings. Every error names the input, the value it got and the
 * format it expects, and nothing is done before all inputs have been read.
 */
import { COMMON_INPUTS } from '../action-io.js'
import { CONFIG_PATH } from '../contracts/index.js'

/** Reads one input as the runner passes it (`core.getInput` semantics: trimmed, '' when unset). */
export type InputReader = (name: string) => string

/** The settings every action shares. */
export interface CommonSettings {
  githubToken: string
  configPath: string
  codexPath: string
  model: string | null
  /** From `timeout-minutes`; null leaves the phase's timeout from the config. */
  timeoutMinutes: number | null
  /** The login whose comments the pipeline trusts as its own (its ledger comments). */
  pipelineLogin: string
}

/** An input that does not have the expected format. */
export class InputError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'InputError'
  }
}

/** The login of `GITHUB_TOKEN`'s comments; an App token's are `<app-slug>[bot]`. */
export const DEFAULT_PIPELINE_LOGIN = 'github-actions[bot]'

/** Reads the inputs every action takes. */
export function readCommonSettings(read: InputReader): CommonSettings {
  const githubToken = read(COMMON_INPUTS.githubToken)
  if (githubToken === '') {
    throw new InputError(
      `Input '${COMMON_INPUTS.githubToken}' is empty. Pass a token, e.g. '\${{ github.token }}' or a GitHub App installation token.`
    )
  }
  return {
    githubToken,
    configPath: read(COMMON_INPUTS.config) || CONFIG_PATH,
    codexPath: read(COMMON_INPUTS.codexPath) || 'codex',
    model: read(COMMON_INPUTS.model) || null,
    timeoutMinutes: optionalMinutes(read, COMMON_INPUTS.timeoutMinutes, 360, '30'),
    pipelineLogin: read(COMMON_INPUTS.pipelineLogin) || DEFAULT_PIPELINE_LOGIN
  }
}

/** A whole number input in [min, max], or null when empty. */
export function optionalWholeNumber(
  read: InputReader,
  name: string,
  min: number,
  max: number,
  example: string
): number | null {
  const raw = read(name)
  if (raw === '') return null
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new InputError(
      `Input '${name}': '${raw}' is not a whole number from ${min} to ${max}. Use e.g. '${example}'.`
    )
  }
  return Number(raw)
}

/**
 * A number of minutes in (0, max], fractions allowed (`0.5` is 30 seconds), or null when empty.
 */
export function optionalMinutes(
  read: InputReader,
  name: string,
  max: number,
  example: string
): number | null {
  const raw = read(name)
  if (raw === '') return null
  const minutes = Number(raw)
  if (!/^\d+(?:\.\d+)?$/.test(raw) || minutes <= 0 || minutes > max) {
    throw new InputError(
      `Input '${name}': '${raw}' is not a number of minutes above 0 and at most ${max}. Use e.g. '${example}' (fractions such as '0.5' are allowed).`
    )
  }
  return minutes
}

/** A pull request number input: '#12' or '12'; null when empty. */
export function optionalPullNumber(read: InputReader, name: string): number | null {
  const raw = read(name)
  if (raw === '') return null
  const match = /^#?(\d+)$/.exec(raw)
  if (!match || Number(match[1]) < 1) {
    throw new InputError(
      `Input '${name}': '${raw}' is not a pull request number. Use a number such as '42'.`
    )
  }
  return Number(match[1])
}

/** One of a fixed set of values; `fallback` when empty. */
export function choiceInput<T extends string>(
  read: InputReader,
  name: string,
  choices: readonly T[],
  fallback: T
): T {
  const raw = read(name)
  if (raw === '') return fallback
  if (!(choices as readonly string[]).includes(raw)) {
    throw new InputError(
      `Input '${name}': '${raw}' is not one of ${choices.map(c => `'${c}'`).join(', ')}.`
    )
  }
  return raw as T
}

/** A boolean input: 'true' or 'false' (any case); `fallback` when empty. */
export function booleanInput(read: InputReader, name: string, fallback: boolean): boolean {
  const raw = read(name).toLowerCase()
  if (raw === '') return fallback
  if (raw !== 'true' && raw !== 'false') {
    throw new InputError(`Input '${name}': '${raw}' is not a boolean. Use 'true' or 'false'.`)
  }
  return raw === 'true'
}
