// Bundles every action under actions/<phase>/index.ts into actions/<phase>/dist/index.js, and the
// command line src/cli/index.ts into cli/dist/index.js, with ncc.
// Usage: node scripts/build.mjs [--out DIR] [target ...]
//   --out DIR  write the bundles under DIR instead (the freshness check uses it)
//   target     build only these: action names, or 'cli'
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
const CLI = 'cli'
const cliEntry = join(root, 'src', 'cli', 'index.ts')
const targets = [...available, ...(existsSync(cliEntry) ? [CLI] : [])]
const unknown = requested.filter(name => !targets.includes(name))
if (unknown.length > 0) {
  console.error(`No build target named ${unknown.join(', ')}. Targets: ${targets.join(', ')}.`)
  process.exit(2)
}
const actions = requested.length > 0 ? requested : targets

/** Where a target's sources and bundle are, relative to the root. */
function paths(target) {
  return target === CLI
    ? { entry: cliEntry, dist: join('cli', 'dist') }
    : { entry: join(actionsDir, target, 'index.ts'), dist: join('actions', target, 'dist') }
}

function build(action) {
  const { entry, dist } = paths(action)
  const out = join(outRoot, dist)
  rmSync(out, { recursive: true, force: true })
  const nccArgs = ['build', entry, '-o', out, '--minify', '--license', 'licenses.txt', '--quiet']
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [ncc, ...nccArgs], { cwd: root, stdio: 'inherit' })
    child.on('error', reject)
    child.on('exit', code => {
      if (code === 0) {
        console.log(`built ${dist}`)
        resolvePromise()
      } else {
        reject(new Error(`ncc failed for ${dist} (exit ${code})`))
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
  if (actions.length === 0) console.log('nothing to build')
} catch (error) {
  console.error(error.message)
  process.exitCode = 1
}
