/**
 * Where the tests find an action's bundle and metadata. Bundles are read from `WAVES_DIST_ROOT`
 * when set (a private build made with `node scripts/build.mjs --out DIR <action>`), else from the
 * repository's committed `actions/<phase>/dist`.
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url))

/** The bundled entry of an action, as the runner would start it. */
export function actionBundle(action: 'dispatch' | 'review' | 'correct' | 'merge'): string {
  const root = process.env.WAVES_DIST_ROOT ?? repositoryRoot
  return join(root, 'actions', action, 'dist', 'index.js')
}

/** The action's metadata file, whose input defaults the runner applies. */
export function actionMetadata(action: 'dispatch' | 'review' | 'correct' | 'merge'): string {
  return join(repositoryRoot, 'actions', action, 'action.yml')
}
