/**
 * Run in a process of its own by the triage benchmark: builds the facts of a batch of synthetic
 * issues, plans it with `planWave` and seals it with `sealPlan`, and prints one JSON line with the
 * planning time and this process's peak resident set size.
 */
import { performance } from 'node:perf_hooks'
import { defaultWaveConfig, sealPlan } from '../src/contracts/index.js'
import { planLookups, planWave, type IssueFacts, type PlanFacts } from '../src/plan/index.js'

const REPO = 'octo-org/bench'

/**
 * The body of synthetic issue `n`: most name a file and a symbol of their own; some share a file
 * with a neighbour, add a numbered ADR, are umbrellas with a task list, or remove what another
 * issue names, so every finding kind of the triage has work to do.
 */
function body(n: number): string {
  switch (n % 10) {
    case 6:
      return `Handle the empty case in \`src/module-${n - 1}.ts\` as well; \`handler${n}\` should log it.`
    case 7:
      return `Record the decision in \`docs/adr/0001-decision-${n}.md\` and link it from the README.`
    case 8:
      return `Tracking issue.\n\n- [ ] #${n + 1}\n- [ ] #${n + 2}\n- [x] #${n - 1}`
    case 9:
      return `Remove \`handler${n - 4}\` from \`src/module-${n - 4}.ts\`; nothing uses it any more.`
    default:
      return `Add \`handler${n}\` to \`src/module-${n}.ts\` so the ${n}th screen can save its state.\n\nSteps:\n1. open the screen\n2. save\n\nExpected: the state is kept.`
  }
}

/** The facts the plan phase would gather for `count` open issues of the bench repository. */
export function syntheticFacts(count: number): PlanFacts {
  const issues: IssueFacts[] = Array.from({ length: count }, (_, index) => {
    const number = index + 1
    return {
      number,
      title: number % 10 === 6 ? `Fix a typo in module ${number - 1}` : `Feature request ${number}`,
      body: body(number),
      labels: number % 3 === 0 ? ['bug'] : ['enhancement'],
      state: number % 97 === 0 ? 'closed' : 'open',
      locked: false,
      isPullRequest: false,
      subIssues: number % 50 === 0 ? [number - 2, number - 3] : []
    }
  })
  const config = defaultWaveConfig()
  const lookups = planLookups(issues, REPO, config)
  const pathsAtBase: Record<string, boolean> = {}
  lookups.paths.forEach((path, index) => (pathsAtBase[path] = index % 2 === 0))
  const symbolDefinitions: Record<string, string[]> = {}
  for (const { symbol } of lookups.symbols) {
    const n = Number(/\d+/.exec(symbol)?.[0] ?? 0)
    symbolDefinitions[symbol] = n % 2 === 0 ? [`src/module-${n}.ts`] : []
  }
  return {
    repo: REPO,
    requested: issues.map(issue => issue.number),
    issues,
    inFlight: [],
    pathsAtBase,
    symbolDefinitions,
    numberedPaths: config.numberedPaths.map(pattern => ({
      pattern,
      present: true,
      highest: 12,
      width: 4
    }))
  }
}

const count = Number(process.argv[2] ?? 1000)
const facts = syntheticFacts(count)
const config = defaultWaveConfig()
const rssBefore = process.memoryUsage().rss
const started = performance.now()
const plan = sealPlan(planWave(facts, config))
const planMs = performance.now() - started
console.log(
  JSON.stringify({
    issues: count,
    planMs,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    rssBeforePlanningBytes: rssBefore,
    groups: plan.groups.length,
    findings: plan.findings.length,
    skips: plan.skips.length,
    sequenceEdges: plan.sequence.length
  })
)
