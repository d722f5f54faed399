/**
 * Stand-ins for the two third-party actions the pipeline's workflows use, doing what they do
 * against the forge: `actions/checkout` clones the ref with the job's token (honouring `ref`,
 * `path`, `fetch-depth`, `sparse-checkout` and `persist-credentials`), and
 * `actions/create-github-app-token` mints an installation token with the permissions asked.
 */
import { mkdir, rm } from 'node:fs/promises'
import { isAbsolute, relative, resolve } from 'node:path'
import { runGit } from '../github-emulator/git.js'
import { InvalidWorkflow, UnsupportedConstruct, type WorkflowPlace } from './errors.js'
import type { JobSetup } from './job-setup.js'
import { resultOf, type StepResult } from './step-process.js'

/** A GitHub App installation token, as the forge mints it. */
export interface InstallationToken {
  token: string
  slug: string
  installationId: number
}

/** What the stand-ins need from the engine. */
export interface StandInHost {
  /** The repository's git URL on the forge. */
  cloneUrl: string
  /** The App the repository's variables name (its id and private key), or null when there is none. */
  app: { id: string; privateKey: string } | null
  mintInstallationToken(permissions: Record<string, string>): Promise<InstallationToken>
}

const CHECKOUT_INPUTS = new Set([
  'repository',
  'ref',
  'token',
  'path',
  'fetch-depth',
  'persist-credentials',
  'sparse-checkout',
  'sparse-checkout-cone-mode',
  'clean',
  'fetch-tags',
  'show-progress'
])

function authHeader(token: string): string {
  return `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`
}

async function git(dir: string, args: string[], token?: string): Promise<string> {
  const auth = token === undefined ? [] : ['-c', `http.extraheader=${authHeader(token)}`]
  const result = await runGit(dir, [...auth, ...args])
  if (result.code !== 0) {
    throw new Error(`git ${args[0]} failed (exit ${result.code}): ${result.stderr.trim()}`)
  }
  return result.stdout.trim()
}

/** The refspecs to fetch and what to check out, by the rules of `actions/checkout`. */
function checkoutPlan(setup: JobSetup, ref: string, depth: number) {
  const run = setup.run
  const wanted = ref === '' ? run.ref : ref
  const isSha = /^[0-9a-f]{40}$/.test(wanted)
  // A pull request's merge ref, or any ref but a branch, is checked out detached.
  const detached = isSha || (wanted.startsWith('refs/') && !wanted.startsWith('refs/heads/'))
  const branch = detached ? null : wanted.replace(/^refs\/heads\//, '')
  // With no ref, the exact commit of the event on its branch.
  const commit = ref === '' ? run.sha : isSha ? wanted : null
  if (branch === null && commit === null) throw new Error(`cannot check out '${wanted}'`)
  const refspecs =
    depth === 0
      ? ['+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*']
      : [commit ?? `+refs/heads/${branch}:refs/remotes/origin/${branch}`]
  return { branch, commit, refspecs }
}

/** Where a checkout goes, refusing what `actions/checkout` would not do here. */
function checkoutTarget(setup: JobSetup, inputs: Record<string, string>, place: WorkflowPlace) {
  const unknown = Object.keys(inputs).filter(name => !CHECKOUT_INPUTS.has(name))
  if (unknown.length > 0) {
    throw new UnsupportedConstruct(place, `actions/checkout's '${unknown.join("', '")}'`)
  }
  const repository = inputs.repository || setup.run.repository
  if (repository !== setup.run.repository) {
    throw new UnsupportedConstruct(place, `checking out another repository ('${repository}')`)
  }
  const target = resolve(setup.workspace, inputs.path ?? '.')
  const inside = relative(setup.workspace, target)
  if (inside.startsWith('..') || isAbsolute(inside)) {
    throw new InvalidWorkflow(place, `checkout path '${inputs.path}' is outside the workspace`)
  }
  return { target, inside: inside || '.' }
}

/** Fetches into a fresh repository at `target` and checks out what the plan says. */
async function fetchAndCheckOut(
  target: string,
  host: StandInHost,
  inputs: Record<string, string>,
  token: string,
  plan: ReturnType<typeof checkoutPlan> & { depth: number }
): Promise<void> {
  await rm(target, { recursive: true, force: true })
  await mkdir(target, { recursive: true })
  await git(target, ['init', '--quiet'])
  await git(target, ['remote', 'add', 'origin', host.cloneUrl])
  const shallow = plan.depth > 0 ? [`--depth=${plan.depth}`] : []
  const fetch = ['fetch', '--quiet', '--no-tags', ...shallow, 'origin', ...plan.refspecs]
  await git(target, fetch, token)
  const sparse = (inputs['sparse-checkout'] ?? '')
    .split('\n')
    .map(line => line.trim())
    .filter(Boolean)
  if (sparse.length > 0) {
    const cone = inputs['sparse-checkout-cone-mode'] !== 'false'
    await git(target, ['sparse-checkout', 'set', ...(cone ? [] : ['--no-cone']), ...sparse])
  }
  const start = plan.commit ?? `refs/remotes/origin/${plan.branch}`
  const onto = plan.branch === null ? ['--detach', start] : ['-B', plan.branch, start]
  await git(target, ['checkout', '--quiet', '--force', ...onto])
  if (inputs['persist-credentials'] !== 'false') {
    const key = `http.${new URL(host.cloneUrl).origin}/.extraheader`
    await git(target, ['config', '--local', key, authHeader(token)])
  }
}

/** `actions/checkout`. */
export async function checkout(
  setup: JobSetup,
  host: StandInHost,
  inputs: Record<string, string>,
  place: WorkflowPlace
): Promise<StepResult> {
  const { target, inside } = checkoutTarget(setup, inputs, place)
  const depth = Number(inputs['fetch-depth'] ?? '1')
  try {
    const plan = { ...checkoutPlan(setup, inputs.ref ?? '', depth), depth }
    await fetchAndCheckOut(target, host, inputs, inputs.token || setup.token, plan)
    const commit = await git(target, ['rev-parse', 'HEAD'])
    const shown = plan.branch ?? commit
    return resultOf(true, `Checked out ${shown} at ${commit} into ${inside}`, {
      ref: plan.branch ?? '',
      commit
    })
  } catch (error) {
    return resultOf(false, `actions/checkout: ${(error as Error).message}`)
  }
}

/** `actions/create-github-app-token`. */
export async function createAppToken(
  setup: JobSetup,
  host: StandInHost,
  inputs: Record<string, string>
): Promise<StepResult> {
  if (!inputs['app-id'] || !inputs['private-key']) {
    return resultOf(
      false,
      "Input required and not supplied: 'app-id' and 'private-key' must both be set"
    )
  }
  if (
    host.app === null ||
    inputs['app-id'] !== host.app.id ||
    inputs['private-key'] !== host.app.privateKey
  ) {
    return resultOf(
      false,
      `Failed to create token for "${setup.run.repository}": the app id or private key is not the App's`
    )
  }
  const permissions: Record<string, string> = {}
  for (const [name, value] of Object.entries(inputs)) {
    if (name.startsWith('permission-') && value !== '')
      permissions[name.slice('permission-'.length)] = value
  }
  const minted = await host.mintInstallationToken(permissions)
  setup.masks.add(minted.token)
  return resultOf(true, `Created an installation token for ${minted.slug}[bot]`, {
    token: minted.token,
    'installation-id': String(minted.installationId),
    'app-slug': minted.slug
  })
}
