/**
 * The sandbox forge: a GitHub-compatible REST server and git remote over real bare repositories,
 * with the artifact service `@actions/artifact` uploads to and downloads from.
 */
export { Forge, startForge } from './forge.js'
export { createArtifactService, runArtifactSource } from './artifact-service.js'
export type {
  ArtifactJobEnvironment,
  ArtifactService,
  ArtifactServiceOptions,
  JobBackendIds,
  ServedArtifact
} from './artifact-service.js'
export type { ForgeOptions, NewIssue, NewRepo } from './forge.js'
export { seedSampleRepo, SAMPLE_REPO } from './seed/index.js'
export { SAMPLE_PROJECT_FILES } from './seed/sample-project.js'
export type { JobEnvironment, NewWorkflowRun } from './workflow-runs.js'
export type * from './types.js'
