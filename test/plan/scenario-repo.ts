/**
 * Test support: a small real repository per scenario, and the facts gathered from it the way the
 * plan phase gathers them (git at the base, a list of issues standing in for GitHub).
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { WaveConfig } from '../../src/contracts/index.js'
import {
  numberedPathState,
  planLookups,
  type InFlightPull,
  type IssueFacts,
  type PlanFacts
} from '../../src/plan/index.js'

/** A repository with one commit holding `files`, removed by {@link TempRepo.remove}. */
export class TempRepo {
  readonly dir: string

  constructor(files: Record<string, string>) {
    this.dir = mkdtempSync(join(tmpdir(), 'plan-scenario-'))
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(this.dir, path)), { recursive: true })
      writeFileSync(join(this.dir, path), content)
    }
    this.git(['init', '--quiet', '--initial-branch=main'])
    this.git(['add', '--all'])
    this.git(['commit', '--quiet', '--message', 'base'])
  }

  /** Runs git in the repository; returns stdout, or null when git exits non-zero. */
  git(args: string[]): string | null {
    try {
      return execFileSync(
        'git',
        ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args],
        { cwd: this.dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }
      )
    } catch {
      return null
    }
  }

  /** Whether a path (file or directory) exists at HEAD. */
  exists(path: string): boolean {
    return this.git(['cat-file', '-e', `HEAD:${path}`]) !== null
  }

  /** The files at HEAD whose lines match an extended regular expression. */
  grep(pattern: string): string[] {
    const output = this.git(['grep', '-l', '-E', '-e', pattern, 'HEAD']) ?? ''
    return output
      .split('\n')
      .filter(line => line !== '')
      .map(line => line.replace(/^HEAD:/, ''))
  }

  /** Every file at HEAD. */
  files(): string[] {
    return (this.git(['ls-tree', '-r', '--name-only', 'HEAD']) ?? '').split('\n').filter(Boolean)
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true })
  }
}

/** Gathers the facts for `requested` from a repository and a list standing in for GitHub. */
export function gatherFacts(options: {
  repo: TempRepo
  repoName: string
  requested: number[]
  github: IssueFacts[]
  inFlight: InFlightPull[]
  config: WaveConfig
}): PlanFacts {
  const byNumber = new Map(options.github.map(issue => [issue.number, issue]))
  const fetch = (numbers: readonly number[]) =>
    numbers.flatMap(number => {
      const issue = byNumber.get(number)
      return issue === undefined ? [] : [issue]
    })
  const issues = fetch(options.requested)
  const lookups = planLookups(issues, options.repoName, options.config)
  issues.push(...fetch(lookups.issues))
  const files = options.repo.files()
  return {
    repo: options.repoName,
    requested: options.requested,
    issues,
    inFlight: options.inFlight,
    pathsAtBase: Object.fromEntries(lookups.paths.map(path => [path, options.repo.exists(path)])),
    symbolDefinitions: Object.fromEntries(
      lookups.symbols.map(({ symbol, pattern }) => [symbol, options.repo.grep(pattern)])
    ),
    numberedPaths: lookups.numberedPatterns.map(pattern => numberedPathState(pattern, files))
  }
}
