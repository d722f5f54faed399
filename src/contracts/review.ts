/**
 * `ReviewVerdict`: the JSON the read-only codex reviewer must end with. Its JSON Schema is generated
 * from the zod schema and handed to `codex exec --output-schema`, which sends it to the model API
 * as a strict structured output: every object closed, every property required (nullable where a
 * value may be absent).
 */
import { z } from 'zod'
import { nonBlank, wholeNumber } from './common.js'
import { parseJsonWith, parseWith, type ParseResult } from './parse.js'
import { toStrictJsonSchema, type JsonSchema } from './strict-json-schema.js'

/** The reviewer checklist: the id a finding cites, and the item as the reviewer prompt words it. */
export const REVIEW_CHECKLIST = [
  { id: 'scope-adherence', text: 'scope adherence' },
  { id: 'rebase-integrity', text: 'rebase integrity' },
  { id: 'renames-and-stragglers', text: 'renames and stragglers' },
  { id: 'races', text: 'races in new writes, select-then-insert' },
  { id: 'duplicated-migrations', text: 'duplicated migrations' },
  { id: 'sibling-parity', text: 'parity across sibling views' },
  { id: 'test-gaps', text: 'test gaps' },
  { id: 'project-rules', text: 'project rules' },
  { id: 'other', text: 'anything else' }
] as const

type ChecklistId = (typeof REVIEW_CHECKLIST)[number]['id']
const checklistIds = REVIEW_CHECKLIST.map(item => item.id) as [ChecklistId, ...ChecklistId[]]

/** The id of a checklist item. */
export const ChecklistItem = z.enum(checklistIds, {
  error: `expected one of ${checklistIds.map(id => `"${id}"`).join(', ')}`
})
/** @see ChecklistItem */
export type ChecklistItem = z.output<typeof ChecklistItem>

/** One thing the reviewer found. */
export const ReviewFinding = z.strictObject({
  /** Unique across the whole verdict; correction orders refer to findings by it. */
  id: nonBlank(),
  title: nonBlank(),
  detail: nonBlank(),
  /** The repository path the finding is about, or null when it is not about one file. */
  file: z.string({ error: 'expected a file path or null' }).nullable(),
  /** The 1-based line in `file`, or null. */
  line: wholeNumber(1).nullable(),
  checklist_item: ChecklistItem
})
/** @see ReviewFinding */
export type ReviewFinding = z.output<typeof ReviewFinding>

/** The finding lists of a verdict, by severity (also the keys of {@link ReviewVerdict}). */
export const ReviewCategory = z.enum(['blocking', 'scope_violations', 'should_fix', 'nits'], {
  error: 'expected one of "blocking", "scope_violations", "should_fix", "nits"'
})
/** @see ReviewCategory */
export type ReviewCategory = z.output<typeof ReviewCategory>

const findings = z.array(ReviewFinding, { error: 'expected a list of findings' })

/** The reviewer's verdict. */
export const ReviewVerdict = z
  .strictObject({
    verdict: z.enum(['approved', 'changes_requested'], {
      error: 'expected "approved" or "changes_requested"'
    }),
    summary: nonBlank(),
    blocking: findings,
    should_fix: findings,
    nits: findings,
    scope_violations: findings
  })
  .superRefine((verdict, ctx) => {
    const seen = new Map<string, string>()
    for (const category of ReviewCategory.options) {
      verdict[category].forEach((finding, index) => {
        const here = `${category}[${index}].id`
        const first = seen.get(finding.id)
        if (first === undefined) seen.set(finding.id, here)
        else {
          ctx.addIssue({
            code: 'custom',
            path: [category, index, 'id'],
            message: `duplicate finding id "${finding.id}" (also ${first}); every finding needs its own id`
          })
        }
      })
    }
  })
/** @see ReviewVerdict */
export type ReviewVerdict = z.output<typeof ReviewVerdict>

/** The strict JSON Schema of {@link ReviewVerdict}, for `codex exec --output-schema`. */
export const reviewVerdictJsonSchema: JsonSchema = toStrictJsonSchema(ReviewVerdict)

/** Validates a verdict already parsed from JSON. */
export function parseReviewVerdict(
  value: unknown,
  what = 'review verdict'
): ParseResult<ReviewVerdict> {
  return parseWith(ReviewVerdict, value, what)
}

/** Validates the reviewer's final message (JSON text) as a verdict. */
export function parseReviewVerdictJson(
  text: string,
  what = 'review verdict'
): ParseResult<ReviewVerdict> {
  return parseJsonWith(ReviewVerdict, text, what)
}
