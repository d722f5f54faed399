/**
 * `uses:` as the engine resolves it: actions in the workspace, repositories mapped to local
 * directories, the two stand-ins, and a loud refusal for everything else (Docker, composite,
 * `pre`/`post`, a repository it does not have).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inputVariable, resolveUses, runNodeAction } from '../../harness/actions-engine/actions.js'
import { InvalidWorkflow, UnsupportedConstruct } from '../../harness/actions-engine/errors.js'
import type { JobSetup } from '../../harness/actions-engine/job-setup.js'

const place = { file: '.github/workflows/x.yml', line: 7 }
let workspace: string

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'engine-actions-'))
})

afterAll(async () => {
  await rm(workspace, { recursive: true, force: true })
})

describe('resolveUses', () => {
  it('finds local actions, mapped repositories and the stand-ins', () => {
    expect(resolveUses('./actions/review', workspace, {}, place)).toEqual({
      kind: 'node',
      dir: join(workspace, 'actions', 'review')
    })
    expect(
      resolveUses('octo/pipeline/actions/merge@v1', workspace, { 'octo/pipeline': '/src' }, place)
    ).toEqual({
      kind: 'node',
      dir: '/src/actions/merge'
    })
    expect(resolveUses('actions/checkout@0123', workspace, {}, place)).toEqual({ kind: 'checkout' })
    expect(resolveUses('actions/create-github-app-token@v2', workspace, {}, place)).toEqual({
      kind: 'app-token'
    })
  })

  it('refuses Docker actions, unknown repositories and paths outside the workspace', () => {
    expect(() => resolveUses('docker://alpine:3', workspace, {}, place)).toThrow(
      UnsupportedConstruct
    )
    expect(() => resolveUses('someone/else@v1', workspace, {}, place)).toThrow(
      /x\.yml:7: the Actions engine does not support the action 'someone\/else@v1'/
    )
    expect(() => resolveUses('./../elsewhere', workspace, {}, place)).toThrow(InvalidWorkflow)
  })
})

describe('runNodeAction refuses what it cannot run, before running anything', () => {
  const setup = { workspace } as JobSetup
  const cases: Array<[string, string, RegExp]> = [
    ['composite', 'runs:\n  using: composite\n  steps: []\n', /actions that run 'composite'/],
    ['docker', "runs:\n  using: docker\n  image: 'Dockerfile'\n", /actions that run 'docker'/],
    ['post', 'runs:\n  using: node24\n  main: a.js\n  post: b.js\n', /an action's 'post' script/],
    ['pre', 'runs:\n  using: node20\n  main: a.js\n  pre: b.js\n', /an action's 'pre' script/]
  ]
  for (const [name, metadata, message] of cases) {
    it(`a ${name} action`, async () => {
      const dir = join(workspace, name)
      await mkdir(dir, { recursive: true })
      await writeFile(join(dir, 'action.yml'), `name: ${name}\n${metadata}`)
      const call = { dir, with: {}, env: {}, contexts: {}, action: name, timeoutMs: 1000, place }
      await expect(runNodeAction(setup, call)).rejects.toThrow(message)
    })
  }

  it('spells input variables as the runner does', () => {
    expect(inputVariable('github-token')).toBe('INPUT_GITHUB-TOKEN')
    expect(inputVariable('my input')).toBe('INPUT_MY_INPUT')
  })
})
