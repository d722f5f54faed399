/**
 * The `issues` input of `dispatch` with `step: plan`: a list of issue numbers as a person types it.
 */

/** The most jobs one `strategy.matrix` holds, hence the most issues one wave takes. */
export const MAX_MATRIX_JOBS = 256

/** How many bad tokens an error lists before it says how many more there are. */
const MAX_TOKENS_SHOWN = 20

/** The largest number taken for an issue number (GitHub's are 32-bit). */
const MAX_ISSUE_NUMBER = 2_147_483_647

/** The parsed list, or a message that names every bad token (they are also listed, for skips). */
export type IssueListResult =
  { ok: true; numbers: number[] } | { ok: false; message: string; badTokens: string[] }

const USAGE = "Use numbers separated by commas, spaces or newlines, e.g. '12, 15, 17'."

function quote(token: string): string {
  const shown = token.length > 40 ? `${token.slice(0, 39)}…` : token
  return `'${shown}'`
}

function badTokensMessage(tokens: string[]): string {
  const shown = tokens.slice(0, MAX_TOKENS_SHOWN).map(quote).join(', ')
  const more =
    tokens.length > MAX_TOKENS_SHOWN ? ` and ${tokens.length - MAX_TOKENS_SHOWN} more` : ''
  const verb = tokens.length === 1 ? 'is not an issue number' : 'are not issue numbers'
  return `Input 'issues': ${shown}${more} ${verb}. ${USAGE}`
}

/**
 * Parses the `issues` input: numbers separated by commas, spaces or newlines, `#12` accepted.
 * Every bad token is reported at once; duplicates collapse, keeping the order of first appearance.
 * Empty text gives an empty list (the caller then takes the triggering event's issue). More than
 * {@link MAX_MATRIX_JOBS} issues is an error that says to split the wave.
 */
export function parseIssueList(text: string): IssueListResult {
  const tokens = text.split(/[\s,]+/).filter(token => token !== '')
  const numbers: number[] = []
  const badTokens: string[] = []
  for (const token of tokens) {
    const digits = /^#?(\d+)$/.exec(token)?.[1]
    const number = digits === undefined ? Number.NaN : Number(digits)
    if (Number.isInteger(number) && number >= 1 && number <= MAX_ISSUE_NUMBER) numbers.push(number)
    else badTokens.push(token)
  }
  if (badTokens.length > 0) return { ok: false, message: badTokensMessage(badTokens), badTokens }
  const unique = [...new Set(numbers)]
  if (unique.length > MAX_MATRIX_JOBS) {
    return {
      ok: false,
      badTokens: [],
      message:
        `Input 'issues': ${unique.length} issues are more than one wave can hold ` +
        `(a matrix holds ${MAX_MATRIX_JOBS} jobs). ` +
        `Split the wave: dispatch at most ${MAX_MATRIX_JOBS} issues at a time.`
    }
  }
  return { ok: true, numbers: unique }
}
