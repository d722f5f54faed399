/**
 * The pipeline's open pull requests as the triage sees them: which issues each one closes and
 * which paths it changes.
 */
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
