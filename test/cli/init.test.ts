/**
 * `codex-waves init`: the plan per file, the command over real temporary directories, and the
 * templates themselves (generated from this repository's workflows, and a config that parses to
 * exactly the defaults).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { defaultWaveConfig, parseWaveConfig } from '../../src/contracts/index.js'
import { initTemplates, planInit, runInit, type InitIo } from '../../src/cli/init.js'
import { CONFIG_TEMPLATE } from '../../src/cli/templates/config.js'
import { PIPELINE_WORKFLOWS, adopterWorkflow } from '../../src/cli/templates/render.js'
import { generatedTemplatesModule } from '../../src/cli/templates/generate.js'
import {
  TEMPLATES_VERSION,
  WORKFLOW_TEMPLATES
} from '../../src/cli/templates/workflows.generated.js'

const root = process.cwd()
const version = (
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }
).version

describe('planInit', () => {
  const templates = [
    { path: 'a.yml', content: 'a' },
    { path: 'b.yml', content: 'b' },
    { path: 'c.yml', content: 'c' }
  ]
  const existing = new Map([
    ['b.yml', 'b'],
    ['c.yml', 'changed']
  ])

  it('creates what is missing, leaves what is identical, refuses what changed', () => {
    expect(planInit(existing, templates, { force: false }).map(file => file.action)).toEqual([
      'create',
      'unchanged',
      'refuse'
    ])
  })

  it('overwrites what changed only with force', () => {
    expect(planInit(existing, templates, { force: true }).map(file => file.action)).toEqual([
      'create',
      'unchanged',
      'overwrite'
    ])
  })
})

describe('runInit', () => {
  let dir: string
  let out: string[]
  let err: string[]
  const io = (): InitIo => ({
    cwd: dir,
    stdout: line => out.push(line),
    stderr: line => err.push(line)
  })

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'waves-init-'))
    out = []
    err = []
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  const paths = [
    ...PIPELINE_WORKFLOWS.map(file => `.github/workflows/${file}`),
    '.github/codex-waves.yml'
  ]

  it('writes the four workflows and the config into an empty repository', async () => {
    expect(await runInit(['repo'], io())).toBe(0)
    expect(out).toEqual(paths.map(path => `created ${path}`))
    for (const template of initTemplates()) {
      expect(readFileSync(join(dir, 'repo', template.path), 'utf8')).toBe(template.content)
    }
  })

  it('is idempotent: a second run changes nothing and says so', async () => {
    expect(await runInit([], io())).toBe(0)
    out = []
    expect(await runInit([], io())).toBe(0)
    expect(out).toEqual(paths.map(path => `unchanged ${path}`))
  })

  it('refuses to overwrite a changed file without --force, writing nothing at all', async () => {
    mkdirSync(join(dir, '.github'), { recursive: true })
    writeFileSync(join(dir, '.github', 'codex-waves.yml'), 'confirm: always\n')
    expect(await runInit([], io())).toBe(1)
    expect(err.join('\n')).toMatch(
      /\.github\/codex-waves\.yml differs from the codex-waves .* template; nothing was written\. Run again with --force/
    )
    expect(readFileSync(join(dir, '.github', 'codex-waves.yml'), 'utf8')).toBe('confirm: always\n')
    expect(() => readFileSync(join(dir, '.github/workflows/codex-waves-dispatch.yml'))).toThrow()
  })

  it('overwrites a changed file with --force', async () => {
    mkdirSync(join(dir, '.github'), { recursive: true })
    writeFileSync(join(dir, '.github', 'codex-waves.yml'), 'confirm: always\n')
    expect(await runInit(['--force'], io())).toBe(0)
    expect(out).toContain('overwritten .github/codex-waves.yml')
    expect(readFileSync(join(dir, '.github', 'codex-waves.yml'), 'utf8')).toBe(CONFIG_TEMPLATE)
  })

  it('rejects an unknown option or two directories with exit code 2 and the usage', async () => {
    expect(await runInit(['--frce'], io())).toBe(2)
    expect(err[0]).toMatch(/unknown option '--frce'[\s\S]*Usage: codex-waves init/)
    expect(await runInit(['a', 'b'], io())).toBe(2)
    expect(err[1]).toMatch(/at most one directory, got 'a', 'b'/)
  })

  it('prints the usage with --help', async () => {
    expect(await runInit(['--help'], io())).toBe(0)
    expect(out[0]).toMatch(/^Usage: codex-waves init \[dir\] \[--force\]/)
  })
})

describe('the templates', () => {
  it('are generated from this repository workflows at this package version', async () => {
    expect(TEMPLATES_VERSION).toBe(version)
    for (const file of PIPELINE_WORKFLOWS) {
      const source = readFileSync(join(root, '.github', 'workflows', file), 'utf8')
      expect(WORKFLOW_TEMPLATES[file]).toBe(adopterWorkflow(source, { version }))
    }
    expect(generatedTemplatesModule(root)).toContain(
      JSON.stringify(WORKFLOW_TEMPLATES[PIPELINE_WORKFLOWS[0]])
    )
  })

  it('use the published actions pinned to the version, never a local path', () => {
    for (const file of PIPELINE_WORKFLOWS) {
      const workflow = parse(WORKFLOW_TEMPLATES[file] as string) as {
        jobs: Record<string, { steps: { uses?: string }[] }>
      }
      const uses = Object.values(workflow.jobs).flatMap(job =>
        job.steps.map(step => step.uses ?? '')
      )
      expect(uses.filter(ref => ref.startsWith('./'))).toEqual([])
      expect(
        uses.filter(ref => /\/actions\/(dispatch|review|correct|merge)@/.test(ref))
      ).not.toEqual([])
      for (const ref of uses.filter(ref => /\/actions\/\w+@/.test(ref))) {
        expect(ref).toMatch(new RegExp(`^[\\w.-]+/codex-issue-waves/actions/\\w+@v${version}$`))
      }
    }
  })

  it('refuse a workflow that uses none of the actions', () => {
    expect(() => adopterWorkflow('name: ci\n', { version })).toThrow(/not a codex-waves workflow/)
  })

  it('include a config that parses to exactly the default config', () => {
    const parsed = parseWaveConfig(CONFIG_TEMPLATE)
    expect(parsed).toEqual({ ok: true, value: defaultWaveConfig() })
  })

  it('comment every top-level key of the config', () => {
    const lines = CONFIG_TEMPLATE.split('\n')
    const keys = lines.flatMap((line, index) => (/^[a-z-]+:/.test(line) ? [index] : []))
    expect(keys.length).toBe(Object.keys(defaultWaveConfig()).length)
    for (const index of keys) expect(lines[index - 1]).toMatch(/^#|^$/)
  })
})
