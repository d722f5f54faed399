/**
 * `codex-waves init [dir]`: writes the four pipeline workflows (pinned to this package's version)
 * and a commented `.github/codex-waves.yml` into a repository. Idempotent; a file that differs
 * from its template is left alone unless `--force` is given.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { CONFIG_TEMPLATE, CONFIG_TEMPLATE_PATH } from './templates/config.js'
import { PIPELINE_WORKFLOWS } from './templates/render.js'
import { TEMPLATES_VERSION, WORKFLOW_TEMPLATES } from './templates/workflows.generated.js'

/** A file init writes: its path relative to the repository root, and its content. */
export interface InitFile {
  path: string
  content: string
}

/** What init does with one file. */
export type InitAction = 'create' | 'unchanged' | 'overwrite' | 'refuse'

/** One file of the plan. */
export interface PlannedFile extends InitFile {
  action: InitAction
}

/** The files init writes, in order: the workflows, then the config. */
export function initTemplates(): InitFile[] {
  const workflows = PIPELINE_WORKFLOWS.map(file => ({
    path: `.github/workflows/${file}`,
    content: WORKFLOW_TEMPLATES[file] as string
  }))
  return [...workflows, { path: CONFIG_TEMPLATE_PATH, content: CONFIG_TEMPLATE }]
}

/**
 * Decides, per template, what init does: create a missing file, leave an identical one, and
 * overwrite a different one only with `force` (refuse otherwise).
 * @param existing the current content of the template paths that exist.
 */
export function planInit(
  existing: ReadonlyMap<string, string>,
  templates: readonly InitFile[],
  options: { force: boolean }
): PlannedFile[] {
  return templates.map(template => {
    const current = existing.get(template.path)
    const action: InitAction =
      current === undefined
        ? 'create'
        : current === template.content
          ? 'unchanged'
          : options.force
            ? 'overwrite'
            : 'refuse'
    return { ...template, action }
  })
}

/** Where init prints. */
export interface InitIo {
  cwd: string
  stdout(line: string): void
  stderr(line: string): void
}

const USAGE = `Usage: codex-waves init [dir] [--force]

Writes the codex-waves workflows (pinned to version ${TEMPLATES_VERSION}) into dir/.github/workflows
and a commented dir/.github/codex-waves.yml. dir defaults to the current directory.

  --force   overwrite files that differ from the templates
  --help    show this help`

const PAST_TENSE: Record<InitAction, string> = {
  create: 'created',
  unchanged: 'unchanged',
  overwrite: 'overwritten',
  refuse: 'refused'
}

/**
 * Runs `codex-waves init` with the arguments after `init`. Returns the exit code: 0 done, 1 a
 * changed file was refused (nothing written), 2 bad arguments.
 */
export async function runInit(args: readonly string[], io: InitIo): Promise<number> {
  const parsed = parseInitArgs(args)
  if ('error' in parsed) {
    io.stderr(`codex-waves init: ${parsed.error}\n\n${USAGE}`)
    return 2
  }
  if (parsed.help) {
    io.stdout(USAGE)
    return 0
  }
  const root = resolve(io.cwd, parsed.dir)
  const templates = initTemplates()
  const existing = await readExisting(root, templates)
  const plan = planInit(existing, templates, { force: parsed.force })
  const refused = plan.filter(file => file.action === 'refuse')
  if (refused.length > 0) {
    for (const file of refused) {
      io.stderr(
        `codex-waves init: ${file.path} differs from the codex-waves ${TEMPLATES_VERSION} template; ` +
          'nothing was written. Run again with --force to overwrite it, or move your copy aside.'
      )
    }
    return 1
  }
  for (const file of plan) {
    if (file.action === 'create' || file.action === 'overwrite') {
      const target = join(root, file.path)
      await mkdir(dirname(target), { recursive: true })
      await writeFile(target, file.content)
    }
    io.stdout(`${PAST_TENSE[file.action]} ${file.path}`)
  }
  return 0
}

type InitArgs = { dir: string; force: boolean; help: boolean } | { error: string }

function parseInitArgs(args: readonly string[]): InitArgs {
  const dirs: string[] = []
  let force = false
  let help = false
  for (const arg of args) {
    if (arg === '--force') force = true
    else if (arg === '--help' || arg === '-h') help = true
    else if (arg.startsWith('-')) return { error: `unknown option '${arg}'.` }
    else dirs.push(arg)
  }
  if (dirs.length > 1) {
    return { error: `expected at most one directory, got ${dirs.map(d => `'${d}'`).join(', ')}.` }
  }
  return { dir: dirs[0] ?? '.', force, help }
}

async function readExisting(
  root: string,
  templates: readonly InitFile[]
): Promise<Map<string, string>> {
  const existing = new Map<string, string>()
  for (const template of templates) {
    try {
      existing.set(template.path, await readFile(join(root, template.path), 'utf8'))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
  }
  return existing
}
