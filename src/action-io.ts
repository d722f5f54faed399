/**
 * Input and output names of the four actions, in one place, so `action.yml`, the code and the docs
 * cannot drift apart (a test compares each `action.yml` with these lists).
 */

/** Inputs every action takes. */
export const COMMON_INPUTS = {
  githubToken: 'github-token',
  config: 'config',
  codexPath: 'codex-path',
  model: 'model',
  timeoutMinutes: 'timeout-minutes',
  pipelineLogin: 'pipeline-login'
} as const

export const DISPATCH_INPUTS = {
  ...COMMON_INPUTS,
  step: 'step',
  issues: 'issues',
  confirm: 'confirm',
  group: 'group',
  plan: 'plan',
  base: 'base',
  environment: 'environment'
} as const

export const DISPATCH_OUTPUTS = {
  planId: 'plan-id',
  plan: 'plan',
  matrix: 'matrix',
  needsConfirmation: 'needs-confirmation',
  prNumber: 'pr-number',
  branch: 'branch',
  headSha: 'head-sha',
  status: 'status'
} as const

/** The outputs of `step: select` of the review and correct actions. */
export const SELECT_OUTPUTS = { include: 'include', count: 'count' } as const

export const REVIEW_INPUTS = { ...COMMON_INPUTS, step: 'step', pr: 'pr' } as const

export const REVIEW_OUTPUTS = {
  verdict: 'verdict',
  next: 'next',
  blockingCount: 'blocking-count',
  headSha: 'head-sha',
  ...SELECT_OUTPUTS
} as const

export const CORRECT_INPUTS = {
  ...COMMON_INPUTS,
  step: 'step',
  pr: 'pr',
  maxCycles: 'max-cycles'
} as const

export const CORRECT_OUTPUTS = {
  cycle: 'cycle',
  status: 'status',
  headSha: 'head-sha',
  ...SELECT_OUTPUTS
} as const

export const MERGE_INPUTS = {
  ...COMMON_INPUTS,
  prs: 'prs',
  method: 'method',
  deleteBranch: 'delete-branch'
} as const

export const MERGE_OUTPUTS = { merged: 'merged', blocked: 'blocked', order: 'order' } as const

/** Every action's inputs and outputs by action directory name. */
export const ACTION_IO = {
  dispatch: { inputs: DISPATCH_INPUTS, outputs: DISPATCH_OUTPUTS },
  review: { inputs: REVIEW_INPUTS, outputs: REVIEW_OUTPUTS },
  correct: { inputs: CORRECT_INPUTS, outputs: CORRECT_OUTPUTS },
  merge: { inputs: MERGE_INPUTS, outputs: MERGE_OUTPUTS }
} as const
