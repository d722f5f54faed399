/**
 * Turns this repository's pipeline workflows into an adopter's: the same files, with the local
 * actions (`./actions/<phase>`, or the trusted copy `./.codex-waves-trusted/actions/<phase>`)
 * replaced by this package's published actions pinned to its version.
 */

/** Where the published actions live. */
export const ACTIONS_REPOSITORY = 'codex-issue-waves/codex-issue-waves'

/** The pipeline workflow files, by name, in the order init writes them. */
export const PIPELINE_WORKFLOWS = [
  'codex-waves-dispatch.yml',
  'codex-waves-review.yml',
  'codex-waves-correct.yml',
  'codex-waves-merge.yml'
] as const

const LOCAL_ACTION =
  /^(\s*(?:-\s+)?uses:\s*)\.\/(?:\.codex-waves-trusted\/)?actions\/(dispatch|review|correct|merge)\s*$/gm

/**
 * The adopter's copy of one workflow. Every local action reference becomes
 * `<repository>/actions/<phase>@v<version>`; the text is otherwise unchanged. A workflow without
 * any local action reference is an error: it would not be the pipeline's.
 */
export function adopterWorkflow(
  text: string,
  options: { version: string; repository?: string }
): string {
  const repository = options.repository ?? ACTIONS_REPOSITORY
  let replaced = 0
  const pinned = text.replace(LOCAL_ACTION, (_line, prefix: string, phase: string) => {
    replaced += 1
    return `${prefix}${repository}/actions/${phase}@v${options.version}`
  })
  if (replaced === 0) {
    throw new Error(
      'The workflow uses none of the actions ./actions/<phase>: it is not a codex-waves workflow.'
    )
  }
  return `# Written by codex-waves init ${options.version}.\n${pinned}`
}
