/**
 * The file names of the pipeline's workflows, as `codex-waves init` writes them. The correct phase
 * starts the next review with `workflow_dispatch` of {@link REVIEW_WORKFLOW} (a `workflow_run` chain
 * would stop after three levels), and escalation comments tell people which workflow to re-run.
 */
export const DISPATCH_WORKFLOW = 'codex-waves-dispatch.yml'
export const REVIEW_WORKFLOW = 'codex-waves-review.yml'
export const CORRECT_WORKFLOW = 'codex-waves-correct.yml'
export const MERGE_WORKFLOW = 'codex-waves-merge.yml'
