/**
 * Seeds a forge with the sample repository, its labels and a few open issues.
 */
import type { GitHubEmulator, NewIssue } from '../emulator.js'
import { SAMPLE_PROJECT_FILES } from './sample-project.js'

/** The sample repository's name. */
export const SAMPLE_REPO = 'tiny-lib'

const LABELS = [
  { name: 'bug', color: 'd73a4a', description: "Something isn't working" },
  { name: 'enhancement', color: 'a2eeef', description: 'New feature or request' },
  {
    name: 'documentation',
    color: '0075ca',
    description: 'Improvements or additions to documentation'
  }
]

const ISSUES: NewIssue[] = [
  {
    title: 'mean() of an empty list returns NaN',
    body: '`mean([])` in `src/numbers.js` returns `NaN`. It should return `0`, with a test in `test/numbers.test.js`.',
    labels: ['bug']
  },
  {
    title: 'Add a truncate helper',
    body: 'Add `truncate(text, max)` to `src/strings.js`: cut to `max` characters and end with `…` when cut. Export it from `src/index.js` and test it.',
    labels: ['enhancement']
  },
  {
    title: 'Record the zero-dependency decision',
    body: 'Write an ADR under `docs/adr/` explaining why the library has no runtime dependencies.',
    labels: ['documentation']
  },
  {
    title: 'Add an email column to users',
    body: 'Add a migration under `migrations/` that adds a nullable `email TEXT` column to `users`.',
    labels: ['enhancement']
  }
]

/**
 * Creates the sample repository with labels and issues; returns the repository name. `extraFiles`
 * join the sample project's files in its first commit (e.g. the pipeline's workflows and actions).
 */
export async function seedSampleRepo(
  forge: GitHubEmulator,
  name = SAMPLE_REPO,
  extraFiles: Readonly<Record<string, string>> = {}
): Promise<string> {
  await forge.createRepo({ name, files: { ...SAMPLE_PROJECT_FILES, ...extraFiles } })
  for (const label of LABELS) forge.createLabel(name, label)
  for (const issue of ISSUES) forge.createIssue(name, issue)
  return name
}
