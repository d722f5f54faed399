/**
 * Mutations of issues and PRs shared by several routes (labels, state changes), each recording
 * the event GitHub would send for it.
 */
import type { ForgeCore } from './core.js'
import type { IssueRecord, LabelRecord, RepoState } from './state.js'
import { timestamp } from './state.js'

/** GitHub's colour for labels created implicitly by naming them on an issue. */
const DEFAULT_LABEL_COLOR = 'ededed'

/** The repository label with this name, created when it does not exist yet. */
export function ensureLabel(core: ForgeCore, repo: RepoState, name: string): LabelRecord {
  const existing = repo.label(name)
  if (existing) return existing
  const label: LabelRecord = {
    id: core.state.nextId(),
    name,
    color: DEFAULT_LABEL_COLOR,
    description: null
  }
  repo.labels.set(name.toLowerCase(), label)
  return label
}

function touch(issue: IssueRecord): void {
  issue.updatedAt = timestamp()
}

function eventType(issue: IssueRecord): string {
  return issue.pull ? 'pull_request' : 'issues'
}

/** Adds labels an issue does not carry yet. */
export function addLabels(
  core: ForgeCore,
  repo: RepoState,
  issue: IssueRecord,
  names: readonly string[],
  actor: string
): void {
  for (const name of names) {
    const label = ensureLabel(core, repo, name)
    if (issue.labels.some(held => held.toLowerCase() === label.name.toLowerCase())) continue
    issue.labels.push(label.name)
    touch(issue)
    core.state.recordEvent(repo, eventType(issue), 'labeled', actor, {
      number: issue.number,
      label: label.name
    })
  }
}

/** Removes one label; returns false when the issue did not carry it. */
export function removeLabel(
  core: ForgeCore,
  repo: RepoState,
  issue: IssueRecord,
  name: string,
  actor: string
): boolean {
  const index = issue.labels.findIndex(held => held.toLowerCase() === name.toLowerCase())
  if (index < 0) return false
  const [removed] = issue.labels.splice(index, 1)
  touch(issue)
  core.state.recordEvent(repo, eventType(issue), 'unlabeled', actor, {
    number: issue.number,
    label: removed
  })
  return true
}

/** Replaces an issue's labels with exactly `names`. */
export function setLabels(
  core: ForgeCore,
  repo: RepoState,
  issue: IssueRecord,
  names: readonly string[],
  actor: string
): void {
  const wanted = new Set(names.map(name => name.toLowerCase()))
  for (const held of [...issue.labels]) {
    if (!wanted.has(held.toLowerCase())) removeLabel(core, repo, issue, held, actor)
  }
  addLabels(core, repo, issue, names, actor)
}

/** Closes an open issue or PR (without merging it). */
export function closeIssue(
  core: ForgeCore,
  repo: RepoState,
  issue: IssueRecord,
  actor: string,
  reason: 'completed' | 'not_planned' = 'completed'
): void {
  if (issue.state === 'closed') return
  const now = timestamp()
  issue.state = 'closed'
  issue.stateReason = issue.pull ? null : reason
  issue.closedAt = now
  issue.closedBy = actor
  issue.updatedAt = now
  core.state.recordEvent(repo, eventType(issue), 'closed', actor, { number: issue.number })
}

/** Reopens a closed issue or (unmerged) PR. */
export function reopenIssue(
  core: ForgeCore,
  repo: RepoState,
  issue: IssueRecord,
  actor: string
): void {
  if (issue.state === 'open') return
  issue.state = 'open'
  issue.stateReason = issue.pull ? null : 'reopened'
  issue.closedAt = null
  issue.closedBy = null
  touch(issue)
  core.state.recordEvent(repo, eventType(issue), 'reopened', actor, { number: issue.number })
}

/** Creates an issue record (not yet a PR) with the next number. */
export function createIssueRecord(
  core: ForgeCore,
  repo: RepoState,
  fields: { title: string; body: string | null; author: string; assignees?: string[] }
): IssueRecord {
  const now = timestamp()
  const issue: IssueRecord = {
    id: core.state.nextId(),
    number: repo.nextNumber(),
    title: fields.title,
    body: fields.body,
    state: 'open',
    stateReason: null,
    labels: [],
    author: fields.author,
    assignees: fields.assignees ?? [],
    locked: false,
    lockReason: null,
    createdAt: now,
    updatedAt: now,
    closedAt: null,
    closedBy: null,
    parent: null,
    subIssues: [],
    pull: null
  }
  repo.issues.set(issue.number, issue)
  return issue
}
