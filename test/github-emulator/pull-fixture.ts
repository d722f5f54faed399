/**
 * A forge with the sample repository and a clone of it pushed to with the write token, shared by
 * the pull request tests.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { startEmulator, seedSampleRepo } from '../../harness/github-emulator/index.js'
import type { GitHubEmulator } from '../../harness/github-emulator/index.js'
import type { Client } from './helpers.js'
import { client, gitOk, remoteWithToken, tempDir, waitFor } from './helpers.js'

export const owner = 'octo-org'
export const repo = 'tiny-lib'

export class PullFixture {
  private constructor(
    readonly forge: GitHubEmulator,
    readonly api: Client,
    /** The clone's work tree. */
    readonly dir: string,
    private readonly removeWork: () => Promise<void>
  ) {}

  static async start(): Promise<PullFixture> {
    const forge = await startEmulator()
    await seedSampleRepo(forge)
    const work = await tempDir('forge-pulls-')
    const dir = join(work.path, 'clone')
    const remote = remoteWithToken(forge.cloneUrl(repo), forge.tokens.write)
    await gitOk(work.path, ['clone', '--quiet', remote, dir])
    return new PullFixture(forge, client(forge.apiUrl, forge.tokens.write), dir, work.remove)
  }

  /** Commits an edit of `file` on `branch` (reset to `from`) and pushes it; returns the SHA. */
  async pushChange(
    branch: string,
    from: string,
    file: string,
    edit: (text: string) => string,
    message: string
  ): Promise<string> {
    await gitOk(this.dir, ['fetch', '--quiet', 'origin'])
    await gitOk(this.dir, ['checkout', '--quiet', '-B', branch, from])
    const path = join(this.dir, file)
    const before = await readFile(path, 'utf8').catch(() => '')
    await writeFile(path, edit(before))
    await gitOk(this.dir, ['add', '--all'])
    await gitOk(this.dir, ['commit', '--quiet', '-m', message])
    await gitOk(this.dir, ['push', '--quiet', '--force', 'origin', `HEAD:refs/heads/${branch}`])
    return gitOk(this.dir, ['rev-parse', 'HEAD'])
  }

  /** The PR once GitHub's background mergeability computation has answered. */
  async settledPull(pull_number: number) {
    return waitFor(async () => {
      const { data } = await this.api.rest.pulls.get({ owner, repo, pull_number })
      return data.mergeable === null ? undefined : data
    }, `mergeability of PR #${pull_number}`)
  }

  async close(): Promise<void> {
    await this.forge.close()
    await this.removeWork()
  }
}
