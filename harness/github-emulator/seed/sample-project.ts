/**
 * The sample repository the demo forge starts with: a tiny dependency-free Node library with
 * `node --test` tests, project rules, an ADR, a migration and a CI workflow, so every phase has
 * real files to read, change and test.
 */

const packageJson = `{
  "name": "tiny-lib",
  "version": "1.0.0",
  "description": "Small string and number helpers.",
  "type": "module",
  "main": "src/index.js",
  "scripts": {
    "test": "node --test"
  },
  "license": "MIT"
}
`

const strings = `/** Lower-case words joined by dashes: "Hello, World" -> "hello-world". */
export function slugify(text) {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
}

/** The text with its first letter in upper case. */
export function capitalize(text) {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
`

const numbers = `/** The sum of a list of numbers. */
export function sum(values) {
  return values.reduce((total, value) => total + value, 0)
}

/** The arithmetic mean of a list of numbers. */
export function mean(values) {
  return sum(values) / values.length
}
`

const index = `export { slugify, capitalize } from './strings.js'
export { sum, mean } from './numbers.js'
`

const stringsTest = `import { test } from 'node:test'
import assert from 'node:assert/strict'
import { capitalize, slugify } from '../src/strings.js'

test('slugify joins lower-case words with dashes', () => {
  assert.equal(slugify('Hello, World'), 'hello-world')
})

test('capitalize upper-cases the first letter only', () => {
  assert.equal(capitalize('tiny lib'), 'Tiny lib')
})
`

const numbersTest = `import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mean, sum } from '../src/numbers.js'

test('sum adds every value', () => {
  assert.equal(sum([1, 2, 3]), 6)
})

test('mean divides the sum by the count', () => {
  assert.equal(mean([2, 4]), 3)
})
`

const agents = `# Rules for this repository

- Plain JavaScript (ES modules), no dependencies.
- Every exported function has a one-line doc comment and a test in \`test/\`.
- Run \`npm test\` before finishing; it must pass.
- Commit messages follow Conventional Commits (\`feat:\`, \`fix:\`, \`docs:\`, \`refactor:\`).
- Architecture decisions go in \`docs/adr/NNNN-title.md\`, numbered in sequence.
- Schema changes go in \`migrations/NNNN_description.sql\`, numbered in sequence, never edited once merged.
`

const adr = `# 1. Record architecture decisions

Date: 2024-01-15

## Status

Accepted

## Context

We need to remember why the library is shaped the way it is.

## Decision

We record each significant decision as a numbered file in \`docs/adr/\`.

## Consequences

New decisions take the next free number.
`

const migration = `-- Users of the example service that consumes this library.
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL
);
`

const ci = `name: ci
on:
  push:
    branches: [main]
  pull_request:
  workflow_dispatch:
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npm test
`

const readme = `# tiny-lib

Small string and number helpers. Run the tests with \`npm test\`.
`

/** Path → content of the sample repository's first commit. */
export const SAMPLE_PROJECT_FILES: Readonly<Record<string, string>> = {
  'package.json': packageJson,
  'README.md': readme,
  'AGENTS.md': agents,
  'src/index.js': index,
  'src/strings.js': strings,
  'src/numbers.js': numbers,
  'test/strings.test.js': stringsTest,
  'test/numbers.test.js': numbersTest,
  'docs/adr/0001-record-architecture-decisions.md': adr,
  'migrations/0001_create_users.sql': migration,
  '.github/workflows/ci.yml': ci
}
