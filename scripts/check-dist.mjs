// Fails when a committed actions/<phase>/dist or cli/dist differs from a fresh build of the source.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const fresh = mkdtempSync(join(tmpdir(), 'check-dist-'))

function listFiles(dir) {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter(entry => entry.isFile())
    .map(entry => relative(dir, join(entry.parentPath, entry.name)))
    .sort()
}

try {
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--out', fresh], {
    stdio: 'inherit'
  })
  const stale = []
  const builtActions = existsSync(join(fresh, 'actions')) ? readdirSync(join(fresh, 'actions')) : []
  const dists = [
    ...builtActions.map(action => join('actions', action, 'dist')),
    ...(existsSync(join(fresh, 'cli', 'dist')) ? [join('cli', 'dist')] : [])
  ]
  for (const dist of dists) {
    const built = join(fresh, dist)
    const committed = join(root, dist)
    const names = new Set([...listFiles(built), ...listFiles(committed)])
    for (const name of names) {
      const a = existsSync(join(built, name)) ? readFileSync(join(built, name)) : null
      const b = existsSync(join(committed, name)) ? readFileSync(join(committed, name)) : null
      if (!a || !b || !a.equals(b)) stale.push(`${dist}/${name}`)
    }
  }
  if (stale.length > 0) {
    console.error(`dist is out of date with the source: ${stale.join(', ')}`)
    console.error("Run 'npm run build' and commit the result.")
    process.exitCode = 1
  } else {
    console.log('dist matches the source')
  }
} finally {
  rmSync(fresh, { recursive: true, force: true })
}
