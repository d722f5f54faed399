/**
 * The one place an action turns an error into a failed step: an error annotation that says what to
 * do, and a non-zero exit code set through `@actions/core` (never `process.exit`).
 */
import * as core from '@actions/core'

/** Runs an action's body; a thrown error fails the step with its message. */
export async function runAction(body: () => Promise<void>): Promise<void> {
  try {
    await body()
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error))
  }
}
