/**
 * The facts the triage works from, as plain data the plan phase gathers through its ports
 * (issues and pull requests from GitHub, paths and definitions from git at the base), and what
 * the phase has to look up to gather them.
 */
import type { WaveConfig } from '../contracts/index.js'
import {
  extractPaths,
  extractSymbols,
  extractTaskListRefs,
  symbolDefinitionPattern
} from './extract.js'

/** An issue (or a pull request, which GitHub also serves as an issue) as GitHub reports it. */
export interface IssueFacts {
  number: number
  title: string
  /** The body; an empty string when GitHub has none. */
  body: string
  labels: string[]
  state: 'open' | 'closed'
  locked: boolean
  /** True when the number is a pull request's. */
  isPullRequest: boolean
  /** The numbers of its sub-issues, in GitHub's order. */
  subIssues: number[]
}

/** An open pull request of the pipeline (it carries the pipeline's label). */
export interface InFlightPull {
  number: number
  headBranch: string
  /** The issues it closes (`Closes #N`, or its ledger's issues). */
  closes: number[]
  /** The paths it changes against its base. */
  changedPaths: string[]
}

/**
 * A branch of the pipeline's naming (`fix/12-...`) without an open pull request: a push that
 * succeeded before opening the pull request failed, or one left after its PR was closed.
 */
export interface InFlightBranch {
  branch: string
  /** The issue its name starts with. */
  issue: number
  /** The paths it changes against the base (since their merge base). */
  changedPaths: string[]
}

/** What the base holds under one numbered path of the config (see {@link numberedPathState}). */
export interface NumberedPathState {
  /** The glob from config `numbered-paths`, e.g. `docs/adr/*.md`. */
  pattern: string
  /** Whether any file at the base matches the glob (the repository uses this numbered path). */
  present: boolean
  /** The highest number a matching file starts with, or null when none starts with a number. */
  highest: number | null
  /** The digits of that number as written (`0005` → 4), so the next one is padded alike. */
  width: number
}

/**
 * Everything the triage needs, gathered by the plan phase. Requested numbers absent from `issues`
 * are missing (or not visible to the token).
 */
export interface PlanFacts {
  /** `owner/name`: task-list references to this repository count, others do not. */
  repo: string
  /** The issue numbers of the wave: the parsed input, or the triggering event's issue. */
  requested: number[]
  /**
   * The requested issues that exist, and the issues their task lists and sub-issues reference
   * (see {@link planLookups}), so the triage knows which of those are still open.
   */
  issues: IssueFacts[]
  /** The pipeline's open pull requests. */
  inFlight: InFlightPull[]
  /** The pipeline's branches without an open pull request; absent when they were not read. */
  inFlightBranches?: InFlightBranch[]
  /** For each path {@link planLookups} listed: whether it exists at the base. */
  pathsAtBase: Record<string, boolean>
  /** For each symbol {@link planLookups} listed: the files that define it at the base. */
  symbolDefinitions: Record<string, string[]>
  /** For each pattern of config `numbered-paths`: what the base holds under it. */
  numberedPaths: NumberedPathState[]
}

/** The part of the config the triage reads. A full {@link WaveConfig} is one. */
export type PlanConfig = Pick<WaveConfig, 'numberedPaths' | 'confirm' | 'branches'>

/** What the plan phase has to look up once it has the requested issues. */
export interface PlanLookups {
  /** Paths named in bodies: check each exists at the base (`pathsAtBase`). */
  paths: string[]
  /** Backticked symbols: find the files defining each (`symbolDefinitions`). */
  symbols: { symbol: string; pattern: string }[]
  /** Issues referenced by task lists or sub-issues, not yet fetched: fetch them into `issues`. */
  issues: number[]
  /** The config's numbered paths: list the base's files under each ({@link numberedPathState}). */
  numberedPatterns: string[]
}

/**
 * What to look up for a batch whose issues have been fetched: the paths and symbols their bodies
 * name, each symbol with the `git grep -E` pattern that finds its definitions, and the referenced
 * issues not fetched yet. Sorted, so the phase's requests are deterministic.
 */
export function planLookups(
  issues: readonly IssueFacts[],
  repo: string,
  config: Pick<PlanConfig, 'numberedPaths'>
): PlanLookups {
  const paths = new Set<string>()
  const symbols = new Set<string>()
  const referenced = new Set<number>()
  const fetched = new Set(issues.map(issue => issue.number))
  for (const issue of issues) {
    const text = `${issue.title}\n${issue.body}`
    for (const path of extractPaths(text)) paths.add(path)
    for (const symbol of extractSymbols(text)) symbols.add(symbol)
    for (const ref of extractTaskListRefs(issue.body, repo)) referenced.add(ref.number)
    for (const number of issue.subIssues) referenced.add(number)
  }
  return {
    paths: [...paths].sort(),
    symbols: [...symbols].sort().map(symbol => ({
      symbol,
      pattern: symbolDefinitionPattern(symbol)
    })),
    issues: [...referenced].filter(number => !fetched.has(number)).sort((a, b) => a - b),
    numberedPatterns: [...config.numberedPaths]
  }
}

/** A regular expression for a glob: `*` within one path segment, `**` across segments. */
export function globToRegExp(glob: string): RegExp {
  let source = ''
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i] ?? ''
    if (char === '*' && glob[i + 1] === '*') {
      source += '.*'
      i++
      if (glob[i + 1] === '/') i++
    } else if (char === '*') source += '[^/]*'
    else if (char === '?') source += '[^/]'
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${source}$`)
}

/** The directory a glob's files live in: its segments before the first with a wildcard. */
export function globDirectory(glob: string): string {
  const segments = glob.split('/')
  const firstWild = segments.findIndex(segment => /[*?]/.test(segment))
  return segments.slice(0, firstWild < 0 ? segments.length : firstWild).join('/')
}

/** The number a numbered file's name starts with (`0005-cache.md` → 5), or null. */
export function leadingNumber(path: string): { value: number; width: number } | null {
  const name = path.split('/').pop() ?? ''
  const digits = /^(\d+)/.exec(name)?.[1]
  if (digits === undefined) return null
  const value = Number(digits)
  return Number.isSafeInteger(value) ? { value, width: digits.length } : null
}

/**
 * What the base holds under a numbered path, from the list of the base's files (e.g.
 * `git ls-tree -r --name-only`): whether any matches, and the highest leading number.
 */
export function numberedPathState(pattern: string, files: readonly string[]): NumberedPathState {
  const matcher = globToRegExp(pattern)
  let present = false
  let highest: { value: number; width: number } | null = null
  for (const file of files) {
    if (!matcher.test(file)) continue
    present = true
    const number = leadingNumber(file)
    if (number !== null && (highest === null || number.value > highest.value)) highest = number
  }
  return { pattern, present, highest: highest?.value ?? null, width: highest?.width ?? 4 }
}
