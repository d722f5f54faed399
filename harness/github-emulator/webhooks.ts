/**
 * The webhook payload GitHub delivers for an event of the event log (what a workflow run reads as
 * `github.event`), rendered from the forge's records at the moment the event happens, with the
 * same shapes the REST routes answer.
 */
import type { ForgeCore } from './core.js'
import { renderCheckRun, renderWorkflowRun } from './render/checks.js'
import { renderComment, renderIssue, renderLabel } from './render/issues.js'
import { renderPullSimple } from './render/pulls.js'
import { repository, simpleUser } from './render/repo.js'
import type { IssueRecord, PullRecord, RepoState } from './state.js'
import type { ForgeEvent } from './types.js'

type Payload = Record<string, unknown>

function issuePart(core: ForgeCore, repo: RepoState, number: unknown): Payload {
  const issue = repo.issues.get(Number(number))
  return issue === undefined ? {} : { issue: renderIssue(core, repo, issue) }
}

function labelPart(core: ForgeCore, repo: RepoState, name: unknown): Payload {
  const label = typeof name === 'string' ? repo.label(name) : undefined
  return label === undefined ? {} : { label: renderLabel(core, repo, label) }
}

function pullPart(core: ForgeCore, repo: RepoState, number: unknown): Payload {
  const issue = repo.issues.get(Number(number))
  if (issue?.pull === undefined || issue.pull === null) return {}
  const pull = renderPullSimple(core, repo, issue as IssueRecord & { pull: PullRecord })
  return {
    number: issue.number,
    pull_request: {
      ...pull,
      merged: issue.pull.mergedAt !== null,
      merge_commit_sha: issue.pull.mergeCommitSha
    }
  }
}

function eventParts(core: ForgeCore, repo: RepoState, event: ForgeEvent): Payload {
  const facts = event.payload
  switch (event.type) {
    case 'issues':
      return { ...issuePart(core, repo, facts.number), ...labelPart(core, repo, facts.label) }
    case 'issue_comment': {
      const comment = repo.comments.get(Number(facts.comment_id))
      return {
        ...issuePart(core, repo, facts.number),
        ...(comment ? { comment: renderComment(core, repo, comment) } : {})
      }
    }
    case 'pull_request':
      return { ...pullPart(core, repo, facts.number), ...labelPart(core, repo, facts.label) }
    case 'check_run': {
      const run = repo.checkRuns.get(Number(facts.id))
      return run ? { check_run: renderCheckRun(core, repo, run) } : {}
    }
    case 'workflow_run': {
      const run = repo.workflowRuns.get(Number(facts.run_id))
      return run ? { workflow_run: renderWorkflowRun(core, repo, run) } : {}
    }
    case 'push':
      return {
        ...facts,
        created: facts.before === null,
        deleted: facts.after === null,
        forced: facts.forced === true,
        pusher: { name: event.actor }
      }
    case 'create':
    case 'delete':
      return {
        ref: String(facts.ref).replace(/^refs\/(heads|tags)\//, ''),
        ref_type: String(facts.ref).startsWith('refs/tags/') ? 'tag' : 'branch'
      }
    default:
      return { ...facts }
  }
}

/** The payload of `event` as its webhook carries it: `action`, the event's objects, `repository`, `sender`. */
export function webhookPayload(core: ForgeCore, repo: RepoState, event: ForgeEvent): Payload {
  return {
    ...(event.action === null ? {} : { action: event.action }),
    ...eventParts(core, repo, event),
    repository: repository(core, repo),
    ...(event.actor === null ? {} : { sender: simpleUser(core, event.actor) })
  }
}
