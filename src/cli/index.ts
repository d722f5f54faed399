#!/usr/bin/env node
/** The `codex-waves` executable: runs the command line and hands its exit code to Node. */
import { main } from './main.js'

process.exitCode = await main(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr
})
