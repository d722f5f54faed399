/**
 * `npm run sandbox`: starts the forge with the seeded sample repository, prints one JSON line
 * (`apiUrl`, `gitUrl`, `owner`, `repo`, `tokens`) and serves until SIGINT or SIGTERM, then
 * removes its temporary directory.
 */
import { startEmulator } from './emulator.js'
import { seedSampleRepo } from './seed/index.js'

async function main(): Promise<void> {
  const forge = await startEmulator()
  const repo = await seedSampleRepo(forge)
  const { apiUrl, gitUrl, owner, tokens } = forge
  process.stdout.write(`${JSON.stringify({ apiUrl, gitUrl, owner, repo, tokens })}\n`)
  let stopping = false
  const stop = () => {
    if (stopping) return
    stopping = true
    forge.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`sandbox: could not clean up: ${(error as Error).message}\n`)
        process.exit(1)
      }
    )
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((error: unknown) => {
  process.stderr.write(`sandbox: ${(error as Error).stack ?? String(error)}\n`)
  process.exit(1)
})
