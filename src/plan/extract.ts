/**
 * What an issue body names: file paths, code symbols, task lists, references to other issues, and
 * what the author means to do with the things named. Plain heuristics over text, meant to be
 * explainable in one sentence each, because their results end up as evidence in a plan.
 */

/** Extensions that make a single word (`README.md`, `config.ts`) count as a file name. */
const KNOWN_EXTENSIONS = new Set([
  'c',
  'cc',
  'cfg',
  'cjs',
  'conf',
  'cpp',
  'cs',
  'css',
  'cts',
  'dart',
  'ex',
  'exs',
  'go',
  'gradle',
  'graphql',
  'h',
  'hpp',
  'html',
  'ini',
  'java',
  'js',
  'json',
  'jsx',
  'kt',
  'kts',
  'lock',
  'lua',
  'md',
  'mdx',
  'mjs',
  'mts',
  'php',
  'pl',
  'proto',
  'ps1',
  'py',
  'rb',
  'rs',
  'sass',
  'scala',
  'scss',
  'sh',
  'sql',
  'svelte',
  'swift',
  'tf',
  'toml',
  'ts',
  'tsx',
  'txt',
  'vue',
  'xml',
  'yaml',
  'yml',
  'zsh'
])

/** Slash-joined words of ordinary prose, never paths. */
const PROSE_SLASHES = new Set([
  'and/or',
  'either/or',
  'i/o',
  'input/output',
  'n/a',
  'on/off',
  'read/write',
  'true/false',
  'w/o',
  'yes/no'
])

/** Words in backticks that are language keywords or literals, not symbols worth looking up. */
const NOT_SYMBOLS = new Set([
  'async',
  'await',
  'boolean',
  'class',
  'const',
  'def',
  'else',
  'export',
  'false',
  'function',
  'import',
  'let',
  'none',
  'null',
  'number',
  'object',
  'return',
  'self',
  'string',
  'this',
  'true',
  'undefined',
  'var',
  'void'
])

const FENCE = /^\s*(?:```|~~~)/

/** The body's lines outside fenced code blocks (fence lines dropped too). */
function proseLines(body: string): string[] {
  const lines: string[] = []
  let inFence = false
  for (const line of body.split(/\r?\n/)) {
    if (FENCE.test(line)) inFence = !inFence
    else if (!inFence) lines.push(line)
  }
  return lines
}

/** The body without its fence lines (fenced contents kept: stack traces name files). */
function withoutFenceLines(body: string): string {
  return body
    .split(/\r?\n/)
    .filter(line => !FENCE.test(line))
    .join('\n')
}

const INLINE_CODE = /(`+)([^`]+?)\1/g

function uniqueInOrder<T>(items: Iterable<T>): T[] {
  return [...new Set(items)]
}

/**
 * Normalizes one candidate word into a repository path, or returns null when it is not one: URLs,
 * mentions, prose such as `and/or`, and words without a slash or a known extension are refused;
 * `./`, a leading `/`, a trailing `/` and line anchors (`:12`, `#L12`) are removed.
 */
export function asRepositoryPath(word: string): string | null {
  let path = word.trim().replace(/^["'(<[{]+/, '')
  path = path.replace(/[)"'>\]},.;:!?]+$/, '')
  if (path.includes('://') || /^(?:www\.|mailto:)/i.test(path) || path.includes('@')) return null
  path = path
    .replace(/#L\d+(?:-L?\d+)?$/, '')
    .replace(/:\d+(?::\d+)?$/, '')
    .replace(/^\.\//, '')
    .replace(/^\/+/, '')
    .replace(/\/+$/, '')
  if (!/^[\w.*+-]+(?:\/[\w.*+-]+)*$/.test(path) || !/[A-Za-z]/.test(path)) return null
  const segments = path.split('/')
  if (segments.some(segment => segment === '.' || segment === '..')) return null
  if (PROSE_SLASHES.has(path.toLowerCase())) return null
  const last = segments[segments.length - 1] ?? ''
  const dot = last.lastIndexOf('.')
  const extension = dot > 0 ? last.slice(dot + 1).toLowerCase() : ''
  if (KNOWN_EXTENSIONS.has(extension)) return path
  return segments.length >= 2 ? path : null
}

/**
 * The file paths an issue body names, in order of first appearance: words with a slash
 * (`src/config.ts`, `docs/adr/`) or a known extension (`README.md`), in backticks or plain, in
 * prose or in fenced blocks (stack traces name files). URLs are not paths. Whether a path exists
 * is for the caller to check at the base.
 */
export function extractPaths(body: string): string[] {
  const words = withoutFenceLines(body)
    .replace(/`/g, ' ')
    .split(/[\s()[\]<>"',|]+/)
  const paths: string[] = []
  for (const word of words) {
    if (word === '') continue
    const path = asRepositoryPath(word)
    if (path !== null) paths.push(path)
  }
  return uniqueInOrder(paths)
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*(?:(?:\.|::|#)[A-Za-z_$][\w$]*)*$/

/** The symbol a backticked span names (`parseConfig()` → `parseConfig`), or null. */
function asSymbol(span: string): string | null {
  const text = span.trim().replace(/\(\)$/, '')
  if (!IDENTIFIER.test(text)) return null
  if (asRepositoryPath(text) !== null) return null
  const head = symbolHead(text)
  if (head.length < 3 || NOT_SYMBOLS.has(head.toLowerCase())) return null
  return text
}

/** The identifier a symbol is defined by: `UserService` for `UserService.save`. */
export function symbolHead(symbol: string): string {
  return symbol.split(/\.|::|#/)[0] ?? symbol
}

/**
 * The code symbols an issue body names in backticks (`parseConfig`, `UserService.save`,
 * `parseConfig()` → `parseConfig`), in order of first appearance. Paths (`config.ts`), keywords
 * and literals (`null`, `true`), words shorter than three characters and anything in fenced blocks
 * are left out.
 */
export function extractSymbols(body: string): string[] {
  const symbols: string[] = []
  for (const line of proseLines(body)) {
    for (const match of line.matchAll(INLINE_CODE)) {
      const symbol = asSymbol(match[2] ?? '')
      if (symbol !== null) symbols.push(symbol)
    }
  }
  return uniqueInOrder(symbols)
}

/**
 * A POSIX extended regular expression (for `git grep -E`) that matches lines defining the symbol's
 * head identifier in common languages: `function`, `class`, `interface`, `type`, `enum`, `const`,
 * `let`, `var` (JavaScript, TypeScript), `def` (Python, Ruby), `fn`, `struct`, `trait` (Rust),
 * `func` including methods (Go), `module`, `namespace`. `UserService.save` looks up `UserService`.
 */
export function symbolDefinitionPattern(symbol: string): string {
  const name = symbolHead(symbol).replace(/\$/g, '\\$')
  const after = '([^[:alnum:]_$]|$)'
  const keywords =
    '(function|class|interface|type|enum|const|let|var|def|fn|func|struct|trait|module|namespace)'
  const declared = `(^|[^[:alnum:]_$.])${keywords}[[:space:]]*\\*?[[:space:]]+${name}${after}`
  const goMethod = `(^|[^[:alnum:]_$])func[[:space:]]*\\([^)]*\\)[[:space:]]*${name}${after}`
  return `${declared}|${goMethod}`
}

/** An item of a task list that references an issue of the same repository. */
export interface TaskListRef {
  number: number
  /** Checked (`- [x]`): the task is done. */
  done: boolean
}

const TASK_ITEM = /^\s*(?:[-*+]|\d+[.)])\s+\[([ xX])\]\s+(.*)$/

function escapeForRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** A pattern for a reference to an issue of `repo` at the start of `text`, capturing the number. */
function referencePatterns(repo: string): RegExp[] {
  const name = escapeForRegExp(repo)
  return [
    /^#(\d+)\b/,
    new RegExp(`^${name}#(\\d+)\\b`, 'i'),
    new RegExp(`^https?://[^/\\s]+/${name}/(?:issues|pull)/(\\d+)\\b`, 'i')
  ]
}

/**
 * The task-list items that reference an issue of the same repository (`repo` is `owner/name`):
 * `- [ ] #12`, `* [x] owner/name#12`, `1. [ ] https://github.com/owner/name/issues/12`, with the
 * reference first in the item. Items referencing other repositories are ignored.
 */
export function extractTaskListRefs(body: string, repo: string): TaskListRef[] {
  const patterns = referencePatterns(repo)
  const refs: TaskListRef[] = []
  const seen = new Set<number>()
  for (const line of proseLines(body)) {
    const item = TASK_ITEM.exec(line)
    if (item === null) continue
    const text = (item[2] ?? '').trim()
    for (const pattern of patterns) {
      const number = Number(pattern.exec(text)?.[1] ?? Number.NaN)
      if (Number.isSafeInteger(number) && number > 0 && !seen.has(number)) {
        seen.add(number)
        refs.push({ number, done: item[1] !== ' ' })
        break
      }
    }
  }
  return refs
}

/** Prose with inline code blanked, so references inside code are not taken for mentions. */
function proseWithoutCode(body: string): string {
  return proseLines(body)
    .map(line => line.replace(INLINE_CODE, ' '))
    .join('\n')
}

function referenceMentions(repo: string): RegExp {
  const name = escapeForRegExp(repo)
  return new RegExp(
    `(?<![\\w&/#])(?:${name})?#(\\d+)\\b|https?://[^/\\s]+/${name}/(?:issues|pull)/(\\d+)\\b`,
    'gi'
  )
}

/**
 * The issues of the same repository a body mentions (`#12`, `owner/name#12`, an issue URL), in
 * order of first appearance. Mentions inside code, HTML entities (`&#38;`) and other repositories'
 * references are ignored.
 */
export function extractCrossRefs(body: string, repo: string): number[] {
  const numbers: number[] = []
  for (const match of proseWithoutCode(body).matchAll(referenceMentions(repo))) {
    const number = Number(match[1] ?? match[2])
    if (Number.isSafeInteger(number) && number > 0) numbers.push(number)
  }
  return uniqueInOrder(numbers)
}

const DEPENDENCY =
  /\b(?:depends on|depend on|blocked by|requires|needs|builds on|build on|after merging)\s+$/i

/**
 * The issues a body says it depends on: a mention right after "depends on", "blocked by",
 * "requires", "needs", "builds on" or "after merging" (`Depends on #12`).
 */
export function extractDependencies(body: string, repo: string): number[] {
  const text = proseWithoutCode(body)
  const numbers: number[] = []
  for (const match of text.matchAll(referenceMentions(repo))) {
    const start = match.index ?? 0
    const before = text.slice(Math.max(0, start - 40), start)
    const number = Number(match[1] ?? match[2])
    if (DEPENDENCY.test(before) && Number.isSafeInteger(number) && number > 0) numbers.push(number)
  }
  return uniqueInOrder(numbers)
}

/** Whether an issue means to take a thing away or to keep working with it. */
export type Intent = 'remove' | 'build-on'

/** A path or symbol a body names together with a verb that says what to do with it. */
export interface IntentMention {
  target: string
  targetKind: 'path' | 'symbol'
  intent: Intent
  /** The verb as written (`Remove`, `builds on`), for the evidence. */
  verb: string
}

const REMOVE_VERBS =
  /^(?:remov(?:e|es|ed|ing|al)|delet(?:e|es|ed|ing|ion)|drop(?:s|ped|ping)?|renam(?:e|es|ed|ing)|replac(?:e|es|ed|ing|ement)|deprecat(?:e|es|ed|ing|ion)|retir(?:e|es|ed|ing))$/
const BUILD_VERBS =
  /^(?:add(?:s|ed|ing)?|extend(?:s|ed|ing)?|us(?:e|es|ed|ing)|reus(?:e|es|ed|ing)|call(?:s|ed|ing)?|wrap(?:s|ped|ping)?|keep(?:s|ing)?|updat(?:e|es|ed|ing)|modif(?:y|ies|ied|ying)|chang(?:e|es|ed|ing)|improv(?:e|es|ed|ing)|fix(?:es|ed|ing)?|refactor(?:s|ed|ing)?)$/
/** Verbs that need "on" or "upon" after them to mean building on something. */
const BUILD_ON_VERBS = /^(?:build(?:s|ing)?|built|rel(?:y|ies|ying|ied)|depend(?:s|ed|ing)?)$/
const NEGATIONS = /^(?:not|don't|dont|never|without|no)$/
const ARTICLES = /^(?:a|an|the|this|that|its|their)$/
/** Words that do not count towards the distance between a verb and its object. */
const TRANSPARENT = /^(?:a|an|the|and|or|also|both|all|its|their|this|that|these|those)$/
/** Prepositions after which a target is a place or a replacement, not what the verb acts on. */
const BLOCKS_REMOVE = /^(?:from|in|into|inside|within|to|with|by|for|than|instead)$/
const BLOCKS_BUILD = /^(?:from|with|instead|than|without)$/
/** How many counted words may stand between a verb and its object. */
const REACH: Record<Intent, number> = { remove: 2, 'build-on': 4 }

type Token =
  | { kind: 'target'; target: string; targetKind: 'path' | 'symbol' }
  | { kind: 'word'; word: string; raw: string }

function tokenize(sentence: string): Token[] {
  const tokens: Token[] = []
  const parts = sentence.split(/(`+[^`]+?`+)/)
  for (const part of parts) {
    if (part.startsWith('`')) {
      const inner = part.replace(/^`+|`+$/g, '')
      const symbol = asSymbol(inner)
      const path = symbol === null ? asRepositoryPath(inner) : null
      if (symbol !== null) tokens.push({ kind: 'target', target: symbol, targetKind: 'symbol' })
      else if (path !== null) tokens.push({ kind: 'target', target: path, targetKind: 'path' })
      continue
    }
    for (const raw of part.split(/\s+/)) {
      if (raw === '') continue
      const path = asRepositoryPath(raw)
      if (path !== null) tokens.push({ kind: 'target', target: path, targetKind: 'path' })
      else tokens.push({ kind: 'word', raw, word: raw.toLowerCase().replace(/[^\w']/g, '') })
    }
  }
  return tokens
}

interface ActiveVerb {
  intent: Intent
  verb: string
  distance: number
}

/** A word as written, without the markup or punctuation around it. */
function asWritten(raw: string): string {
  return raw.replace(/[^\w']/g, '')
}

/** The verb a word starts (with the next word for "build on"), or null. */
function verbAt(tokens: Token[], index: number): ActiveVerb | null {
  const token = tokens[index]
  if (token?.kind !== 'word') return null
  const verb = asWritten(token.raw)
  if (REMOVE_VERBS.test(token.word)) return { intent: 'remove', verb, distance: 0 }
  if (BUILD_VERBS.test(token.word)) return { intent: 'build-on', verb, distance: 0 }
  const next = tokens[index + 1]
  if (BUILD_ON_VERBS.test(token.word) && next?.kind === 'word' && /^(?:on|upon)$/.test(next.word)) {
    return { intent: 'build-on', verb: `${verb} ${asWritten(next.raw)}`, distance: -1 }
  }
  return null
}

function mentionsIn(sentence: string): IntentMention[] {
  const tokens = tokenize(sentence)
  const mentions: IntentMention[] = []
  let active: ActiveVerb | null = null
  tokens.forEach((token, index) => {
    if (token.kind === 'target') {
      if (active !== null && active.distance <= REACH[active.intent]) {
        mentions.push({
          target: token.target,
          targetKind: token.targetKind,
          intent: active.intent,
          verb: active.verb
        })
        active.distance = 0
      }
      return
    }
    const previous = tokens[index - 1]
    const afterArticle = previous?.kind === 'word' && ARTICLES.test(previous.word)
    // "the deprecated `x`" describes x; it does not ask to deprecate it.
    const verb = afterArticle && token.word.endsWith('ed') ? null : verbAt(tokens, index)
    if (verb !== null) {
      const negated = previous?.kind === 'word' && NEGATIONS.test(previous.word)
      active = negated ? null : verb
      return
    }
    if (active === null || token.word === '' || TRANSPARENT.test(token.word)) return
    const blocks = active.intent === 'remove' ? BLOCKS_REMOVE : BLOCKS_BUILD
    if (blocks.test(token.word)) active = null
    else active.distance += 1
  })
  return mentions
}

/**
 * What a body means to do with the paths and symbols it names, sentence by sentence: a target
 * takes the intent of the closest verb before it — remove, delete, drop, rename, replace,
 * deprecate, retire (`remove`) or add, extend, use, reuse, call, wrap, keep, update, modify,
 * change, improve, fix, refactor, build on, rely on, depend on (`build-on`) — when at most two
 * (remove) or four (build-on) other words stand between them, not counting articles and "and";
 * a list of targets shares one verb. A preposition breaks the link (in "remove dead code from
 * `a.ts`", `a.ts` is not removed), and so does a negation before the verb ("do not remove"); a
 * participle after an article describes rather than asks ("extend the deprecated `x`").
 */
export function extractIntent(body: string): IntentMention[] {
  const mentions: IntentMention[] = []
  const seen = new Set<string>()
  for (const line of proseLines(body)) {
    for (const sentence of line.split(/[.!?;:](?=\s|$)/)) {
      for (const mention of mentionsIn(sentence)) {
        const key = `${mention.intent}\u0000${mention.targetKind}\u0000${mention.target}`
        if (!seen.has(key)) {
          seen.add(key)
          mentions.push(mention)
        }
      }
    }
  }
  return mentions
}
