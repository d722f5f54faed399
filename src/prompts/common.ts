/**
 * Pieces the prompts share: the input shapes for issues and rules files, the section layout, the
 * issue and rules sections, and the JSON result both code-changing roles end with.
 */
import type { BranchType, ImplementerResult } from '../contracts/index.js'
import { codeFence, fenceUntrusted, inlineUntrusted } from './untrusted.js'

/** An issue by number and title, e.g. one of the other issues of a wave. Both are untrusted text. */
export interface IssueRef {
  number: number
  title: string
}

/** An issue as a prompt shows it: its title and body come from GitHub users, so they are fenced. */
export interface PromptIssue extends IssueRef {
  body: string
}

/**
 * A rules file read from the base branch (e.g. `AGENTS.md`). The phase decides which files and
 * from which commit; the renderers show exactly what they are given and nothing else.
 */
export interface RulesFile {
  path: string
  text: string
}

/** One `## title` section of a prompt. */
export interface Section {
  title: string
  body: string
}

/** Joins sections into the prompt text, in the order given, each under its `##` heading. */
export function renderSections(sections: readonly Section[]): string {
  return `${sections.map(({ title, body }) => `## ${title}\n\n${body.trimEnd()}`).join('\n\n')}\n`
}

/** `#12`, `#12 and #15`, `#12, #15 and #17`. */
export function issueList(numbers: readonly number[]): string {
  const refs = numbers.map(number => `#${number}`)
  const last = refs.pop()
  return refs.length === 0 ? (last ?? '') : `${refs.join(', ')} and ${last}`
}

/** Rejects an empty issue list, which no prompt can be about. */
export function requireIssues(issues: readonly IssueRef[], prompt: string): void {
  if (issues.length === 0) {
    throw new Error(
      `The ${prompt} prompt got no issues (issues: []). Pass the issue(s) the work is about.`
    )
  }
}

/** One `## Issue #N: <title>` section per issue, the body fenced as data. */
export function issueSections(issues: readonly PromptIssue[]): Section[] {
  return issues.map(issue => ({
    title: `Issue #${issue.number}: ${inlineUntrusted(issue.title)}`,
    body:
      issue.body.trim() === ''
        ? 'The issue has no description beyond its title.'
        : fenceUntrusted(`the text of issue #${issue.number}`, issue.body)
  }))
}

/** The rules files, each under its path and fenced; a sentence when there are none. */
function rulesFilesText(rulesFiles: readonly RulesFile[]): string {
  if (rulesFiles.length === 0) return 'The base branch has no rules files.'
  return rulesFiles
    .map(
      file => `### ${inlineUntrusted(file.path)} (from the base branch)\n\n${codeFence(file.text)}`
    )
    .join('\n\n')
}

/** The rules every change must keep, whatever the repository's own rules files say. */
export const STANDING_RULES = [
  'No references to AI tools, assistants or code generators in code, comments, commit messages ' +
    'or the pull request summary.',
  'No TODO, FIXME or XXX markers and no debug-print leftovers (stray console.log, print, dump ' +
    'calls and the like) in the change.',
  'Keep the change minimal: only what is asked, in the style and structure of the code around it.'
] as const

/**
 * The `## Project rules` body: the rules files as given (from the base branch), then the standing
 * rules. With a branch type, the conventional commit prefix the commit title must use comes first.
 */
export function projectRulesText(
  rulesFiles: readonly RulesFile[],
  branchType?: BranchType
): string {
  const standing = [...STANDING_RULES]
  if (branchType !== undefined) {
    // Branch types (fix, refactor, feat) are named after the conventional commit types they match.
    standing.unshift(
      `Conventional commits: the commit title starts with \`${branchType}:\` or ` +
        `\`${branchType}(<area>):\`, matching this branch's type.`
    )
  }
  return [
    "The repository's rules files, as they are on the base branch:",
    rulesFilesText(rulesFiles),
    'Standing rules for every change:',
    standing.map(rule => `- ${rule}`).join('\n')
  ].join('\n\n')
}

/** What each field of the implementer's JSON result holds, in the schema's order. */
export const RESULT_FIELDS: Readonly<Record<keyof ImplementerResult, string>> = {
  status:
    '`"done"` when the change is made; `"blocked"` when it cannot be made as asked (the pipeline ' +
    'then pushes nothing, so say why in `open_questions`).',
  commit_title:
    'a conventional commit prefix as the project rules say, then an imperative summary; at most ' +
    '72 characters, no trailing period.',
  commit_body:
    'what changed and why, wrapped at 72 columns; may be empty. No trailers: the ' +
    'pipeline adds them.',
  pr_summary: 'a few lines for the pull request description: what changed and how it was checked.',
  tests_run:
    'each test command you ran and how it ended, one entry per command (e.g. `npm test: 42 passed`); ' +
    'an empty list if the project has no tests.',
  open_questions:
    'what you had to decide without an answer (including open questions left to you) and, when ' +
    'blocked, what blocks you; an empty list when there is nothing.'
}

/**
 * The `## How to finish` body for a role that changes code (implementer, corrector): leave the
 * change in the work tree for the pipeline to commit, and end with the JSON result.
 */
export function howToFinishText(): string {
  const fields = Object.entries(RESULT_FIELDS).map(
    ([field, meaning]) => `- \`${field}\`: ${meaning}`
  )
  return [
    [
      '- Do not commit, do not push, do not create or switch branches: leave the change in the ' +
        'work tree; the pipeline commits it.',
      "- Run the project's tests if it has any, and fix what your change broke.",
      '- Leave no conflict markers and no stray files (build output, scratch files, logs).'
    ].join('\n'),
    'End with a JSON object, and nothing else, matching the output schema. Every field is required:',
    fields.join('\n')
  ].join('\n\n')
}
