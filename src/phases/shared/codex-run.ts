/**
 * One codex run as every phase shows it in the log: a collapsible group with the commands codex
 * ran, the files it changed, its outcome, tokens and duration.
 */
import type { CodexUsageRecord } from '../../contracts/index.js'
import type { Codex, CodexRunRequest, CodexRunResult, StatusEntry, Ui } from '../../ports.js'

/**
 * Runs codex inside a log group titled `title` and logs what the run did. With `workTreeChanges`
 * the changed files are read from git, which also sees what codex's events do not report (a
 * write from a shell command); without it they come from the events.
 */
export async function runCodexInGroup(
  ui: Pick<Ui, 'group' | 'info'>,
  codex: Codex,
  title: string,
  request: CodexRunRequest,
  workTreeChanges?: () => Promise<StatusEntry[]>
): Promise<CodexRunResult> {
  return ui.group(title, async () => {
    const result = await codex.run(request)
    for (const command of result.commands) {
      ui.info(`$ ${command.command} → exit ${command.exitCode ?? 'none'}`)
    }
    if (workTreeChanges) {
      const changes = await workTreeChanges()
      ui.info(`Files changed (${changes.length}):`)
      for (const entry of changes) ui.info(`  ${entry.code} ${entry.path}`)
    } else {
      ui.info(`Files changed: ${result.filesChanged.join(', ') || 'none'}`)
    }
    ui.info(
      `Outcome: ${result.outcome} (thread ${result.threadId ?? 'none'}); tokens in ${result.usage.inputTokens}, out ${result.usage.outputTokens}; ${result.durationMs} ms`
    )
    return result
  })
}

/** A codex run's cost as the ledger records it. */
export function usageOf(result: Pick<CodexRunResult, 'usage' | 'durationMs'>): CodexUsageRecord {
  return {
    inputTokens: result.usage.inputTokens,
    cachedInputTokens: result.usage.cachedInputTokens,
    outputTokens: result.usage.outputTokens,
    durationMs: Math.max(0, Math.round(result.durationMs))
  }
}
