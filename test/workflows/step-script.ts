/**
 * Runs a workflow's `run:` step in bash as the runner would (`bash -e`, `GITHUB_OUTPUT`), with a
 * stand-in `gh` on the PATH that answers from fixtures and logs its arguments. The step's `env:`
 * is given by the test, since its `${{ }}` values are the runner's to fill in.
 */
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { LoadedWorkflow } from './model.js'

/** What the stand-in `gh` answers. */
export interface GhFixtures {
  /** `gh pr list` prints this; `gh pr view N` prints the entry of number N (exit 1 when none). */
  pulls?: unknown[]
  /** `gh api .../collaborators/<login>/permission --jq .permission`: login → permission; absent → 404. */
  permissions?: Record<string, string>
  /** `gh api .../actions/runs/<id>/artifacts --jq ...`: the artifact names. */
  artifacts?: string[]
}

export interface StepResult {
  status: number
  stdout: string
  stderr: string
  outputs: Record<string, string>
  ghCalls: string[][]
}

const FAKE_GH = `#!/usr/bin/env bash
printf '%s\\0' "$@" >> "$FAKE_GH_DIR/calls"
printf '\\n' >> "$FAKE_GH_DIR/calls"
case "$1 $2" in
  "pr list") cat "$FAKE_GH_DIR/pulls.json" ;;
  "pr view")
    jq -e --argjson n "$3" '.[] | select(.number == $n)' "$FAKE_GH_DIR/pulls.json" \\
      || { echo "GraphQL: Could not resolve to a PullRequest with the number of $3." >&2; exit 1; } ;;
  *)
    case "$2" in
      */collaborators/*/permission)
        login=\${2#*/collaborators/}; login=\${login%/permission}
        jq -er --arg login "$login" '.[$login] // empty' "$FAKE_GH_DIR/permissions.json" \\
          || { echo "gh: Not Found (HTTP 404)" >&2; exit 1; } ;;
      */artifacts) cat "$FAKE_GH_DIR/artifacts.txt" ;;
      *) echo "unexpected gh call: $*" >&2; exit 2 ;;
    esac ;;
esac
`

/** The `run:` text of a step, found by job id and step id. */
export function stepScript(workflow: LoadedWorkflow, jobId: string, stepId: string): string {
  const jobs = workflow.yaml.jobs as Record<string, { steps: { id?: string; run?: string }[] }>
  const step = jobs[jobId]?.steps.find(candidate => candidate.id === stepId)
  if (!step?.run) throw new Error(`${workflow.file}: no run step '${stepId}' in job '${jobId}'`)
  return step.run
}

/** Runs the script in a fresh directory with the fixtures behind `gh`. */
export function runStepScript(
  script: string,
  env: Record<string, string>,
  fixtures: GhFixtures
): StepResult {
  const dir = mkdtempSync(join(tmpdir(), 'waves-step-'))
  try {
    const bin = join(dir, 'bin')
    spawnSync('mkdir', [bin])
    writeFileSync(join(bin, 'gh'), FAKE_GH)
    chmodSync(join(bin, 'gh'), 0o755)
    writeFileSync(join(dir, 'pulls.json'), JSON.stringify(fixtures.pulls ?? []))
    writeFileSync(join(dir, 'permissions.json'), JSON.stringify(fixtures.permissions ?? {}))
    writeFileSync(
      join(dir, 'artifacts.txt'),
      (fixtures.artifacts ?? []).map(name => `${name}\n`).join('')
    )
    writeFileSync(join(dir, 'calls'), '')
    writeFileSync(join(dir, 'output'), '')
    const work = mkdtempSync(join(dir, 'work-'))
    const result = spawnSync('bash', ['-e', '-c', script], {
      cwd: work,
      encoding: 'utf8',
      env: {
        PATH: `${bin}:${process.env.PATH ?? ''}`,
        FAKE_GH_DIR: dir,
        GITHUB_OUTPUT: join(dir, 'output'),
        ...env
      }
    })
    const outputs = Object.fromEntries(
      readFileSync(join(dir, 'output'), 'utf8')
        .split('\n')
        .filter(line => line.includes('='))
        .map(line => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])
    )
    const ghCalls = readFileSync(join(dir, 'calls'), 'utf8')
      .split('\n')
      .filter(line => line.length > 0)
      .map(line => line.split('\0').filter(arg => arg.length > 0))
    return {
      status: result.status ?? -1,
      stdout: result.stdout,
      stderr: result.stderr,
      outputs,
      ghCalls
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
