/**
 * `codex-waves status`: the pipeline's open pull requests as a table, read from their ledgers.
 * It needs a forge that outlives the command (GitHub, or a running sandbox at `--api-url`).
 */
import { findLedger } from '../../ledger/index.js'
import { UsageError, stringFlag, type ParsedFlags } from '../options.js'
import { renderStatusTable } from '../render.js'
import { openSession, type CliIo } from '../session.js'

/** Prints the status table; 0 when it could be read. */
export async function statusCommand(
  io: CliIo,
  positionals: readonly string[],
  flags: ParsedFlags
): Promise<number> {
  if (positionals.length > 0) {
    throw new UsageError(`status: unexpected argument '${positionals[0]}'. It takes flags only.`)
  }
  if (stringFlag(flags, 'repo') === undefined) {
    throw new UsageError(
      'status: pass --repo (with GITHUB_TOKEN, and --api-url for a running sandbox forge): an embedded sandbox would be empty.'
    )
  }
  const session = await openSession(io, flags)
  try {
    const { forge, pipelineLogin, description } = session.target
    const pulls = await forge.listOpenPulls({ label: session.config.labels.pullRequest })
    const rows = []
    for (const pull of pulls.sort((a, b) => a.number - b.number)) {
      const found = findLedger(await forge.listComments(pull.number), pipelineLogin)
      rows.push({ pr: pull.number, title: pull.title, ledger: found.ledger, headSha: pull.headSha })
    }
    io.stdout.write(`Open pipeline pull requests of ${description}: ${rows.length}\n`)
    if (rows.length > 0) io.stdout.write(`${renderStatusTable(rows)}\n`)
    return 0
  } finally {
    await session.close()
  }
}
