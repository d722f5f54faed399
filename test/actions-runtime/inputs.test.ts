import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { codexEnvironment } from '../../src/adapters/codex/environment.js'
import { readPullRequest } from '../../src/actions-runtime/pull-job.js'
import { loadWaveConfig, readJobFacts } from '../../src/actions-runtime/context.js'
import {
  booleanInput,
  choiceInput,
  DEFAULT_PIPELINE_LOGIN,
  optionalPullNumber,
  optionalWholeNumber,
  readCommonSettings
} from '../../src/actions-runtime/inputs.js'

const reader = (inputs: Record<string, string>) => (name: string) => inputs[name] ?? ''

describe('readCommonSettings', () => {
  it('fills the defaults of every optional input', () => {
    expect(readCommonSettings(reader({ 'github-token': 't' }))).toEqual({
      githubToken: 't',
      configPath: '.github/codex-waves.yml',
      codexPath: 'codex',
      model: null,
      timeoutMinutes: null,
      pipelineLogin: DEFAULT_PIPELINE_LOGIN
    })
  })

  it('refuses an empty token, naming the input and how to fix it', () => {
    expect(() => readCommonSettings(reader({}))).toThrow(
      "Input 'github-token' is empty. Pass a token, e.g. '${{ github.token }}' or a GitHub App installation token."
    )
  })

  it('names the input, the value and the expected range for a bad timeout', () => {
    expect(() =>
      readCommonSettings(reader({ 'github-token': 't', 'timeout-minutes': 'ten' }))
    ).toThrow(
      "Input 'timeout-minutes': 'ten' is not a number of minutes above 0 and at most 360. Use e.g. '30' (fractions such as '0.5' are allowed)."
    )
  })

  it('accepts fractions of a minute and refuses zero', () => {
    const read = (value: string) =>
      readCommonSettings(reader({ 'github-token': 't', 'timeout-minutes': value })).timeoutMinutes
    expect(read('0.25')).toBe(0.25)
    expect(read('45')).toBe(45)
    expect(() => read('0')).toThrow("'0' is not a number of minutes above 0 and at most 360")
    expect(() => read('361')).toThrow("'361' is not a number of minutes above 0 and at most 360")
  })
})

describe('typed input readers', () => {
  it.each([
    ['0', 'not a whole number from 1 to 10'],
    ['11', 'not a whole number from 1 to 10'],
    ['2.5', 'not a whole number from 1 to 10']
  ])('optionalWholeNumber refuses %s', (raw, message) => {
    expect(() => optionalWholeNumber(reader({ n: raw }), 'n', 1, 10, '3')).toThrow(message)
  })

  it('reads pull request numbers with or without #', () => {
    expect(optionalPullNumber(reader({ pr: '#42' }), 'pr')).toBe(42)
    expect(optionalPullNumber(reader({ pr: '7' }), 'pr')).toBe(7)
    expect(optionalPullNumber(reader({}), 'pr')).toBeNull()
    expect(() => optionalPullNumber(reader({ pr: 'abc' }), 'pr')).toThrow(
      "Input 'pr': 'abc' is not a pull request number. Use a number such as '42'."
    )
  })

  it('reads choices and booleans, naming the allowed values', () => {
    expect(choiceInput(reader({ m: 'merge' }), 'm', ['squash', 'merge'], 'squash')).toBe('merge')
    expect(choiceInput(reader({}), 'm', ['squash', 'merge'], 'squash')).toBe('squash')
    expect(() => choiceInput(reader({ m: 'ff' }), 'm', ['squash', 'merge'], 'squash')).toThrow(
      "Input 'm': 'ff' is not one of 'squash', 'merge'."
    )
    expect(booleanInput(reader({ b: 'FALSE' }), 'b', true)).toBe(false)
    expect(() => booleanInput(reader({ b: 'yes' }), 'b', true)).toThrow(
      "Input 'b': 'yes' is not a boolean. Use 'true' or 'false'."
    )
  })
})

describe('readJobFacts', () => {
  const base = { GITHUB_REPOSITORY: 'octo/app', GITHUB_RUN_ID: '99', GITHUB_WORKSPACE: '/w' }

  it('reads the repository, run and server', () => {
    expect(readJobFacts({ ...base, GITHUB_RUN_ATTEMPT: '2' })).toEqual({
      owner: 'octo',
      repo: 'app',
      runId: 99,
      attempt: 2,
      serverUrl: 'https://github.com',
      workspace: '/w'
    })
  })

  it('names the variable that is missing or malformed', () => {
    expect(() => readJobFacts({ ...base, GITHUB_REPOSITORY: 'octo' })).toThrow(
      "GITHUB_REPOSITORY is 'octo', not 'owner/name'."
    )
    expect(() => readJobFacts({ ...base, GITHUB_RUN_ID: undefined })).toThrow(
      'GITHUB_RUN_ID is not set.'
    )
    expect(() => readJobFacts({ ...base, GITHUB_RUN_ID: 'x' })).toThrow(
      "GITHUB_RUN_ID is 'x', not a positive whole number."
    )
  })
})

describe('loadWaveConfig', () => {
  let workspace: string
  beforeAll(async () => {
    workspace = await mkdtemp(join(tmpdir(), 'waves-config-'))
    await mkdir(join(workspace, '.github'))
  })
  afterAll(async () => rm(workspace, { recursive: true, force: true }))

  it('gives the defaults when the file does not exist', async () => {
    const config = await loadWaveConfig(workspace, 'missing.yml')
    expect(config.review.maxCycles).toBe(3)
  })

  it('reads the file and reports bad keys with the file name', async () => {
    await writeFile(join(workspace, '.github/codex-waves.yml'), 'review:\n  max-cycles: 2\n')
    expect((await loadWaveConfig(workspace, '.github/codex-waves.yml')).review.maxCycles).toBe(2)
    await writeFile(join(workspace, 'bad.yml'), 'review:\n  max-cycles: three\n')
    await expect(loadWaveConfig(workspace, 'bad.yml')).rejects.toThrow(
      'review.max-cycles: expected a whole number from 1 to 10, got "three"'
    )
    await expect(loadWaveConfig(workspace, 'bad.yml')).rejects.toThrow('bad.yml')
  })
})

describe('codexEnvironment', () => {
  it('passes what codex needs and none of the job tokens', () => {
    const env = codexEnvironment({
      PATH: '/bin',
      HOME: '/home/r',
      OPENAI_API_KEY: 'sk',
      GITHUB_TOKEN: 'ghs',
      ACTIONS_RUNTIME_TOKEN: 'rt',
      INPUT_GITHUB_TOKEN: 'ghs',
      CODEX_HOME: ''
    })
    expect(env).toEqual({ PATH: '/bin', HOME: '/home/r', OPENAI_API_KEY: 'sk' })
  })
})

describe('readPullRequest', () => {
  const event = (eventName: string, payload: unknown) => ({ eventName, payload })

  it('prefers the input, then the pull request of the event', () => {
    expect(readPullRequest(reader({ pr: '#7' }), 'pr', event('pull_request', {}))).toBe(7)
    expect(
      readPullRequest(reader({}), 'pr', event('pull_request', { pull_request: { number: 9 } }))
    ).toBe(9)
  })

  it('names the input and the event when neither gives a pull request', () => {
    expect(() => readPullRequest(reader({}), 'pr', event('schedule', {}))).toThrow(
      "Input 'pr' is empty and the 'schedule' event names no pull request. Pass the PR number, e.g. 'pr: 42'."
    )
  })
})
