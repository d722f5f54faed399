import {
  CONFIG_PATH,
  defaultWaveConfig,
  parseWaveConfig,
  parseWaveConfigValue,
  type WaveConfig
} from '../../src/contracts/index.js'

function configOf(yaml: string): WaveConfig {
  const result = parseWaveConfig(yaml)
  if (!result.ok) throw new Error(`expected a valid config, got:\n${result.error.message}`)
  return result.value
}

function errorLines(yaml: string): string[] {
  const result = parseWaveConfig(yaml)
  if (result.ok) throw new Error(`expected an invalid config for:\n${yaml}`)
  return result.error.issues.map(issue => issue.text)
}

const FULL_DEFAULTS: WaveConfig = {
  labels: { trigger: 'codex-waves', pullRequest: 'codex-waves', needsHuman: 'waves:needs-human' },
  base: null,
  branches: {
    types: {
      fix: ['bug', 'fix'],
      refactor: ['refactor', 'refactoring'],
      feat: ['enhancement', 'feature']
    },
    defaultType: 'feat'
  },
  confirm: 'auto',
  review: { shouldFix: 'correct', nits: 'defer', diffBudget: 120_000, maxCycles: 3 },
  merge: { method: 'squash', deleteBranch: true, ciStartTimeoutMinutes: 15, deployWorkflow: null },
  numberedPaths: ['docs/adr/*.md', 'doc/adr/*.md', 'migrations/*', 'db/migrate/*'],
  codex: { model: null, timeoutMinutes: { implement: 45, review: 20, correct: 30 } },
  rulesFiles: ['AGENTS.md']
}

describe('WaveConfig defaults', () => {
  test.each([
    ['an empty file', ''],
    ['only comments', '# settings come later\n'],
    ['an empty document marker', '---\n']
  ])('%s gives the full default config', (_name, yaml) => {
    expect(configOf(yaml)).toEqual(FULL_DEFAULTS)
  })

  test('no file at all (undefined or null) gives the same defaults', () => {
    const result = parseWaveConfigValue(undefined)
    expect(result.ok && result.value).toEqual(FULL_DEFAULTS)
    expect(defaultWaveConfig()).toEqual(FULL_DEFAULTS)
  })

  test('a partial file keeps every key it does not set at its default', () => {
    const config = configOf(
      [
        'base: develop',
        'confirm: always',
        'review:',
        '  max-cycles: 5',
        'branches:',
        '  types:',
        '    fix: [bug, defect]',
        'codex:',
        '  model: gpt-5.5',
        '  timeout-minutes:',
        '    review: 10',
        'merge:',
        '  deploy-workflow: deploy.yml',
        'rules-files: [AGENTS.md, docs/CONTRIBUTING.md]',
        'numbered-paths: []'
      ].join('\n')
    )
    expect(config).toEqual({
      ...FULL_DEFAULTS,
      base: 'develop',
      confirm: 'always',
      review: { ...FULL_DEFAULTS.review, maxCycles: 5 },
      branches: {
        types: { ...FULL_DEFAULTS.branches.types, fix: ['bug', 'defect'] },
        defaultType: 'feat'
      },
      codex: { model: 'gpt-5.5', timeoutMinutes: { implement: 45, review: 10, correct: 30 } },
      merge: { ...FULL_DEFAULTS.merge, deployWorkflow: 'deploy.yml' },
      rulesFiles: ['AGENTS.md', 'docs/CONTRIBUTING.md'],
      numberedPaths: []
    })
  })

  test('each parse returns a fresh object, so one caller cannot change another’s defaults', () => {
    const first = configOf('')
    first.numberedPaths.push('changed/*')
    expect(configOf('').numberedPaths).toEqual(FULL_DEFAULTS.numberedPaths)
  })
})

describe('WaveConfig errors', () => {
  test('a bad value names its path, what was expected and the value found', () => {
    expect(errorLines('review:\n  max-cycles: three\n')).toEqual([
      'review.max-cycles: expected a whole number from 1 to 10, got "three"'
    ])
  })

  test('every issue is listed, not just the first', () => {
    const lines = errorLines(
      ['confirm: sometimes', 'review:', '  max-cycles: 11', 'merge:', '  method: fast'].join('\n')
    )
    expect(lines).toEqual([
      'confirm: expected "auto", "always" or "never", got "sometimes"',
      'review.max-cycles: expected a whole number from 1 to 10, got 11',
      'merge.method: expected "squash", "merge" or "rebase", got "fast"'
    ])
  })

  test('an unknown key is an error naming its path, with the likely key when there is one', () => {
    expect(errorLines('review:\n  max-cyles: 4\n')).toEqual([
      'review.max-cyles: unknown key (did you mean "max-cycles"?)'
    ])
    expect(errorLines('confrim: auto\n')).toEqual([
      'confrim: unknown key (did you mean "confirm"?)'
    ])
    expect(errorLines('codex:\n  timeout-minutes:\n    reviw: 3\n')).toEqual([
      'codex.timeout-minutes.reviw: unknown key (did you mean "review"?)'
    ])
    expect(errorLines('deploy: production\n')).toEqual(['deploy: unknown key'])
  })

  test('snake_case keys are unknown and point at the kebab-case spelling', () => {
    expect(errorLines('review:\n  max_cycles: 4\n')).toEqual([
      'review.max_cycles: unknown key (did you mean "max-cycles"?)'
    ])
  })

  test.each([
    [
      'review:\n  max-cycles: 2.5\n',
      'review.max-cycles: expected a whole number from 1 to 10, got 2.5'
    ],
    [
      'review:\n  max-cycles: 0\n',
      'review.max-cycles: expected a whole number from 1 to 10, got 0'
    ],
    [
      'review:\n  max-cycles:\n',
      'review.max-cycles: expected a whole number from 1 to 10, got null'
    ],
    ['review:\n  should-fix: fix\n', 'review.should-fix: expected "correct" or "defer", got "fix"'],
    [
      'review:\n  diff-budget: 10\n',
      'review.diff-budget: expected a whole number from 1000 to 2000000, got 10'
    ],
    ['merge:\n  delete-branch: yes\n', 'merge.delete-branch: expected true or false, got "yes"'],
    [
      'merge:\n  deploy-workflow: .github/workflows/deploy.yml\n',
      'merge.deploy-workflow: expected a workflow file name such as "deploy.yml", got ".github/workflows/deploy.yml"'
    ],
    [
      'labels:\n  trigger: ""\n',
      'labels.trigger: expected a label name of 1 to 50 characters, got ""'
    ],
    [
      'base: bad branch\n',
      'base: expected a git branch name such as "fix/12-null-title", got "bad branch"'
    ],
    [
      'branches:\n  default-type: chore\n',
      'branches.default-type: expected one of "fix", "refactor", "feat", got "chore"'
    ],
    ['branches:\n  types:\n    docs: [documentation]\n', 'branches.types.docs: unknown key'],
    [
      'branches:\n  types:\n    fix: bug\n',
      'branches.types.fix: expected a list of label names, got "bug"'
    ],
    [
      'numbered-paths: [/etc/*]\n',
      'numbered-paths[0]: expected a relative path inside the repository (no leading "/", no ".." segments), got "/etc/*"'
    ],
    [
      'numbered-paths: ["docs/../../x/*"]\n',
      'numbered-paths[0]: expected a relative path inside the repository (no leading "/", no ".." segments), got "docs/../../x/*"'
    ],
    [
      'numbered-paths: [docs/adr]\n',
      'numbered-paths[0]: expected a relative glob with a "*", such as "docs/adr/*.md", got "docs/adr"'
    ],
    ['rules-files: AGENTS.md\n', 'rules-files: expected a list of file paths, got "AGENTS.md"'],
    [
      'codex:\n  timeout-minutes:\n    implement: 400\n',
      'codex.timeout-minutes.implement: expected a whole number from 1 to 360, got 400'
    ],
    ['codex:\n  model: "  "\n', 'codex.model: expected a model name such as "gpt-5.5", got "  "'],
    ['review: strict\n', 'review: expected a mapping of settings, got "strict"'],
    ['- confirm: auto\n', '(top level): expected a mapping of settings, got [{"confirm":"auto"}]']
  ])('%j is refused: %s', (yaml, message) => {
    expect(errorLines(yaml)).toEqual([message])
  })

  test('the error message names the file and lists every line', () => {
    const result = parseWaveConfig('review:\n  max-cycles: three\nconfrim: auto\n')
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error.what).toBe(CONFIG_PATH)
    expect(result.error.message).toBe(
      [
        '.github/codex-waves.yml is not valid:',
        '- review.max-cycles: expected a whole number from 1 to 10, got "three"',
        '- confrim: unknown key (did you mean "confirm"?)'
      ].join('\n')
    )
  })

  test('a long value is cut in the message', () => {
    const [line] = errorLines(`confirm: ${'x'.repeat(500)}\n`)
    expect(line).toMatch(/^confirm: expected "auto", "always" or "never", got "x+…$/)
    expect(line!.length).toBeLessThan(150)
  })
})

describe('YAML syntax errors', () => {
  test('are reported with line and column', () => {
    expect(errorLines('review:\n  max-cycles: [3\nconfirm: auto\n')).toEqual([
      'line 3, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]'
    ])
  })

  test('a duplicated key is a syntax error at the second occurrence', () => {
    expect(errorLines('confirm: auto\nconfirm: never\n')).toEqual([
      'line 2, column 1: Map keys must be unique'
    ])
  })

  test('an alias without its anchor is reported, not thrown', () => {
    expect(errorLines('confirm: *policy\n')).toEqual([
      'YAML: Unresolved alias (the anchor must be set before the alias): policy'
    ])
  })

  test('the file name given is used in the message', () => {
    const result = parseWaveConfig('confirm: [\n', 'config/waves.yml')
    expect(
      !result.ok && result.error.message.startsWith('config/waves.yml is not valid:\n- line ')
    ).toBe(true)
  })
})
