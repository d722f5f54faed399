/**
 * One issue as the triage sees it: the files it touches (with the evidence for each), what it
 * means to do with what it names, what it depends on, and whether it is small.
 */
import {
  extractDependencies,
  extractIntent,
  extractPaths,
  extractSymbols,
  extractTaskListRefs,
  type IntentMention,
  type TaskListRef
} from './extract.js'
import type { IssueFacts, PlanFacts } from './facts.js'

/** A symbol defined in more files than this says nothing about where a change lands. */
export const MAX_DEFINING_FILES = 3

/** Bodies longer than this are never small, whatever the labels say. */
const MAX_SMALL_BODY = 1000
/** Bodies this short are small on their own. */
const SHORT_BODY = 120

const SMALL_LABELS = new Set([
  'chore',
  'doc',
  'docs',
  'documentation',
  'good first issue',
  'spelling',
  'trivial',
  'typo'
])
const SMALL_TITLE = /\b(?:typos?|spelling|misspel\w*|grammar|wording|broken links?)\b/i

/** An issue of the batch, read for the triage. */
export interface IssueProfile {
  issue: IssueFacts
  /** Every path the title and body name, existing or not. */
  paths: string[]
  symbols: string[]
  /** Existing files it touches → one evidence line per way it names them. */
  files: Map<string, string[]>
  intents: IntentMention[]
  taskRefs: TaskListRef[]
  dependsOn: number[]
  /** Why it counts as small (for the evidence), or null. */
  small: string | null
}

/** The definitions of a symbol that say where it lives: one to {@link MAX_DEFINING_FILES}. */
export function definingFiles(facts: PlanFacts, symbol: string): string[] {
  const files = facts.symbolDefinitions[symbol] ?? []
  return files.length <= MAX_DEFINING_FILES ? [...new Set(files)].sort() : []
}

function smallness(issue: IssueFacts): string | null {
  const length = issue.body.trim().length
  if (length > MAX_SMALL_BODY) return null
  const label = issue.labels.find(name => SMALL_LABELS.has(name.toLowerCase()))
  if (label !== undefined) return `#${issue.number} is small: labelled "${label}".`
  const title = SMALL_TITLE.exec(issue.title)?.[0]
  if (title !== undefined) return `#${issue.number} is small: its title says "${title}".`
  if (length <= SHORT_BODY) {
    return `#${issue.number} is small: its description has ${length} characters.`
  }
  return null
}

function addEvidence(files: Map<string, string[]>, file: string, line: string): void {
  const lines = files.get(file) ?? []
  if (!lines.includes(line)) lines.push(line)
  files.set(file, lines)
}

/** Reads one issue of the batch against the facts. */
export function profileIssue(issue: IssueFacts, facts: PlanFacts): IssueProfile {
  const text = `${issue.title}\n${issue.body}`
  const paths = extractPaths(text)
  const symbols = extractSymbols(text)
  const files = new Map<string, string[]>()
  for (const path of paths) {
    if (facts.pathsAtBase[path] === true)
      addEvidence(files, path, `#${issue.number} names \`${path}\`.`)
  }
  for (const symbol of symbols) {
    for (const file of definingFiles(facts, symbol)) {
      addEvidence(files, file, `#${issue.number} names \`${symbol}\`, defined in \`${file}\`.`)
    }
  }
  return {
    issue,
    paths,
    symbols,
    files,
    intents: extractIntent(text),
    taskRefs: extractTaskListRefs(issue.body, facts.repo).filter(
      ref => ref.number !== issue.number
    ),
    dependsOn: extractDependencies(issue.body, facts.repo).filter(n => n !== issue.number),
    small: smallness(issue)
  }
}
