// Bundles every action under actions/<phase>/index.ts into actions/<phase>/dist/index.js with ncc.
// With an argument, writes the bundles under that directory instead (used by the freshness check).
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const outRoot = process.argv[2] ? resolve(process.argv[2]) : root
const ncc = join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js')

const actionsDir = join(root, 'actions')
const actions = (existsSync(actionsDir) ? readdirSync(actionsDir, { withFileTypes: true }) : [])
  .filter(entry => entry.isDirectory() && existsSync(join(actionsDir, entry.name, 'index.ts')))
  .map(entry => entry.name)

for (const action of actions) {
  const out = join(outRoot, 'actions', action, 'dist')
  rmSync(out, { recursive: true, force: true })
  execFileSync(
    process.execPath,
    [
      ncc,
      'build',
      join(actionsDir, action, 'index.ts'),
      '-o',
      out,
      '--minify',
      '--license',
      'licenses.txt',
      '--quiet'
    ],
    { cwd: root, stdio: 'inherit' }
  )
  console.log(`built actions/${action}/dist`)
}
if (actions.length === 0) console.log('no actions to build')
