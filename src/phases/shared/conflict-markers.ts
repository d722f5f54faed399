/**
 * Conflict markers left in a work tree: nothing is pushed while a file still holds one, whether
 * codex wrote it or a merge of the base left it for codex to resolve.
 */
import type { Git } from '../../ports.js'

/** The changed files that hold a line starting with a conflict marker. */
export async function filesWithConflictMarkers(
  git: Pick<Git, 'exec'>,
  paths: readonly string[]
): Promise<string[]> {
  if (paths.length === 0) return []
  const found = await git.exec([
    'grep',
    '--untracked',
    '-I',
    '-l',
    '-E',
    '^(<<<<<<<|>>>>>>>)( |$)',
    '--',
    ...paths.map(path => `:(literal)${path}`)
  ])
  if (found.exitCode > 1)
    throw new Error(
      `Searching the changed files for conflict markers failed: ${found.stderr.trim()}`
    )
  return found.stdout.split('\n').filter(line => line !== '')
}
