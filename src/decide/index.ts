/**
 * The pipeline's decisions as pure functions over plain data: what a review means, what a
 * correction takes on and which cycle it is, whether a PR can merge, in which order, what an
 * update of its branch does to its approval, and which PRs a review or correction run takes on.
 */
export * from './after-update.js'
export * from './correction.js'
export * from './merge-order.js'
export * from './policy.js'
export * from './readiness.js'
export * from './review.js'
export * from './selection.js'
