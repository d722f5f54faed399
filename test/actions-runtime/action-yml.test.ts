import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { ACTION_IO } from '../../src/action-io.js'

interface ActionMetadata {
  inputs: Record<string, { description: string; default?: string; required?: boolean }>
  outputs: Record<string, { description: string }>
  runs: { using: string; main: string }
}

describe.each(Object.entries(ACTION_IO))('actions/%s/action.yml', (name, io) => {
  const metadata = parse(
    readFileSync(join(process.cwd(), 'actions', name, 'action.yml'), 'utf8')
  ) as ActionMetadata

  it('declares exactly the inputs and outputs the code reads and writes', () => {
    expect(Object.keys(metadata.inputs).sort()).toEqual(Object.values(io.inputs).sort())
    expect(Object.keys(metadata.outputs).sort()).toEqual(Object.values(io.outputs).sort())
  })

  it('describes every input and output', () => {
    for (const entry of [...Object.values(metadata.inputs), ...Object.values(metadata.outputs)]) {
      expect(entry.description.length).toBeGreaterThan(10)
    }
  })

  it('runs its bundle on node24 with the runner token as the default token', () => {
    expect(metadata.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
    expect(metadata.inputs['github-token']?.default).toBe('${{ github.token }}')
  })
})
