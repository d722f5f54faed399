/**
 * Numbered paths (`docs/adr/*.md`, `migrations/*`): which issues will add a file under one, and
 * which number each takes, decided before anyone starts so two branches never pick the same.
 */
import type { InFlightPull, NumberedPathState, PlanFacts } from './facts.js'
import { globDirectory, globToRegExp, leadingNumber } from './facts.js'
import type { IssueProfile } from './profile.js'

/** Words that announce a new file under a numbered directory, by what the directory holds. */
function keywordFor(pattern: string): { regex: RegExp; word: string } | null {
  const directory = globDirectory(pattern).toLowerCase()
  if (/(?:^|\/)(?:adrs?|decisions?)(?:\/|$)/.test(directory)) {
    return { regex: /\bADRs?\b|\barchitecture decision records?\b/i, word: 'ADR' }
  }
  if (/migrat/.test(directory)) return { regex: /\bmigrations?\b/i, word: 'migration' }
  return null
}

/** The words of a text that are not paths, so `migrations/0003.sql` does not read as "migration". */
function proseWords(text: string): string {
  return text
    .split(/\s+/)
    .filter(word => !/[/\\]|\.\w/.test(word))
    .join(' ')
}

/** Why an issue will add a file under a numbered path (one evidence line), or null. */
export function addsNumberedFile(
  profile: IssueProfile,
  pattern: string,
  state: NumberedPathState | undefined,
  facts: PlanFacts
): string | null {
  const number = profile.issue.number
  const matcher = globToRegExp(pattern)
  const directory = globDirectory(pattern)
  const named = profile.paths.filter(path => matcher.test(path))
  const newFile = named.find(path => facts.pathsAtBase[path] !== true)
  if (newFile !== undefined)
    return `#${number} names \`${newFile}\`, a new file under \`${pattern}\`.`
  const place = profile.paths.find(path => path === directory || path === pattern)
  if (place !== undefined) return `#${number} names \`${place}\`.`
  // An issue naming an existing numbered file is about that file, not a new one.
  if (named.length > 0 || state?.present !== true) return null
  const keyword = keywordFor(pattern)
  if (keyword === null) return null
  const inTitle = keyword.regex.exec(proseWords(profile.issue.title))?.[0]
  const inBody = keyword.regex.exec(proseWords(profile.issue.body))?.[0]
  const where = inTitle !== undefined ? 'title' : 'description'
  const word = inTitle ?? inBody
  if (word === undefined) return null
  return `#${number} speaks of "${word}" in its ${where}, and the base keeps them in \`${pattern}\`.`
}

/** In-flight pull requests that add a numbered file under the pattern, with the number each takes. */
export function inFlightNumbers(
  pattern: string,
  pulls: readonly InFlightPull[]
): { pull: InFlightPull; path: string; value: number }[] {
  const matcher = globToRegExp(pattern)
  const taken: { pull: InFlightPull; path: string; value: number }[] = []
  for (const pull of pulls) {
    for (const path of pull.changedPaths) {
      const number = matcher.test(path) ? leadingNumber(path) : null
      if (number !== null) taken.push({ pull, path, value: number.value })
    }
  }
  return taken.sort((a, b) => a.value - b.value || a.pull.number - b.pull.number)
}

/** Numbers of this many digits or more are timestamps (`20250131120000_add_users.rb`). */
const TIMESTAMP_WIDTH = 10

/** What the plan says about the numbers under one pattern, for a batch of adders in order. */
export interface NumberAssignment {
  /** The issue → the open question its group carries. */
  questions: Map<number, { question: string; resolution: string }>
  /** One sentence for the finding's proposal. */
  summary: string
  /** Who takes what, for the sequence edge: `#17 takes 0006, #18 takes 0007`. */
  order: string
  /** What the base and the pipeline's open PRs already hold, for the evidence. */
  baseline: string
}

/**
 * Numbers for the issues adding a file under `pattern`, in issue order, after the highest number
 * at the base and in the pipeline's open PRs. Timestamped names get an order instead of numbers.
 */
export function assignNumbers(
  pattern: string,
  adders: readonly number[],
  state: NumberedPathState | undefined,
  taken: readonly { value: number }[]
): NumberAssignment {
  const width = state?.width ?? 4
  const highest = Math.max(state?.highest ?? 0, ...taken.map(entry => entry.value))
  const pad = (value: number) => String(value).padStart(width, '0')
  const question = `Which number does the new file under \`${pattern}\` take?`
  const questions = new Map<number, { question: string; resolution: string }>()
  const baseline =
    highest > 0
      ? `The highest number under \`${pattern}\` at the base or in an open pipeline PR is ${pad(highest)}.`
      : `No file under \`${pattern}\` is numbered yet.`
  if (width >= TIMESTAMP_WIDTH) {
    const order = adders.map(number => `#${number}`).join(', then ')
    adders.forEach((number, index) => {
      const after = index === 0 ? pad(highest) : `the timestamp #${adders[index - 1]} uses`
      questions.set(number, {
        question,
        resolution: `A timestamp later than ${after}; in this wave the files sort ${order}.`
      })
    })
    return {
      questions,
      baseline,
      order: `the timestamps sort ${order}`,
      summary: `Timestamp them in issue order: ${order}.`
    }
  }
  const assigned = adders.map((number, index) => `#${number} takes ${pad(highest + 1 + index)}`)
  adders.forEach((number, index) => {
    const others = assigned.filter((_, other) => other !== index)
    const rest = others.length > 0 ? `; in this wave ${others.join(', ')}` : ''
    questions.set(number, {
      question,
      resolution: `${pad(highest + 1 + index)} (the highest so far is ${pad(highest)}${rest}).`
    })
  })
  return {
    questions,
    baseline,
    order: assigned.join(', '),
    summary: `Number them up front, in issue order: ${assigned.join(', ')}.`
  }
}
