/**
 * The sandbox forge: a GitHub-compatible REST server and git remote over real bare repositories,
 * with the artifact service `@actions/artifact` uploads to and downloads from.
 */
export { GitHubEmulator, startEmulator } from './emulator.js'
export { DEFAULT_APP_SLUG } from './apps.js'
export type { InstallationToken, InstallationTokenOptions } from './apps.js'
export { tokenIdOf } from './auth.js'
export {
  PERMISSIVE_JOB_PERMISSIONS,
  SCOPES,
  readPermissions,
  scopesUsed,
  unusedWriteScopes
} from './scopes.js'
export type {
  GrantKind,
  Scope,
  ScopeLevel,
  ScopeNeed,
  ScopeUse,
  TokenPermissions
} from './scopes.js'
export type { EventListener } from './state.js'
export { workflowRefusal } from './workflow-guard.js'
export { createArtifactService, runArtifactSource } from './artifact-service.js'
export type {
  ArtifactJobEnvironment,
  ArtifactService,
  ArtifactServiceOptions,
  JobBackendIds,
  ServedArtifact
} from './artifact-service.js'
export type { EmulatorOptions, NewIssue, NewRepo } from './emulator.js'
export { seedSampleRepo, SAMPLE_REPO } from './seed/index.js'
export { SAMPLE_PROJECT_FILES } from './seed/sample-project.js'
export type {
  JobEnvironment,
  JobOptions,
  NewWorkflowRun,
  ScopedJobEnvironment
} from './workflow-runs.js'
export type * from './types.js'
