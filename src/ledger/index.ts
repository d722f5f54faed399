/**
 * The ledger: a PR's durable state kept in its status comment, rendered for people and machines,
 * found only in comments the pipeline wrote, and updated without mutation.
 */
export * from './comment.js'
export * from './update.js'
