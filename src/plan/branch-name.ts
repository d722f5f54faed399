/**
 * The branch of a group: `<type>/<issues>-<slug>`, e.g. `fix/12-null-title` or, for issues
 * combined on one branch, `feat/12-15-add-x`. Deterministic, so a re-run finds the branch (and the
 * pull request) of the same group instead of making another.
 */
import type { WaveGroup } from '../contracts/index.js'

/** The slug is cut to this many characters, at a word boundary when there is one. */
export const MAX_SLUG_LENGTH = 40

/** The slug of a branch: lowercase ASCII words of `title` joined by dashes, `change` when none. */
export function branchSlug(title: string): string {
  const words = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(word => word !== '')
  let slug = ''
  for (const word of words) {
    const next = slug === '' ? word : `${slug}-${word}`
    if (next.length > MAX_SLUG_LENGTH) {
      if (slug === '') slug = word.slice(0, MAX_SLUG_LENGTH)
      break
    }
    slug = next
  }
  return slug === '' ? 'change' : slug
}

/** The branch of a group: its type, every issue number, and a slug of its title. */
export function branchName(group: Pick<WaveGroup, 'branchType' | 'issues' | 'title'>): string {
  return `${group.branchType}/${group.issues.join('-')}-${branchSlug(group.title)}`
}
