/**
 * `uses:` steps. A JavaScript action (`runs.using: node20|node24`) is run as the runner runs it:
 * `node <main>` with its inputs as `INPUT_*` (defaults from `action.yml`, evaluated), in the
 * workspace. Actions are found in the workspace (`./path`) or, for `owner/repo/path@ref`, in a
 * local directory the engine maps that repository to (as `codex-waves init` writes them).
 * `actions/checkout` and `actions/create-github-app-token` are played by stand-ins; any other
 * action is refused.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { isAbsolute, join, relative, resolve } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { UnsupportedConstruct, InvalidWorkflow, type WorkflowPlace } from './errors.js'
import { evaluateExpression, valueText, type Contexts } from './expressions.js'
import type { JobSetup } from './job-setup.js'
import { runStepProcess, type StepResult } from './step-process.js'

/** What a `uses:` names. */
export type ActionTarget =
  { kind: 'node'; dir: string } | { kind: 'checkout' } | { kind: 'app-token' }

/** Repositories of actions, by `owner/repo`, mapped to local directories. */
export type ActionSources = Readonly<Record<string, string>>

const STAND_INS: Record<string, ActionTarget['kind']> = {
  'actions/checkout': 'checkout',
  'actions/create-github-app-token': 'app-token'
}

/** Resolves a `uses:` value; refuses what the engine cannot run. */
export function resolveUses(
  uses: string,
  workspace: string,
  sources: ActionSources,
  place: WorkflowPlace
): ActionTarget {
  if (uses.startsWith('docker://'))
    throw new UnsupportedConstruct(place, `Docker actions ('${uses}')`)
  if (uses.startsWith('./') || uses === '.') {
    const dir = resolve(workspace, uses)
    const inside = relative(workspace, dir)
    if (inside.startsWith('..') || isAbsolute(inside)) {
      throw new InvalidWorkflow(place, `'${uses}' is outside the workspace`)
    }
    return { kind: 'node', dir }
  }
  const match = /^([^/@]+)\/([^/@]+)((?:\/[^@]+)?)@(.+)$/.exec(uses)
  if (!match) throw new InvalidWorkflow(place, `'${uses}' is not owner/repo[/path]@ref or ./path`)
  const [, owner = '', repo = '', path = ''] = match
  const stand = STAND_INS[`${owner}/${repo}`]
  if (stand !== undefined && path === '') return { kind: stand } as ActionTarget
  const local = sources[`${owner}/${repo}`]
  if (local === undefined) {
    throw new UnsupportedConstruct(
      place,
      `the action '${uses}'`,
      `It runs actions from the workspace, the stand-ins for ${Object.keys(STAND_INS).join(' and ')}, and repositories mapped to a local directory (actionSources).`
    )
  }
  return { kind: 'node', dir: join(local, path) }
}

interface ActionMetadata {
  inputs?: Record<string, { default?: unknown } | null>
  runs?: { using?: string; main?: string; pre?: string; post?: string }
}

/** Evaluates the `${{ }}` parts of an `action.yml` default. */
function evaluateDefault(text: string, contexts: Contexts, place: WorkflowPlace): string {
  return text.replace(/\$\{\{(.*?)\}\}/g, (_, expression: string) =>
    valueText(evaluateExpression(expression.trim(), contexts, place))
  )
}

async function readMetadata(dir: string, place: WorkflowPlace): Promise<ActionMetadata> {
  const file = ['action.yml', 'action.yaml'].map(name => join(dir, name)).find(existsSync)
  if (file === undefined) throw new InvalidWorkflow(place, `no action.yml in ${dir}`)
  const metadata = parseYaml(await readFile(file, 'utf8')) as ActionMetadata
  const using = metadata.runs?.using ?? ''
  if (!/^node(20|24)$/.test(using)) {
    throw new UnsupportedConstruct(place, `actions that run '${using}' (${file})`)
  }
  for (const hook of ['pre', 'post'] as const) {
    if (metadata.runs?.[hook])
      throw new UnsupportedConstruct(place, `an action's '${hook}' script (${file})`)
  }
  return metadata
}

/** The `INPUT_<NAME>` variable of an input, as the runner spells it. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

/** Runs a JavaScript action. */
export async function runNodeAction(
  setup: JobSetup,
  call: {
    dir: string
    with: Record<string, string>
    env: Record<string, string>
    contexts: Contexts
    action: string
    timeoutMs: number
    place: WorkflowPlace
  }
): Promise<StepResult> {
  const metadata = await readMetadata(call.dir, call.place)
  const inputs: Record<string, string> = {}
  for (const [name, spec] of Object.entries(metadata.inputs ?? {})) {
    if (spec?.default === undefined || spec.default === null) continue
    inputs[name] = evaluateDefault(String(spec.default), call.contexts, call.place)
  }
  Object.assign(inputs, call.with)
  const env = { ...call.env }
  for (const [name, value] of Object.entries(inputs)) env[inputVariable(name)] = value
  const declared = new Set(Object.keys(metadata.inputs ?? {}))
  const unexpected = Object.keys(call.with).filter(name => !declared.has(name))
  const result = await runStepProcess(setup, {
    file: process.execPath,
    args: [join(call.dir, metadata.runs?.main ?? 'index.js')],
    cwd: setup.workspace,
    env,
    action: call.action,
    timeoutMs: call.timeoutMs,
    runtime: setup.runtimeEnv
  })
  if (unexpected.length > 0) {
    result.annotations.unshift({
      level: 'warning',
      message: `Unexpected input(s) '${unexpected.join("', '")}', valid inputs are ['${[...declared].join("', '")}']`
    })
  }
  return result
}
