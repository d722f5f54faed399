/**
 * The sandbox forge: a GitHub-compatible REST server and git remote over real bare repositories.
 */
export { Forge, startForge } from './forge.js'
export type { ForgeOptions, NewIssue, NewRepo } from './forge.js'
export { seedSampleRepo, SAMPLE_REPO } from './seed/index.js'
export { SAMPLE_PROJECT_FILES } from './seed/sample-project.js'
export type { NewWorkflowRun } from './workflow-runs.js'
export type * from './types.js'
