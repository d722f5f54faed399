/**
 * Deployment environments with required reviewers: a job that names one waits until a reviewer
 * approves it (it fails when one rejects it). Reviews go through GitHub's own REST API, served by
 * the forge: `GET` and `POST /repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ExtraRequestHandler, ForgeInfo } from '../github-emulator/types.js'

/** How an environment is protected. */
export interface EnvironmentSpec {
  /** A person must approve each job that deploys to it. */
  requiredReviewers?: boolean
}

interface PendingDeployment {
  runId: number
  environment: string
  decide: (approved: boolean) => void
}

/** The environments of a repository and the jobs waiting on them. */
export class EnvironmentGate {
  private readonly pending: PendingDeployment[] = []
  private readonly ids = new Map<string, number>()

  constructor(
    private readonly specs: Readonly<Record<string, EnvironmentSpec>>,
    private readonly onChange: () => void
  ) {
    Object.keys(specs).forEach((name, index) => this.ids.set(name, 7_000_000 + index))
  }

  /** Whether jobs that name `environment` wait for a reviewer. */
  isProtected(environment: string): boolean {
    return this.specs[environment]?.requiredReviewers === true
  }

  /** Waits for a reviewer's decision on a job of `runId`; true when approved. */
  wait(runId: number, environment: string): Promise<boolean> {
    return new Promise(decide => {
      this.pending.push({ runId, environment, decide })
      this.onChange()
    })
  }

  /** The deployments waiting for a reviewer. */
  waiting(): Array<{ runId: number; environment: string }> {
    return this.pending.map(({ runId, environment }) => ({ runId, environment }))
  }

  /** Approves or rejects every job of `runId` waiting on the named environments; returns how many. */
  review(runId: number, environments: readonly string[], approved: boolean): number {
    const decided = this.pending.filter(
      entry => entry.runId === runId && environments.includes(entry.environment)
    )
    for (const entry of decided) {
      this.pending.splice(this.pending.indexOf(entry), 1)
      entry.decide(approved)
    }
    if (decided.length > 0) this.onChange()
    return decided.length
  }

  private render(runId: number) {
    const names = [
      ...new Set(
        this.pending.filter(entry => entry.runId === runId).map(entry => entry.environment)
      )
    ]
    return names.map(name => ({
      environment: { id: this.ids.get(name), name },
      wait_timer: 0,
      wait_timer_started_at: null,
      current_user_can_approve: true,
      reviewers: []
    }))
  }

  /** The REST handler for `pending_deployments`, to mount on the forge. */
  restHandler(repository: string): ExtraRequestHandler {
    return async (req: IncomingMessage, res: ServerResponse, forge: ForgeInfo) => {
      const url = new URL(req.url ?? '/', forge.apiUrl)
      const match = /^\/repos\/([^/]+\/[^/]+)\/actions\/runs\/(\d+)\/pending_deployments$/.exec(
        url.pathname
      )
      if (match === null || match[1] !== repository) return false
      const token = /^(?:token|bearer)\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? ''
      const user = forge.userForToken(token)
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
        res.end(JSON.stringify(body))
      }
      if (user === null) return (send(401, { message: 'Requires authentication' }), true)
      const runId = Number(match[2])
      if (req.method === 'GET') return (send(200, this.render(runId)), true)
      if (user.type === 'Bot' || user.permission === 'read') {
        return (send(403, { message: 'Resource not accessible by integration' }), true)
      }
      const chunks: Buffer[] = []
      for await (const chunk of req) chunks.push(chunk as Buffer)
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as {
        environment_ids?: number[]
        state?: string
      }
      const names = [...this.ids]
        .filter(([, id]) => body.environment_ids?.includes(id))
        .map(([name]) => name)
      if (body.state !== 'approved' && body.state !== 'rejected') {
        return (send(422, { message: "state must be 'approved' or 'rejected'" }), true)
      }
      const rendered = this.render(runId)
      this.review(runId, names, body.state === 'approved')
      send(200, rendered)
      return true
    }
  }
}
