/**
 * The commented `.github/codex-waves.yml` that `codex-waves init` writes: every key with its
 * default value, so the file documents the settings and parses to exactly the default config.
 */
import { CONFIG_PATH } from '../../contracts/index.js'

/** Where init writes the config, relative to the repository root. */
export const CONFIG_TEMPLATE_PATH = CONFIG_PATH

/** The config file's text. */
export const CONFIG_TEMPLATE = `# codex-waves settings. Every key below shows its default; delete a key to keep the default.
# An unknown key is an error that names it. See docs/adopting.md.

labels:
  # An issue labelled with this joins a wave (keep the if: of codex-waves-dispatch.yml in step).
  trigger: codex-waves
  # Set on every pull request the pipeline opens; how it finds its own pull requests.
  pull-request: codex-waves
  # Set when the pipeline stops and asks a person to step in.
  needs-human: 'waves:needs-human'

# The branch waves start from and merge into; null means the repository's default branch.
base: null

branches:
  # Branch type (fix, refactor, feat) chosen by issue labels, checked in that order.
  types:
    fix: [bug, fix]
    refactor: [refactor, refactoring]
    feat: [enhancement, feature]
  # The type of an issue none of whose labels match.
  default-type: feat

# When the plan halts for a person: auto (only when a finding needs a decision), always, never.
confirm: auto

review:
  # should-fix findings: correct (into the correction order) or defer (into the PR comment).
  should-fix: correct
  # nits: defer (into the PR comment) or correct.
  nits: defer
  # Characters of diff the reviewer sees; the rest is cut with a note of what was left out.
  diff-budget: 120000
  # Correction cycles before the pipeline asks a person to step in.
  max-cycles: 3

merge:
  # squash, merge or rebase.
  method: squash
  # Delete each branch once merged.
  delete-branch: true
  # Minutes to wait for CI to start on a head before reporting that it never started.
  ci-start-timeout-minutes: 15
  # A workflow file to start with workflow_dispatch once a wave has merged, e.g. deploy.yml.
  deploy-workflow: null

# Paths where files are numbered in sequence; two issues adding one get their order decided.
numbered-paths:
  - docs/adr/*.md
  - doc/adr/*.md
  - migrations/*
  - db/migrate/*

codex:
  # The model passed to codex with -m; null keeps the runner's codex default.
  model: null
  # Minutes before a codex run is killed, per phase.
  timeout-minutes:
    implement: 45
    review: 20
    correct: 30

# Files from the base branch whose rules go into every prompt, when they exist.
rules-files:
  - AGENTS.md
`
