/**
 * The pipeline's work in flight as the triage sees it: its open pull requests (which issues each
 * one closes and which paths it changes) and its branches that have no open pull request.
 */
import { BranchType } from '../contracts/index.js'
import type { InFlightPull } from './facts.js'

const CLOSING_KEYWORD = '(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)'

function escapeForRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/**
 * The issues of `repo` (`owner/name`) a pull request body closes with GitHub's keywords: `Closes
 * #12`, `fixes owner/name#12`, `Resolved: #12`, in order of first appearance. References to
 * other repositories are ignored.
 */
export function closingIssueNumbers(body: string, repo: string): number[] {
  const name = escapeForRegExp(repo)
  const pattern = new RegExp(
    `(?<![\\w-])${CLOSING_KEYWORD}:?\\s+(?:${name})?#(\\d+)\\b|(?<![\\w-])${CLOSING_KEYWORD}:?\\s+https?://[^/\\s]+/${name}/issues/(\\d+)\\b`,
    'gi'
  )
  const numbers: number[] = []
  for (const match of body.matchAll(pattern)) {
    const number = Number(match[1] ?? match[2])
    if (Number.isSafeInteger(number) && number > 0 && !numbers.includes(number)) {
      numbers.push(number)
    }
  }
  return numbers
}

/** The issue a pipeline branch is for (`fix/12-title` → 12), or null for another name. */
export function issueOfBranch(branch: string): number | null {
  const digits = /^(?:fix|refactor|feat)\/(\d+)-/.exec(branch)?.[1]
  const number = Number(digits ?? Number.NaN)
  return Number.isSafeInteger(number) && number > 0 ? number : null
}

/**
 * An open pipeline pull request for the triage: the issues its body closes (or, when it names
 * none, the issue of its branch) and the paths it changes.
 */
export function inFlightPull(
  pull: { number: number; headRef: string; body: string },
  changedPaths: readonly string[],
  repo: string
): InFlightPull {
  const closes = closingIssueNumbers(pull.body, repo)
  const fromBranch = issueOfBranch(pull.headRef)
  return {
    number: pull.number,
    headBranch: pull.headRef,
    closes: closes.length > 0 || fromBranch === null ? closes : [fromBranch],
    changedPaths: [...new Set(changedPaths)].sort()
  }
}

/** Where the plan step fetches the pipeline's branches to, away from the work tree's own refs. */
export const PIPELINE_BRANCH_REFS = 'refs/codex-waves/branches/'

/**
 * The refspecs that fetch every branch the pipeline may have pushed (`fix/*`, `feat/*`,
 * `refactor/*`) into {@link PIPELINE_BRANCH_REFS}.
 */
export function pipelineBranchRefspecs(): string[] {
  return BranchType.options.map(type => `+refs/heads/${type}/*:${PIPELINE_BRANCH_REFS}${type}/*`)
}

/**
 * The pipeline's branches that count as in flight on their own: those named for an issue
 * (`fix/12-...`, see {@link issueOfBranch}) that are no open pipeline PR's head and whose issue
 * no open pipeline PR closes already. `refs` are full ref names under
 * {@link PIPELINE_BRANCH_REFS} (as `git for-each-ref` lists them) or plain branch names. Sorted
 * by branch name.
 */
export function branchesWithoutPull(
  refs: readonly string[],
  pulls: readonly InFlightPull[]
): { branch: string; issue: number }[] {
  const heads = new Set(pulls.map(pull => pull.headBranch))
  const closed = new Set(pulls.flatMap(pull => pull.closes))
  const found = new Map<string, number>()
  for (const ref of refs) {
    const branch = ref.startsWith(PIPELINE_BRANCH_REFS)
      ? ref.slice(PIPELINE_BRANCH_REFS.length)
      : ref.trim()
    const issue = issueOfBranch(branch)
    if (issue === null || heads.has(branch) || closed.has(issue)) continue
    found.set(branch, issue)
  }
  return [...found]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([branch, issue]) => ({ branch, issue }))
}
