import { startEmulator } from '../../harness/github-emulator/index.js'
import type { GitHubEmulator } from '../../harness/github-emulator/index.js'
import type { Client } from './helpers.js'
import { bareClient, statusOf } from './helpers.js'

const owner = 'octo-org'
const repo = 'deploys'
let forge: GitHubEmulator
let api: Client

const deploy = `name: deploy
on:
  workflow_dispatch:
    inputs:
      environment:
        type: choice
        options: [staging, production]
        required: true
      dry-run:
        type: boolean
        default: false
      note:
        description: Free text
      count:
        type: number
        default: 3
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: echo deploy
`

const manyInputs = `on:
  workflow_dispatch:
    inputs:
${Array.from({ length: 26 }, (_, i) => `      in${i}:\n        type: string`).join('\n')}
`

beforeAll(async () => {
  forge = await startEmulator()
  await forge.createRepo({
    name: repo,
    files: {
      'README.md': '# deploys\n',
      '.github/workflows/deploy.yml': deploy,
      '.github/workflows/push-only.yml': 'on: push\njobs: {}\n',
      '.github/workflows/listed.yml': 'name: listed\non: [push, workflow_dispatch]\njobs: {}\n',
      '.github/workflows/broken.yml': 'on: [push\n',
      '.github/workflows/many.yml': manyInputs
    }
  })
  api = bareClient(forge.apiUrl, forge.tokens.write)
})

afterAll(async () => {
  await forge.close()
})

function dispatch(workflow_id: string, inputs?: Record<string, unknown>) {
  return api.rest.actions.createWorkflowDispatch({ owner, repo, workflow_id, ref: 'main', inputs })
}

async function refusal(workflow: string, inputs?: Record<string, unknown>) {
  const failure = await statusOf(dispatch(workflow, inputs))
  return { status: failure?.status, message: (failure?.data as { message?: string })?.message }
}

describe('workflow_dispatch inputs', () => {
  it('fills in the defaults and records the run and the event with every input', async () => {
    const answer = await dispatch('deploy.yml', { environment: 'staging' })
    expect(answer.status).toBe(204)
    const event = forge.events(repo).find(e => e.type === 'workflow_dispatch')
    expect(event?.payload).toMatchObject({
      workflow: '.github/workflows/deploy.yml',
      ref: 'main',
      inputs: { environment: 'staging', 'dry-run': 'false', note: '', count: '3' }
    })
    const runs = await api.rest.actions.listWorkflowRunsForRepo({ owner, repo })
    expect(runs.data.workflow_runs[0]).toMatchObject({
      name: 'deploy',
      status: 'queued',
      id: event?.payload.run_id
    })
  })

  it('takes JSON booleans and numbers for boolean and number inputs', async () => {
    await dispatch('deploy.yml', { environment: 'production', 'dry-run': true, count: 5 })
    expect(forge.events(repo).at(-1)?.payload.inputs).toEqual({
      environment: 'production',
      'dry-run': 'true',
      note: '',
      count: '5'
    })
  })

  it('accepts the trigger in a list of events', async () => {
    expect((await dispatch('listed.yml')).status).toBe(204)
  })

  it.each([
    ['push-only.yml', undefined, "Workflow does not have 'workflow_dispatch' trigger"],
    [
      'deploy.yml',
      { environment: 'staging', colour: 'red' },
      'Unexpected inputs provided: ["colour"]'
    ],
    ['deploy.yml', {}, "Required input 'environment' not provided"],
    [
      'deploy.yml',
      { environment: 'qa' },
      "Provided value 'qa' for input 'environment' not in the list of allowed values"
    ],
    [
      'deploy.yml',
      { environment: 'staging', 'dry-run': 'yes' },
      "Provided value 'yes' for input 'dry-run' is not a valid boolean"
    ],
    [
      'deploy.yml',
      { environment: 'staging', count: 'many' },
      "Provided value 'many' for input 'count' is not a valid number"
    ],
    [
      'deploy.yml',
      Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`in${i}`, 'x'])),
      'Invalid request.\n\nNo more than 25 properties are allowed; 26 were supplied.'
    ],
    [
      'many.yml',
      {},
      'Invalid workflow file: .github/workflows/many.yml: you may only define up to 25 `inputs` for a `workflow_dispatch` event'
    ]
  ])('refuses %s with %j: %s', async (workflow, inputs, message) => {
    const before = forge.events(repo).length
    expect(await refusal(workflow, inputs)).toEqual({ status: 422, message })
    expect(forge.events(repo)).toHaveLength(before)
  })

  it('names the broken workflow file', async () => {
    const answer = await refusal('broken.yml')
    expect(answer.status).toBe(422)
    expect(answer.message).toMatch(/^Invalid workflow file: \.github\/workflows\/broken\.yml: /)
  })
})
