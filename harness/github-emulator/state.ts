/**
 * The forge's in-memory records: repositories and what lives in them (issues and pull requests on
 * one number sequence, labels, comments, statuses, check runs, workflow runs) and the event log.
 * Git data itself lives in the bare repositories; these records only point into them.
 */
import type { ForgeEvent, RepoSettings, SandboxUser } from './types.js'

export interface LabelRecord {
  id: number
  name: string
  color: string
  description: string | null
}

/** Whether a PR's head merges cleanly into its base, for one (head, base) pair. */
export interface MergeabilityRecord {
  /** `head:base` the answer is for. */
  key: string
  /** Null while the background merge attempt runs. */
  mergeable: boolean | null
}

export interface PullRecord {
  headRef: string
  headSha: string
  baseRef: string
  baseSha: string
  draft: boolean
  merged: boolean
  mergedAt: string | null
  mergedBy: string | null
  mergeCommitSha: string | null
  maintainerCanModify: boolean
  mergeability: MergeabilityRecord
}

export interface IssueRecord {
  id: number
  number: number
  title: string
  body: string | null
  state: 'open' | 'closed'
  stateReason: 'completed' | 'not_planned' | 'reopened' | null
  /** Label names, in the order they were added. */
  labels: string[]
  author: string
  assignees: string[]
  locked: boolean
  lockReason: string | null
  createdAt: string
  updatedAt: string
  closedAt: string | null
  closedBy: string | null
  parent: number | null
  subIssues: number[]
  /** Present when the number is a pull request. */
  pull: PullRecord | null
}

export interface CommentRecord {
  id: number
  issueNumber: number
  body: string
  author: string
  createdAt: string
  updatedAt: string
}

export interface StatusRecord {
  id: number
  sha: string
  state: 'error' | 'failure' | 'pending' | 'success'
  context: string
  description: string | null
  targetUrl: string | null
  creator: string
  createdAt: string
}

export type CheckStatus = 'queued' | 'in_progress' | 'completed'
export type CheckConclusion =
  'success' | 'failure' | 'neutral' | 'cancelled' | 'skipped' | 'timed_out' | 'action_required'

export interface CheckRunRecord {
  id: number
  headSha: string
  name: string
  status: CheckStatus
  conclusion: CheckConclusion | null
  startedAt: string | null
  completedAt: string | null
  detailsUrl: string | null
  externalId: string | null
  output: { title: string | null; summary: string | null; text: string | null }
  creator: string
}

export interface WorkflowRunRecord {
  id: number
  runNumber: number
  workflowId: number
  /** `.github/workflows/<file>`. */
  path: string
  name: string
  event: string
  headBranch: string
  headSha: string
  status: 'queued' | 'in_progress' | 'completed'
  conclusion: string | null
  actor: string
  displayTitle: string
  createdAt: string
  updatedAt: string
}

/** Current time in GitHub's format (seconds, UTC, `Z`). */
export function timestamp(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** One repository's records. Mutations go through `exclusive` so concurrent writes serialize. */
export class RepoState {
  readonly issues = new Map<number, IssueRecord>()
  readonly labels = new Map<string, LabelRecord>()
  readonly comments = new Map<number, CommentRecord>()
  readonly statuses: StatusRecord[] = []
  readonly checkRuns = new Map<number, CheckRunRecord>()
  readonly workflowRuns = new Map<number, WorkflowRunRecord>()
  readonly createdAt = timestamp()
  pushedAt = timestamp()
  private lastNumber = 0
  private queue: Promise<unknown> = Promise.resolve()

  constructor(
    readonly id: number,
    readonly owner: string,
    readonly name: string,
    readonly gitDir: string,
    readonly settings: RepoSettings
  ) {}

  get fullName(): string {
    return `${this.owner}/${this.name}`
  }

  /** The next issue/PR number: both share one sequence, as on GitHub. */
  nextNumber(): number {
    this.lastNumber += 1
    return this.lastNumber
  }

  /** Runs `work` after every earlier exclusive work of this repository has finished. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work)
    this.queue = run.catch(() => undefined)
    return run
  }

  label(name: string): LabelRecord | undefined {
    return this.labels.get(name.toLowerCase())
  }

  pulls(): IssueRecord[] {
    return [...this.issues.values()].filter(issue => issue.pull !== null)
  }

  commentCount(issueNumber: number): number {
    let count = 0
    for (const comment of this.comments.values()) if (comment.issueNumber === issueNumber) count++
    return count
  }
}

/** Called with each event as it is recorded. */
export type EventListener = (event: ForgeEvent) => void

/** Everything the forge knows, across repositories. */
export class ForgeState {
  readonly repos = new Map<string, RepoState>()
  readonly events: ForgeEvent[] = []
  private readonly listeners = new Set<EventListener>()
  private lastId = 1000

  /** The accounts; App bots join on first use, so the list is shared and grows. */
  constructor(readonly users: SandboxUser[]) {}

  /** A fresh id, unique across every kind of record. */
  nextId(): number {
    this.lastId += 1
    return this.lastId
  }

  repo(owner: string, name: string): RepoState | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase())
  }

  addRepo(repo: RepoState): void {
    this.repos.set(repo.fullName.toLowerCase(), repo)
  }

  user(login: string): SandboxUser | undefined {
    return this.users.find(user => user.login.toLowerCase() === login.toLowerCase())
  }

  addUser(user: SandboxUser): void {
    this.users.push(user)
  }

  /** Subscribes to the event log; returns the unsubscribe. */
  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }

  /** Appends to the event log; `actor` decides whether the actions token caused it. */
  recordEvent(
    repo: RepoState,
    type: string,
    action: string | null,
    actor: string | null,
    payload: Record<string, unknown>
  ): ForgeEvent {
    const event: ForgeEvent = {
      id: this.nextId(),
      repository: repo.fullName,
      type,
      action,
      actor,
      causedByActionsToken: actor !== null && this.user(actor)?.tokenKind === 'actions',
      payload,
      at: timestamp()
    }
    this.events.push(event)
    this.notify(event)
    return event
  }

  /**
   * Every listener hears the event even when an earlier one throws; the first error is then
   * rethrown, so a broken listener fails the request that caused the event instead of vanishing.
   */
  private notify(event: ForgeEvent): void {
    let failure: unknown = null
    for (const listener of [...this.listeners]) {
      try {
        listener(event)
      } catch (error) {
        failure ??= error
      }
    }
    if (failure !== null) throw failure
  }
}
