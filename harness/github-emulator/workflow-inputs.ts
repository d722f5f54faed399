/**
 * `workflow_dispatch` as GitHub checks it: the workflow file at the ref must declare the trigger,
 * and the inputs a dispatch sends must be ones it declares, with every required one present and
 * choice and boolean values among those allowed. The run then sees every declared input, with
 * the workflow's defaults filling what the dispatch left out.
 */
import { parseDocument } from 'yaml'
import { ApiError } from './http.js'

/** GitHub's limit on a dispatch's inputs (raised from 10 to 25 in December 2025). */
export const MAX_DISPATCH_INPUTS = 25

type InputType = 'string' | 'boolean' | 'choice' | 'number' | 'environment'

/** One input as `on.workflow_dispatch.inputs.<name>` declares it. */
export interface DeclaredInput {
  type: InputType
  required: boolean
  /** The default as a string, as the run sees it; null when the workflow gives none. */
  default: string | null
  /** A choice input's options. */
  options: string[]
}

/** What a workflow file at a ref says about being dispatched. */
export interface DispatchableWorkflow {
  /** The workflow's `name:`, when it has one. */
  name: string | null
  /** The declared inputs; null when the workflow has no `workflow_dispatch` trigger. */
  inputs: Map<string, DeclaredInput> | null
}

const TYPES: readonly InputType[] = ['string', 'boolean', 'choice', 'number', 'environment']

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null
}

function scalarText(value: unknown): string | null {
  if (typeof value === 'string') return value
  if (typeof value === 'boolean' || typeof value === 'number') return String(value)
  return null
}

function invalidFile(path: string, reason: string): ApiError {
  return new ApiError(422, `Invalid workflow file: ${path}: ${reason}`)
}

function declaredInput(path: string, name: string, spec: unknown): DeclaredInput {
  const fields = record(spec) ?? {}
  const type = (fields.type ?? 'string') as InputType
  if (!TYPES.includes(type))
    throw invalidFile(path, `input '${name}' has type ${JSON.stringify(fields.type)}`)
  const options = Array.isArray(fields.options) ? fields.options.map(o => scalarText(o) ?? '') : []
  return {
    type,
    required: fields.required === true || fields.required === 'true',
    default: scalarText(fields.default),
    options
  }
}

/** The `workflow_dispatch` trigger of `on:` (a name, a list of names, or a map), or undefined. */
function dispatchSpec(on: unknown): unknown {
  if (on === 'workflow_dispatch') return null
  if (Array.isArray(on)) return on.includes('workflow_dispatch') ? null : undefined
  const map = record(on)
  return map && 'workflow_dispatch' in map ? map.workflow_dispatch : undefined
}

/** Reads a workflow file; throws GitHub's "Invalid workflow file" when it cannot be read. */
export function readDispatchableWorkflow(path: string, text: string): DispatchableWorkflow {
  const document = parseDocument(text)
  const problem = document.errors[0]
  if (problem) throw invalidFile(path, problem.message.split('\n')[0] ?? problem.message)
  const workflow = record(document.toJS()) ?? {}
  const name = typeof workflow.name === 'string' ? workflow.name : null
  const spec = dispatchSpec(workflow.on)
  if (spec === undefined) return { name, inputs: null }
  const declared = record(record(spec)?.inputs) ?? {}
  const names = Object.keys(declared)
  if (names.length > MAX_DISPATCH_INPUTS)
    throw invalidFile(
      path,
      `you may only define up to ${MAX_DISPATCH_INPUTS} \`inputs\` for a \`workflow_dispatch\` event`
    )
  return {
    name,
    inputs: new Map(names.map(input => [input, declaredInput(path, input, declared[input])]))
  }
}

/** The dispatch body's `inputs` as strings, checked as GitHub's request schema checks them. */
export function providedInputs(value: unknown): Map<string, string> {
  if (value === undefined || value === null) return new Map()
  const inputs = record(value)
  if (!inputs)
    throw new ApiError(
      422,
      `Invalid request.\n\nFor 'properties/inputs', ${JSON.stringify(value)} is not an object.`
    )
  const entries = Object.entries(inputs)
  if (entries.length > MAX_DISPATCH_INPUTS)
    throw new ApiError(
      422,
      `Invalid request.\n\nNo more than ${MAX_DISPATCH_INPUTS} properties are allowed; ${entries.length} were supplied.`
    )
  return new Map(
    entries.map(([name, raw]) => {
      const text = scalarText(raw)
      if (text === null)
        throw new ApiError(
          422,
          `Invalid request.\n\nFor 'properties/${name}', ${JSON.stringify(raw)} is not a string.`
        )
      return [name, text]
    })
  )
}

function checkValue(name: string, input: DeclaredInput, value: string): void {
  const refuse = (why: string) =>
    new ApiError(422, `Provided value '${value}' for input '${name}' ${why}`)
  if (input.type === 'choice' && !input.options.includes(value))
    throw refuse('not in the list of allowed values')
  if (input.type === 'boolean' && value !== 'true' && value !== 'false')
    throw refuse('is not a valid boolean')
  if (input.type === 'number' && (value.trim() === '' || !Number.isFinite(Number(value))))
    throw refuse('is not a valid number')
}

/**
 * Checks a dispatch's inputs against the declared ones and returns every declared input
 * resolved: the value sent, else the default, else `false` for a boolean and `''` otherwise.
 */
export function resolveInputs(
  declared: ReadonlyMap<string, DeclaredInput>,
  provided: ReadonlyMap<string, string>
): Record<string, string> {
  const unexpected = [...provided.keys()].filter(name => !declared.has(name))
  if (unexpected.length > 0)
    throw new ApiError(422, `Unexpected inputs provided: ${JSON.stringify(unexpected)}`)
  const resolved: Record<string, string> = {}
  for (const [name, input] of declared) {
    const value = provided.get(name) ?? input.default
    if (value === null && input.required)
      throw new ApiError(422, `Required input '${name}' not provided`)
    if (value !== null) checkValue(name, input, value)
    resolved[name] = value ?? (input.type === 'boolean' ? 'false' : '')
  }
  return resolved
}
