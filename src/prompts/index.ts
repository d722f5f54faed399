/**
 * The prompts: pure renderers of what each codex role is told, with every piece of untrusted text
 * sanitized and fenced as data.
 */
export type { IssueRef, PromptIssue, RulesFile } from './common.js'
export { RESULT_FIELDS, STANDING_RULES } from './common.js'
export * from './corrector.js'
export * from './diff-budget.js'
export * from './implementer.js'
export * from './reviewer.js'
export {
  fenceUntrusted,
  inlineUntrusted,
  revealInvisible,
  sanitizeUntrusted,
  type UntrustedKind
} from './untrusted.js'
