/**
 * Evaluation of workflow values as the runner does it: every `${{ }}` (which GitHub's parser has
 * already turned into an expression token, `format()` for text around it) is evaluated by GitHub's
 * own expression engine (`@actions/expressions`) over the run's contexts, with the status
 * functions answering from the job's or the step's situation.
 */
import { Evaluator, Lexer, Parser, data } from '@actions/expressions'
import type { FunctionDefinition } from '@actions/expressions/funcs/info'
import { truthy } from '@actions/expressions/result'
import {
  isBasicExpression,
  isBoolean,
  isMapping,
  isNumber,
  isSequence,
  isString
} from '@actions/workflow-parser'
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token'
import { InvalidWorkflow, UnsupportedConstruct, type WorkflowPlace } from './errors.js'
import { splitEmbedded, textOf } from './scalar-text.js'

/** A JSON-like value, as contexts hold them. */
export type Value = string | number | boolean | null | Value[] | { [key: string]: Value }

/** The contexts an expression may read; absent ones are not available where it is evaluated. */
export type Contexts = Partial<
  Record<
    | 'github'
    | 'env'
    | 'vars'
    | 'secrets'
    | 'inputs'
    | 'needs'
    | 'matrix'
    | 'strategy'
    | 'steps'
    | 'job'
    | 'runner',
    Value
  >
>

/** What the status functions answer: `success()`, `failure()`, `cancelled()` (`always()` is true). */
export interface Status {
  success: boolean
  failure: boolean
  cancelled: boolean
}

/** The status of a job or step that nothing has gone wrong for. */
export const ALL_WELL: Status = { success: true, failure: false, cancelled: false }

function statusFunctions(status: Status): FunctionDefinition[] {
  const fn = (name: string, value: boolean): FunctionDefinition => ({
    name,
    description: name,
    minArgs: 0,
    maxArgs: 0,
    call: () => new data.BooleanData(value)
  })
  return [
    fn('success', status.success),
    fn('failure', status.failure),
    fn('cancelled', status.cancelled),
    fn('always', true)
  ]
}

/**
 * The expression's tokens. The package's lexer unescapes only the first `''` of a string literal;
 * GitHub's unescapes every one, so string values are taken again from their lexemes.
 */
function lex(expression: string) {
  const tokens = new Lexer(expression).lex().tokens
  for (const token of tokens) {
    if (typeof token.value === 'string' && token.lexeme.startsWith("'")) {
      token.value = token.lexeme.slice(1, -1).replace(/''/g, "'")
    }
  }
  return tokens
}

function toData(contexts: Contexts): data.Dictionary {
  return JSON.parse(JSON.stringify(contexts), data.reviver) as data.Dictionary
}

function toValue(result: data.ExpressionData): Value {
  return JSON.parse(JSON.stringify(result, data.replacer) ?? 'null') as Value
}

function evaluateData(
  expression: string,
  contexts: Contexts,
  status: Status,
  place: WorkflowPlace
): data.ExpressionData {
  const functions = statusFunctions(status)
  try {
    const ast = new Parser(lex(expression), Object.keys(contexts), functions).parse()
    const table = new Map(functions.map(fn => [fn.name.toLowerCase(), fn]))
    return new Evaluator(ast, toData(contexts), table).evaluate()
  } catch (error) {
    const message = (error as Error).message
    if (/hashFiles/i.test(expression)) {
      throw new UnsupportedConstruct(place, 'hashFiles()')
    }
    throw new InvalidWorkflow(place, `the expression \`${expression}\` fails: ${message}`)
  }
}

/** Evaluates an expression (without `${{ }}`) to a value. */
export function evaluateExpression(
  expression: string,
  contexts: Contexts,
  place: WorkflowPlace,
  status: Status = ALL_WELL
): Value {
  return toValue(evaluateData(expression, contexts, status, place))
}

/** Evaluates an `if:` condition (already carrying its status function) to true or false. */
export function evaluateCondition(
  expression: string,
  contexts: Contexts,
  place: WorkflowPlace,
  status: Status
): boolean {
  return truthy(evaluateData(expression, contexts, status, place))
}

/** Evaluates a workflow value: literals as they are, expressions evaluated, recursively. */
export function evaluateToken(
  token: TemplateToken,
  contexts: Contexts,
  file: string,
  status: Status = ALL_WELL
): Value {
  const place = { file, line: token.line }
  if (isBasicExpression(token)) {
    const text = textOf(token)
    if (text === undefined) return evaluateExpression(token.expression, contexts, place, status)
    return splitEmbedded(text)
      .map(part =>
        'literal' in part
          ? part.literal
          : valueText(evaluateExpression(part.expression, contexts, place, status))
      )
      .join('')
  }
  if (isString(token)) return token.value
  if (isNumber(token)) return token.value
  if (isBoolean(token)) return token.value
  if (isSequence(token)) return [...token].map(item => evaluateToken(item, contexts, file, status))
  if (isMapping(token)) {
    const result: Record<string, Value> = {}
    for (const pair of token) {
      const key = evaluateToken(pair.key, contexts, file, status)
      result[String(key)] = evaluateToken(pair.value, contexts, file, status)
    }
    return result
  }
  if (token.isExpression)
    throw new UnsupportedConstruct(place, `the expression form ${token.typeName()}`)
  return null
}

/** A value as the runner turns it into text (inputs, environment variables, outputs). */
export function valueText(value: Value): string {
  if (value === null) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return JSON.stringify(value, null, 2)
}

/** Evaluates a workflow value to text. */
export function evaluateText(token: TemplateToken, contexts: Contexts, file: string): string {
  return valueText(evaluateToken(token, contexts, file))
}

/** Evaluates a mapping of names to values (`env`, `with`, `outputs`) to text values. */
export function evaluateTextMap(
  token: TemplateToken | null,
  contexts: Contexts,
  file: string
): Record<string, string> {
  if (token === null) return {}
  const value = evaluateToken(token, contexts, file)
  if (value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidWorkflow({ file, line: token.line }, 'expected a mapping of names to values')
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, valueText(item)]))
}
