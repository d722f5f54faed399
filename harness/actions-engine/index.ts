/**
 * The Actions engine: runs a repository's real workflow files on the GitHub emulator. See
 * docs/actions-engine.md.
 */
export { ActionsEngine } from './engine.js'
export type { EngineApp, EngineOptions, SettleOptions } from './engine.js'
export type { EngineForge } from './engine-forge.js'
export type { EnvironmentSpec } from './environments.js'
export { InvalidWorkflow, UnsupportedConstruct } from './errors.js'
export type { RunnerSpec } from './job-setup.js'
export type { Outcome, StepRecord } from './job-runner.js'
export { permissionReport, type JobPermissionUse } from './permission-report.js'
export type { JobRecord, RunRecord } from './records.js'
export type { EngineNotice } from './run-starter.js'
