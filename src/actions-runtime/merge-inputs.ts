/**
 * The merge action's own inputs: which PRs, the merge method and whether to delete branches. The
 * method and branch deletion stay null when empty, so the wave config decides.
 */
import { MERGE_INPUTS } from '../action-io.js'
import { InputError, booleanInput, type InputReader } from './inputs.js'

/** The merge inputs as read; null means "not given". */
export interface MergeInputs {
  prs: number[] | null
  method: 'squash' | 'merge' | 'rebase' | null
  deleteBranch: boolean | null
}

const METHODS = ['squash', 'merge', 'rebase'] as const

/** Reads the merge inputs; every error names the input, its value and the expected form. */
export function readMergeInputs(read: InputReader): MergeInputs {
  const method = read(MERGE_INPUTS.method)
  if (method !== '' && !(METHODS as readonly string[]).includes(method)) {
    throw new InputError(
      `Input '${MERGE_INPUTS.method}': '${method}' is not a merge method. Use 'squash', 'merge' or 'rebase', or leave it empty for the config's.`
    )
  }
  const deleteBranch =
    read(MERGE_INPUTS.deleteBranch) === ''
      ? null
      : booleanInput(read, MERGE_INPUTS.deleteBranch, true)
  return {
    prs: parsePullList(read(MERGE_INPUTS.prs)),
    method: method === '' ? null : (method as MergeInputs['method']),
    deleteBranch
  }
}

/**
 * Parses a list of PR numbers separated by commas, spaces or newlines (`#12` accepted); empty text
 * gives null (every open pipeline PR). Every bad token is named at once.
 */
export function parsePullList(text: string): number[] | null {
  const tokens = text.split(/[\s,]+/).filter(token => token !== '')
  if (tokens.length === 0) return null
  const bad = tokens.filter(token => !/^#?[1-9]\d{0,9}$/.test(token))
  if (bad.length > 0) {
    throw new InputError(
      `Input '${MERGE_INPUTS.prs}': ${bad.map(token => `'${token.slice(0, 40)}'`).join(', ')} ${bad.length === 1 ? 'is not a pull request number' : 'are not pull request numbers'}. Use numbers separated by commas or spaces, e.g. '41, 42', or leave it empty for every open pipeline PR.`
    )
  }
  return [...new Set(tokens.map(token => Number(token.replace('#', ''))))]
}
