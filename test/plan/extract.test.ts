import {
  extractCrossRefs,
  extractDependencies,
  extractIntent,
  extractPaths,
  extractSymbols,
  extractTaskListRefs,
  symbolDefinitionPattern
} from '../../src/plan/index.js'
import { TempRepo } from './scenario-repo.js'

describe('extractPaths', () => {
  test('takes words with a slash or a known extension, in backticks or plain', () => {
    const body = 'The loader in src/config.ts and `lib/util/strings.js` break; see README.md.'
    expect(extractPaths(body)).toEqual(['src/config.ts', 'lib/util/strings.js', 'README.md'])
  })

  test('keeps directories and globs, without the trailing slash', () => {
    expect(extractPaths('Put it under `docs/adr/` like docs/adr/*.md says')).toEqual([
      'docs/adr',
      'docs/adr/*.md'
    ])
  })

  test('drops URLs, prose with slashes, mentions and words without a slash or extension', () => {
    const body =
      'See https://github.com/acme/shop/blob/main/src/a.ts and www.example.com/x.ts, and/or n/a, ' +
      '@acme/team, e.g. version 1.2.3, dates 2025/01/31, and the word config.'
    expect(extractPaths(body)).toEqual([])
  })

  test('strips line anchors, ./ and a leading slash', () => {
    expect(extractPaths('./src/a.ts:12 /src/b.ts#L3-L9 (src/c.ts:4:2)')).toEqual([
      'src/a.ts',
      'src/b.ts',
      'src/c.ts'
    ])
  })

  test('reads fenced blocks too: stack traces name files', () => {
    const body =
      'It crashes:\n```\nTypeError: x is undefined\n    at parse (src/parse.ts:10:5)\n```'
    expect(extractPaths(body)).toEqual(['src/parse.ts'])
  })

  test('refuses parent segments and reports each path once, in order', () => {
    expect(extractPaths('../secret.ts src/a.ts src/../b.ts src/a.ts')).toEqual(['src/a.ts'])
  })
})

describe('extractSymbols', () => {
  test('takes backticked identifiers, dotted names and calls', () => {
    const body =
      'Call `parseConfig()` from `UserService.save`, and `Foo::bar`, not plain parseConfig.'
    expect(extractSymbols(body)).toEqual(['parseConfig', 'UserService.save', 'Foo::bar'])
  })

  test('leaves out paths, keywords, short words, phrases and fenced code', () => {
    const body =
      '`config.ts` `null` `true` `id` `npm test` `a-b`\n```\n`insideFence`\n```\n`kept_one`'
    expect(extractSymbols(body)).toEqual(['kept_one'])
  })
})

describe('extractTaskListRefs', () => {
  test('takes items that start with a reference to the same repository', () => {
    const body = [
      '- [ ] #12',
      '- [x] acme/shop#13 merged already',
      '* [ ] ACME/Shop#14',
      '1. [ ] https://github.com/acme/shop/issues/15',
      '- [ ] other/repo#16',
      '- [ ] see #17 first',
      '- #18 is not a task',
      '```',
      '- [ ] #19',
      '```'
    ].join('\n')
    expect(extractTaskListRefs(body, 'acme/shop')).toEqual([
      { number: 12, done: false },
      { number: 13, done: true },
      { number: 14, done: false },
      { number: 15, done: false }
    ])
  })
})

describe('extractCrossRefs', () => {
  test('takes mentions of the same repository outside code', () => {
    const body =
      'Like #3 and acme/shop#4 and https://github.com/acme/shop/pull/5; not other/repo#6, ' +
      '`#7`, &#38; or page#8. Again #3.'
    expect(extractCrossRefs(body, 'acme/shop')).toEqual([3, 4, 5])
  })
})

describe('extractDependencies', () => {
  test('takes references right after "depends on", "blocked by", "requires" or "needs"', () => {
    const body = 'Depends on #12. Blocked by acme/shop#13. Requires #14. Related to #15. See #16.'
    expect(extractDependencies(body, 'acme/shop')).toEqual([12, 13, 14])
  })
})

describe('extractIntent', () => {
  const intents = (body: string) =>
    extractIntent(body).map(m => `${m.intent} ${m.target} (${m.verb})`)

  test('a removing verb reaches the next target within two words', () => {
    expect(intents('Remove the deprecated `legacyFormat` helper.')).toEqual([
      'remove legacyFormat (Remove)'
    ])
    expect(intents('Delete src/old.ts. Rename `fetchAll` to `fetchPages`.')).toEqual([
      'remove src/old.ts (Delete)',
      'remove fetchAll (Rename)'
    ])
  })

  test('a building verb reaches further, and "build on" counts', () => {
    expect(
      intents('Extend `parseConfig` to accept YAML. Add a retry option to `fetchAll`.')
    ).toEqual(['build-on parseConfig (Extend)', 'build-on fetchAll (Add)'])
    expect(intents('This builds on `Cache.get` for reads.')).toEqual([
      'build-on Cache.get (builds on)'
    ])
  })

  test('a list of targets shares its verb', () => {
    expect(intents('Drop `a1x`, `b2x` and `c3x`.')).toEqual([
      'remove a1x (Drop)',
      'remove b2x (Drop)',
      'remove c3x (Drop)'
    ])
  })

  test('a preposition breaks the link, so a place is not what is removed', () => {
    expect(intents('Remove dead code from src/a.ts. Replace `oldApi` with `newApi`.')).toEqual([
      'remove oldApi (Replace)'
    ])
  })

  test('a negation or an adjective is not a request', () => {
    expect(intents('Do not remove `keepMe`. Extend the deprecated `legacyX` helper.')).toEqual([
      'build-on legacyX (Extend)'
    ])
  })

  test('the verb is reported without the markup around it', () => {
    expect(intents('**Remove** `legacyX`.')).toEqual(['remove legacyX (Remove)'])
  })
})

describe('symbolDefinitionPattern with git grep -E', () => {
  let repo: TempRepo

  beforeAll(() => {
    repo = new TempRepo({
      'src/config.ts': 'export async function parseConfig(text: string) {}\n',
      'src/service.ts': 'export class UserService {\n  save() {}\n}\n',
      'src/consts.ts': 'export const loadDefaults = () => ({})\n',
      'lib/tool.py': 'def parse_args(argv):\n    pass\n',
      'server/main.go': 'func (s *Server) Start(port int) error { return nil }\n',
      'core/lib.rs': 'pub fn build_index() {}\n',
      'src/uses.ts':
        "import { parseConfig } from './config.js'\nparseConfig('x')\nconst parseConfigLater = 1\n"
    })
  })

  afterAll(() => {
    repo.remove()
  })

  test.each([
    ['parseConfig', ['src/config.ts']],
    ['UserService.save', ['src/service.ts']],
    ['loadDefaults', ['src/consts.ts']],
    ['parse_args', ['lib/tool.py']],
    ['Start', ['server/main.go']],
    ['build_index', ['core/lib.rs']],
    ['missingThing', []]
  ])('%s is defined in %j', (symbol, files) => {
    expect(repo.grep(symbolDefinitionPattern(symbol)).sort()).toEqual(files)
  })
})
