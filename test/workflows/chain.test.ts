/**
 * Which workflows an event starts and which of their jobs run, with every `if:` evaluated by
 * GitHub's expression engine over the workflows as GitHub's parser reads them; and a whole wave of
 * three correction cycles chained through those workflows under GitHub's rules.
 */
import {
  REPOSITORY,
  conclusionOf,
  contextsFor,
  loadWorkflows,
  runJobs,
  triggers,
  workflowRunEvent,
  type JobOutcome,
  type JobRun,
  type LoadedWorkflow,
  type SimEvent
} from './model.js'

let workflows: LoadedWorkflow[]

beforeAll(async () => {
  workflows = await loadWorkflows()
})

function byFile(file: string): LoadedWorkflow {
  const found = workflows.find(workflow => workflow.file === file)
  if (!found) throw new Error(`no workflow ${file}`)
  return found
}

const person = (name: string, payload: Record<string, unknown>, extra: Partial<SimEvent> = {}) =>
  ({ name, payload, causedBy: 'person', depth: 0, ...extra }) as SimEvent

const labelled = (label: string) =>
  person('issues', { label: { name: label }, sender: { login: 'octo' } }, { action: 'labeled' })

const dispatchByHand = (target: string, inputs: Record<string, string>) =>
  person('workflow_dispatch', { inputs }, { target, inputs })

/** The jobs that ran, by id, for one workflow and event under the scenario's outcomes. */
function ran(
  file: string,
  event: SimEvent,
  outcome: (jobId: string) => JobOutcome = () => ({})
): Record<string, boolean> {
  const runs = runJobs(byFile(file), contextsFor(event), outcome)
  return Object.fromEntries([...runs.values()].map(job => [job.id, job.ran]))
}

function started(event: SimEvent): string[] {
  return workflows.filter(workflow => triggers(workflow, event)).map(workflow => workflow.file)
}

const planned = {
  outputs: { 'needs-confirmation': 'false', matrix: '{"include":[{"id":"g1"}]}', 'plan-id': 'p1' }
}

describe('codex-waves-dispatch', () => {
  const writer = (job: string): JobOutcome => (job === 'plan' ? planned : {})
  /** What the plan step outputs when the labeller may not start a wave (see test/phases/plan.test.ts). */
  const reader = (job: string): JobOutcome =>
    job === 'plan'
      ? { outputs: { 'needs-confirmation': 'false', matrix: '', plan: '', 'plan-id': '' } }
      : {}

  it('the trigger label set by a writer: plan and implement run, the plan needing nothing first', () => {
    expect(started(labelled('codex-waves'))).toEqual(['codex-waves-dispatch.yml'])
    expect(ran('codex-waves-dispatch.yml', labelled('codex-waves'), writer)).toEqual({
      plan: true,
      implement: true
    })
    const plan = byFile('codex-waves-dispatch.yml').template.jobs.find(
      job => job.id.value === 'plan'
    )
    expect(plan?.needs ?? []).toEqual([])
  })

  it('the trigger label set by a reader: the plan step sets no matrix, so implement is skipped', () => {
    expect(ran('codex-waves-dispatch.yml', labelled('codex-waves'), reader)).toEqual({
      plan: true,
      implement: false
    })
  })

  it('another label starts the workflow but runs no job', () => {
    expect(ran('codex-waves-dispatch.yml', labelled('bug'), writer)).toEqual({
      plan: false,
      implement: false
    })
  })

  it('a dispatch by hand with issues runs the whole wave', () => {
    const event = dispatchByHand('codex-waves-dispatch.yml', { issues: '12, 15', confirm: '' })
    expect(started(event)).toEqual(['codex-waves-dispatch.yml'])
    expect(ran('codex-waves-dispatch.yml', event, writer)).toEqual({
      plan: true,
      implement: true
    })
  })

  describe('the confirmation gate', () => {
    const event = dispatchByHand('codex-waves-dispatch.yml', { issues: '12, 15', confirm: '' })
    const environment = { CODEX_WAVES_ENVIRONMENT: 'waves-go' }
    const planning = (outputs: Record<string, string>) => (job: string) =>
      job === 'plan' ? { outputs } : writer(job)
    /** The implement job of the run: whether it ran, and the environment it waits on. */
    const implement = (outcome: (job: string) => JobOutcome, vars: Record<string, string> = {}) => {
      const job = runJobs(
        byFile('codex-waves-dispatch.yml'),
        contextsFor(event, vars),
        outcome
      ).get('implement')
      return { ran: job?.ran, environment: job?.environment }
    }

    it('halted without an environment (empty matrix): implement is skipped', () => {
      const halted = planning({ 'needs-confirmation': 'true', matrix: '' })
      expect(implement(halted)).toEqual({ ran: false, environment: null })
    })

    it('needing a confirmation with an environment: implement runs, gated by the environment', () => {
      const waiting = planning({
        'needs-confirmation': 'true',
        matrix: '{"include":[{"id":"g12"}]}'
      })
      expect(implement(waiting, environment)).toEqual({ ran: true, environment: 'waves-go' })
    })

    it('a plan that needs no confirmation (or was confirmed) runs without the environment', () => {
      expect(implement(writer, environment)).toEqual({ ran: true, environment: null })
      expect(implement(writer)).toEqual({ ran: true, environment: null })
    })

    it('nothing to run: implement is skipped', () => {
      const empty = planning({ 'needs-confirmation': 'false', matrix: '' })
      expect(implement(empty, environment)).toEqual({ ran: false, environment: null })
    })

    it('the plan step is told the environment the implement jobs wait on', () => {
      const jobs = byFile('codex-waves-dispatch.yml').yaml.jobs as Record<
        string,
        { steps: { id?: string; with?: Record<string, string> }[] }
      >
      const plan = jobs.plan?.steps.find(step => step.id === 'plan')
      expect(plan?.with?.environment).toBe('${{ vars.CODEX_WAVES_ENVIRONMENT }}')
    })
  })

  it('a failed plan runs nothing after it', () => {
    const failed = (job: string): JobOutcome => (job === 'plan' ? { result: 'failure' } : {})
    expect(ran('codex-waves-dispatch.yml', labelled('codex-waves'), failed)).toEqual({
      plan: true,
      implement: false
    })
  })
})

describe('codex-waves-review after a dispatch run', () => {
  const dispatchRun = (conclusion: string, headRepository = REPOSITORY, cause = labelled('x')) =>
    workflowRunEvent(byFile('codex-waves-dispatch.yml'), cause, conclusion, { headRepository })
  const some = (job: string): JobOutcome =>
    job === 'prs' ? { outputs: { count: '2', include: '[{"pr":1},{"pr":2}]' } } : {}

  it.each(['success', 'failure'])(
    'a %s dispatch run of this repository is reviewed',
    conclusion => {
      expect(started(dispatchRun(conclusion))).toEqual(['codex-waves-review.yml'])
      expect(ran('codex-waves-review.yml', dispatchRun(conclusion), some)).toEqual({
        prs: true,
        review: true
      })
    }
  )

  it('a cancelled dispatch run is not', () => {
    expect(ran('codex-waves-review.yml', dispatchRun('cancelled'), some)).toEqual({
      prs: false,
      review: false
    })
  })

  it('a run from a fork never reaches the self-hosted review job', () => {
    expect(ran('codex-waves-review.yml', dispatchRun('success', 'mallory/widgets'), some)).toEqual({
      prs: false,
      review: false
    })
  })

  it("a fork's pull_request run that borrows the dispatch workflow's name is ignored", () => {
    const borrowed = person('pull_request', {}, { action: 'opened' })
    expect(
      ran('codex-waves-review.yml', dispatchRun('success', REPOSITORY, borrowed), some)
    ).toEqual({ prs: false, review: false })
  })

  it('no pull request to review skips the review job', () => {
    const none = (job: string): JobOutcome =>
      job === 'prs' ? { outputs: { count: '0', include: '[]' } } : {}
    expect(ran('codex-waves-review.yml', dispatchRun('success'), none)).toEqual({
      prs: true,
      review: false
    })
  })

  it('a review by hand with a pull request number runs', () => {
    const event = dispatchByHand('codex-waves-review.yml', { pr: '7' })
    expect(started(event)).toEqual(['codex-waves-review.yml'])
    expect(ran('codex-waves-review.yml', event, some)).toEqual({ prs: true, review: true })
  })
})

describe('after a review run: correct and merge', () => {
  const reviewRun = (conclusion: string, headRepository = REPOSITORY) =>
    workflowRunEvent(
      byFile('codex-waves-review.yml'),
      workflowRunEvent(byFile('codex-waves-dispatch.yml'), labelled('x'), 'success'),
      conclusion,
      { headRepository }
    )
  /** The correct workflow's prs job found this many PRs (see test/decide/selection.test.ts for how). */
  const toCorrect =
    (count: number) =>
    (job: string): JobOutcome =>
      job === 'prs' ? { outputs: { count: String(count), include: '[]' } } : {}

  it('both correct and merge start when a review run completes', () => {
    expect(started(reviewRun('success'))).toEqual([
      'codex-waves-correct.yml',
      'codex-waves-merge.yml'
    ])
  })

  it.each([
    ['merge', 0, { prs: true, correct: false }],
    ['correct', 1, { prs: true, correct: true }],
    ['escalate', 0, { prs: true, correct: false }]
  ])('review outcome %s: correct runs %j', (_outcome, count, jobs) => {
    expect(ran('codex-waves-correct.yml', reviewRun('success'), toCorrect(count))).toEqual(jobs)
    expect(ran('codex-waves-merge.yml', reviewRun('success'))).toEqual({ merge: true })
  })

  it('a failed review run (one PR of several failed) still corrects and merges the others', () => {
    expect(ran('codex-waves-correct.yml', reviewRun('failure'), toCorrect(1))).toEqual({
      prs: true,
      correct: true
    })
    expect(ran('codex-waves-merge.yml', reviewRun('failure'))).toEqual({ merge: true })
  })

  it('a run from a fork starts no correction and no merge', () => {
    expect(
      ran('codex-waves-correct.yml', reviewRun('success', 'mallory/widgets'), toCorrect(1))
    ).toEqual({ prs: false, correct: false })
    expect(ran('codex-waves-merge.yml', reviewRun('success', 'mallory/widgets'))).toEqual({
      merge: false
    })
  })

  it('the merge sweep runs on its schedule and by hand', () => {
    const schedule = person('schedule', { schedule: '23 * * * *' })
    expect(started(schedule)).toEqual(['codex-waves-merge.yml'])
    expect(ran('codex-waves-merge.yml', schedule)).toEqual({ merge: true })
    const byHand = dispatchByHand('codex-waves-merge.yml', { prs: '' })
    expect(ran('codex-waves-merge.yml', byHand)).toEqual({ merge: true })
  })
})

describe('GitHub rules the chain relies on', () => {
  it('events caused by GITHUB_TOKEN start nothing but workflow_dispatch', () => {
    const token = { causedBy: 'github-token' as const }
    expect(started({ ...labelled('codex-waves'), ...token })).toEqual([])
    expect(started(person('pull_request', {}, { action: 'synchronize', ...token }))).toEqual([])
    expect(started(person('push', { ref: 'refs/heads/main' }, token))).toEqual([])
    expect(started({ ...dispatchByHand('codex-waves-review.yml', { pr: '1' }), ...token })).toEqual(
      ['codex-waves-review.yml']
    )
  })

  it('the same pull request events from an App token do start CI', () => {
    const app = person('pull_request', {}, { action: 'synchronize', causedBy: 'app-token' })
    expect(started(app)).toEqual(['ci.yml'])
  })

  it('a workflow_run three levels deep still starts runs; four levels deep starts nothing', () => {
    const reviewCompleted = (depth: number): SimEvent => ({
      ...workflowRunEvent(byFile('codex-waves-review.yml'), labelled('x'), 'success'),
      depth
    })
    expect(started(reviewCompleted(3))).toEqual([
      'codex-waves-correct.yml',
      'codex-waves-merge.yml'
    ])
    expect(started(reviewCompleted(4))).toEqual([])
  })

  it('each workflow_run is one level deeper than the run that caused it', () => {
    const first = workflowRunEvent(byFile('codex-waves-dispatch.yml'), labelled('x'), 'success')
    const second = workflowRunEvent(byFile('codex-waves-review.yml'), first, 'success')
    const fresh = workflowRunEvent(
      byFile('codex-waves-review.yml'),
      dispatchByHand('codex-waves-review.yml', { pr: '1' }),
      'success'
    )
    expect([first.depth, second.depth, fresh.depth]).toEqual([1, 2, 1])
  })
})

/** One run in the simulated wave. */
interface SimRun {
  workflow: string
  event: SimEvent
  jobs: Map<string, JobRun>
}

/**
 * Plays a wave through the workflows: every event starts what GitHub would start; each job that
 * runs does what its action does to GitHub (events it causes, with the token it holds); each
 * completed run sends its workflow_run event. Reviews ask for corrections `corrections` times,
 * then approve.
 */
function playWave(options: { corrections: number; token: 'github-token' | 'app-token' }): SimRun[] {
  const runs: SimRun[] = []
  let reviews = 0
  const queue: SimEvent[] = [labelled('codex-waves')]
  const pullRequestEvent = (action: string): SimEvent =>
    person('pull_request', {}, { action, causedBy: options.token })
  while (queue.length > 0) {
    const event = queue.shift() as SimEvent
    if (runs.length > 50) throw new Error('the wave does not end')
    for (const workflow of workflows.filter(candidate => triggers(candidate, event))) {
      const caused: SimEvent[] = []
      const outcome = (job: string): JobOutcome => {
        if (workflow.file === 'codex-waves-dispatch.yml') {
          if (job === 'plan') return planned
          if (job === 'implement') caused.push(pullRequestEvent('opened'))
          return {}
        }
        if (workflow.file === 'codex-waves-review.yml') {
          if (job === 'prs') return { outputs: { count: '1', include: '[{"pr":1}]' } }
          if (job === 'review') reviews += 1
          return {}
        }
        if (workflow.file === 'codex-waves-correct.yml') {
          const wantsCorrection = reviews <= options.corrections
          if (job === 'prs') return { outputs: { count: wantsCorrection ? '1' : '0' } }
          if (job === 'correct') {
            caused.push(pullRequestEvent('synchronize'))
            caused.push({
              ...dispatchByHand('codex-waves-review.yml', { pr: '1' }),
              causedBy: options.token
            })
          }
          return {}
        }
        return {}
      }
      const jobs = runJobs(workflow, contextsFor(event), outcome)
      runs.push({ workflow: workflow.file, event, jobs })
      queue.push(...caused, workflowRunEvent(workflow, event, conclusionOf(jobs)))
    }
  }
  return runs
}

describe('a simulated wave with three correction cycles', () => {
  const summary = (runs: SimRun[]) =>
    runs
      .filter(run => run.workflow !== 'ci.yml')
      .map(run => `${run.workflow.replace(/^codex-waves-|\.yml$/g, '')}@${run.event.depth}`)

  it('reaches its final review through workflow_dispatch and never chains deeper than three', () => {
    const runs = playWave({ corrections: 3, token: 'github-token' })
    expect(summary(runs)).toEqual([
      'dispatch@0',
      'review@1',
      'correct@2',
      'merge@2',
      'review@0',
      'correct@1',
      'merge@1',
      'review@0',
      'correct@1',
      'merge@1',
      'review@0',
      'correct@1',
      'merge@1'
    ])
    const jobsRan = (file: string, job: string) =>
      runs.filter(run => run.workflow === file && run.jobs.get(job)?.ran).length
    expect(jobsRan('codex-waves-review.yml', 'review')).toBe(4)
    expect(jobsRan('codex-waves-correct.yml', 'correct')).toBe(3)
    expect(jobsRan('codex-waves-merge.yml', 'merge')).toBe(4)
    expect(Math.max(...runs.map(run => run.event.depth))).toBeLessThanOrEqual(3)
  })

  it('with GITHUB_TOKEN the pipeline PR gets no CI run; with an App token every push does', () => {
    const ciRuns = (token: 'github-token' | 'app-token') =>
      playWave({ corrections: 3, token }).filter(run => run.workflow === 'ci.yml').length
    expect(ciRuns('github-token')).toBe(0)
    expect(ciRuns('app-token')).toBe(4)
  })
})
