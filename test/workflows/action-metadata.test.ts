/**
 * Each action.yml read by GitHub's own action parser: valid against the action schema, a node24
 * action with the declared inputs. (actionlint checks workflows only; `npm run actionlint` runs the
 * same parser over these files.)
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { NoOperationTraceWriter } from '@actions/workflow-parser'
import { convertActionTemplate, parseAction } from '@actions/workflow-parser/actions/index'
import { ACTION_IO } from '../../src/action-io.js'

async function readAction(name: string, content: string) {
  const parsed = parseAction({ name, content }, new NoOperationTraceWriter())
  const errors = parsed.context.errors.getErrors().map(error => error.message)
  const template = parsed.value
    ? await convertActionTemplate(parsed.context, parsed.value)
    : undefined
  return { errors, template }
}

it.each(Object.keys(ACTION_IO))('actions/%s/action.yml is a valid node24 action', async name => {
  const file = join('actions', name, 'action.yml')
  const { errors, template } = await readAction(file, readFileSync(file, 'utf8'))
  expect(errors).toEqual([])
  expect(template?.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
  expect(template?.inputs?.map(input => input.id).sort()).toEqual(
    (Object.values(ACTION_IO[name as keyof typeof ACTION_IO].inputs) as string[]).sort()
  )
})

it('reports a malformed action.yml, so a valid result above means something', async () => {
  const { errors } = await readAction(
    'broken.yml',
    'name: broken\ndescription: x\nruns:\n  using: node24\n'
  )
  expect(errors.join('\n')).toMatch(/broken\.yml \(Line: 4.*\bmain\b/)
})
