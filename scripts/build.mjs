// Bundles every action under actions/<phase>/index.ts into actions/<phase>/dist/index.js with ncc.
// Usage: node scripts/build.mjs [--out DIR] [action ...]
//   --out DIR  write the bundles under DIR/actions/<phase>/dist instead (the freshness check uses it)
//   action     build only these actions
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const ncc = join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js')
const actionsDir = join(root, 'actions')

const args = process.argv.slice(2)
const outIndex = args.indexOf('--out')
const outRoot = outIndex === -1 ? root : resolve(args[outIndex + 1] ?? '')
const requested =
  outIndex === -1 ? args : args.filter((_, i) => i !== outIndex && i !== outIndex + 1)

const available = (existsSync(actionsDir) ? readdirSync(actionsDir, { withFileTypes: true }) : [])
  .filter(entry => entry.isDirectory() && existsSync(join(actionsDir, entry.name, 'index.ts')))
  .map(entry => entry.name)
const unknown = requested.filter(name => !available.includes(name))
if (unknown.length > 0) {
  console.error(`No action named ${unknown.join(', ')}. Actions: ${available.join(', ')}.`)
  process.exit(2)
}
const actions = requested.length > 0 ? requested : available

function build(action) {
  const out = join(outRoot, 'actions', action, 'dist')
  rmSync(out, { recursive: true, force: true })
  const entry = join(actionsDir, action, 'index.ts')
  const nccArgs = ['build', entry, '-o', out, '--minify', '--license', 'licenses.txt', '--quiet']
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [ncc, ...nccArgs], { cwd: root, stdio: 'inherit' })
    child.on('error', reject)
    child.on('exit', code => {
      if (code === 0) {
        console.log(`built actions/${action}/dist`)
        resolvePromise()
      } else {
        reject(new Error(`ncc failed for actions/${action} (exit ${code})`))
      }
    })
  })
}

// ncc is CPU-bound: one build per core.
const queue = [...actions]
const workers = Array.from({ length: Math.min(availableParallelism(), queue.length) }, async () => {
  for (let action = queue.shift(); action !== undefined; action = queue.shift()) await build(action)
})
try {
  await Promise.all(workers)
  if (actions.length === 0) console.log('no actions to build')
} catch (error) {
  console.error(error.message)
  process.exitCode = 1
}
