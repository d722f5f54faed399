/**
 * `WaveConfig`: the repository's `.github/codex-waves.yml`. Keys are kebab-case in YAML and
 * camelCase once parsed. Every key has a default, so an empty file (or none) is a full config; an
 * unknown key is an error naming its path.
 */
import { parseDocument } from 'yaml'
import { z } from 'zod'
import { BranchName, BranchType, SafeRelativePath, nonBlank, wholeNumber } from './common.js'
import { ContractError, parseWith, type ParseResult } from './parse.js'

/** Where the pipeline reads its config, relative to the repository root. */
export const CONFIG_PATH = '.github/codex-waves.yml'

type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S
type CamelKeys<T> = { [K in keyof T as K extends string ? CamelCase<K> : K]: T[K] }

/** Renames one level of kebab-case keys to camelCase; values (and their keys) stay as they are. */
function camelKeys<T extends Record<string, unknown>>(section: T): CamelKeys<T> {
  const entries = Object.entries(section).map(([key, value]) => [
    key.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase()),
    value
  ])
  return Object.fromEntries(entries) as CamelKeys<T>
}

/** A section of settings: closed (unknown keys are errors), defaults inside, camelCase outside. */
function section<Shape extends z.ZodRawShape>(shape: Shape) {
  return (
    z
      .strictObject(shape, { error: 'expected a mapping of settings' })
      .transform(camelKeys)
      // Every field of a section has a default, so `{}` is a valid input; the generic cannot show it.
      .prefault({} as never)
  )
}

const labelError = 'expected a label name of 1 to 50 characters'
const Label = nonBlank(labelError).max(50, { error: labelError })

const labelListError = 'expected a list of label names'
const LabelList = z.array(Label, { error: labelListError })

const globError = 'expected a relative glob with a "*", such as "docs/adr/*.md"'
const NumberedPath = SafeRelativePath.regex(/\*/, { error: globError })

const workflowError = 'expected a workflow file name such as "deploy.yml"'

const minutes = (max: number, fallback: number) => wholeNumber(1, max).default(fallback)

/** The labels the pipeline reads and sets. */
const Labels = section({
  /** An issue labelled with this joins a wave. */
  trigger: Label.default('codex-waves'),
  /** Set on every pull request the pipeline opens; how it finds its own PRs. */
  'pull-request': Label.default('codex-waves'),
  /** Set when the pipeline stops and asks a person to step in. */
  'needs-human': Label.default('waves:needs-human')
})

/** Which branch type an issue gets, from its labels. */
const Branches = section({
  /** Branch type → the issue labels that select it; checked in the order fix, refactor, feat. */
  types: z
    .strictObject(
      {
        fix: LabelList.default(['bug', 'fix']),
        refactor: LabelList.default(['refactor', 'refactoring']),
        feat: LabelList.default(['enhancement', 'feature'])
      },
      { error: 'expected a mapping from branch type (fix, refactor, feat) to label names' }
    )
    .prefault({}),
  /** The type of an issue none of whose labels match. */
  'default-type': z
    .enum(BranchType.options, { error: 'expected one of "fix", "refactor", "feat"' })
    .default('feat')
})

/** How review findings turn into correction work, and how much of a diff the reviewer sees. */
const Review = section({
  /** `correct`: should-fix findings go into the correction order; `defer`: into the PR comment. */
  'should-fix': z
    .enum(['correct', 'defer'], { error: 'expected "correct" or "defer"' })
    .default('correct'),
  /** `defer`: nits go into the PR comment only; `correct`: they are corrected too. */
  nits: z.enum(['defer', 'correct'], { error: 'expected "defer" or "correct"' }).default('defer'),
  /** Characters of diff in the reviewer prompt; the rest is cut with a note of what was left out. */
  'diff-budget': wholeNumber(1000, 2_000_000).default(120_000),
  /** Correction cycles before the pipeline escalates to a person. */
  'max-cycles': wholeNumber(1, 10).default(3)
})

/** How approved pull requests are merged, and what happens after. */
const Merge = section({
  method: z
    .enum(['squash', 'merge', 'rebase'], { error: 'expected "squash", "merge" or "rebase"' })
    .default('squash'),
  /** Delete the branch after merging (skipped when the repository already does it). */
  'delete-branch': z.boolean({ error: 'expected true or false' }).default(true),
  /**
   * Minutes to wait for CI to start on a head before reporting that it never started (as happens
   * to pushes made with `GITHUB_TOKEN`).
   */
  'ci-start-timeout-minutes': minutes(1440, 15),
  /** A workflow file to start with `workflow_dispatch` once a wave has merged; none by default. */
  'deploy-workflow': z
    .string({ error: workflowError })
    .regex(/^[\w.-]+\.ya?ml$/, { error: workflowError })
    .nullable()
    .default(null)
})

/** The codex runs: model and time limits. */
const Codex = section({
  /** The model slug passed with `-m`; null keeps the runner's codex default. */
  model: nonBlank('expected a model name such as "gpt-5.5"').nullable().default(null),
  /** Per phase, minutes before the codex run is killed (whole process group). */
  'timeout-minutes': section({
    implement: minutes(360, 45),
    review: minutes(360, 20),
    correct: minutes(360, 30)
  })
})

/** The schema of `.github/codex-waves.yml`; parse it with {@link parseWaveConfig}. */
export const WaveConfig = section({
  labels: Labels,
  /** The branch waves start from and merge into; null means the repository's default branch. */
  base: BranchName.nullable().default(null),
  branches: Branches,
  /** `auto`: halt for a person only when a finding needs a decision; `always`; `never`. */
  confirm: z
    .enum(['auto', 'always', 'never'], { error: 'expected "auto", "always" or "never"' })
    .default('auto'),
  review: Review,
  merge: Merge,
  /** Paths where files are numbered in sequence; two issues adding one get their order decided. */
  'numbered-paths': z
    .array(NumberedPath, { error: 'expected a list of globs' })
    .default(['docs/adr/*.md', 'doc/adr/*.md', 'migrations/*', 'db/migrate/*']),
  codex: Codex,
  /** Files from the base branch whose rules go into every prompt (when they exist). */
  'rules-files': z
    .array(SafeRelativePath, { error: 'expected a list of file paths' })
    .default(['AGENTS.md'])
})
/** A full, parsed config: every key present, camelCase. */
export type WaveConfig = z.output<typeof WaveConfig>

/** Validates an already-parsed config object (e.g. from JSON); see {@link parseWaveConfig}. */
export function parseWaveConfigValue(
  value: unknown,
  what: string = CONFIG_PATH
): ParseResult<WaveConfig> {
  return parseWith(WaveConfig, value ?? {}, what)
}

/**
 * Parses the text of `.github/codex-waves.yml`: YAML syntax errors with line and column, then the
 * contract with every key's default. Empty text (or only comments) gives the default config.
 * @param what names the file in errors.
 */
export function parseWaveConfig(
  yamlText: string,
  what: string = CONFIG_PATH
): ParseResult<WaveConfig> {
  const document = parseDocument(yamlText, { prettyErrors: true, uniqueKeys: true })
  if (document.errors.length > 0) {
    const issues = document.errors.map(error => {
      const where = error.linePos?.[0]
      const reason = (error.message.split('\n')[0] ?? error.message).replace(
        / at line \d+, column \d+:?$/,
        ''
      )
      const location = where === undefined ? 'YAML' : `line ${where.line}, column ${where.col}`
      return { path: location, text: `${location}: ${reason}` }
    })
    return { ok: false, error: new ContractError(what, issues) }
  }
  let value: unknown
  try {
    value = document.toJS({ maxAliasCount: 100 })
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    return {
      ok: false,
      error: new ContractError(what, [{ path: 'YAML', text: `YAML: ${reason}` }])
    }
  }
  return parseWaveConfigValue(value, what)
}

/** The config of a repository without `.github/codex-waves.yml`: every default. */
export function defaultWaveConfig(): WaveConfig {
  return WaveConfig.parse({})
}
