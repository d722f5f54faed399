/**
 * The plan step's pure core: the issue list, the facts the triage needs and how to know what to
 * look up, the triage itself, the confirmation gate and the implement matrix.
 */
export * from './confirm.js'
export * from './event.js'
export * from './extract.js'
export * from './facts.js'
export * from './in-flight.js'
export * from './issue-list.js'
export * from './plan-output.js'
export { planWave, MAX_GROUP_SIZE } from './triage.js'
export { MAX_DEFINING_FILES } from './profile.js'
