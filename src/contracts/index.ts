/**
 * The contracts: zod schemas for every piece of data that crosses a job, a run or a process
 * boundary, each with a parse whose errors name the path and the value.
 */
export * from './common.js'
export * from './config.js'
export * from './correction.js'
export * from './dispatch.js'
export * from './format.js'
export * from './implementer.js'
export * from './ledger.js'
export * from './parse.js'
export * from './plan.js'
export * from './plan-id.js'
export * from './review.js'
export * from './stable-json.js'
export * from './strict-json-schema.js'
