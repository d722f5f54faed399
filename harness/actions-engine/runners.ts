/**
 * The runners jobs are assigned to: a job runs on a runner that has every label its `runs-on`
 * names, when that runner has room; it waits otherwise, first come first served. A job no runner
 * could ever take fails loudly instead of waiting forever as it would on GitHub.
 */
import type { RunnerSpec } from './job-setup.js'

/** A runner taken for one job: a self-hosted runner with room for several jobs has one slot per job. */
export interface RunnerSlot {
  spec: RunnerSpec
  slot: number
}

interface Waiting {
  labels: string[]
  take: (slot: RunnerSlot) => void
}

/** The runner pool of an engine. */
export class RunnerPool {
  private readonly busy = new Map<string, Set<number>>()
  private readonly queue: Waiting[] = []

  constructor(private readonly runners: readonly RunnerSpec[]) {}

  private fits(runner: RunnerSpec, labels: readonly string[]): boolean {
    const own = new Set(runner.labels.map(label => label.toLowerCase()))
    return labels.every(label => own.has(label.toLowerCase()))
  }

  private free(runner: RunnerSpec): boolean {
    return (this.busy.get(runner.name)?.size ?? 0) < (runner.capacity ?? 1)
  }

  /** Whether any runner has all `labels`. */
  serves(labels: readonly string[]): boolean {
    return this.runners.some(runner => this.fits(runner, labels))
  }

  /** Waits for a runner with all `labels` and takes it. */
  acquire(labels: readonly string[]): Promise<RunnerSlot> {
    return new Promise(take => {
      this.queue.push({ labels: [...labels], take })
      this.assign()
    })
  }

  /** Hands a runner back after its job. */
  release(taken: RunnerSlot): void {
    this.busy.get(taken.spec.name)?.delete(taken.slot)
    this.assign()
  }

  private assign(): void {
    for (let i = 0; i < this.queue.length;) {
      const waiting = this.queue[i]!
      const runner = this.runners.find(
        candidate => this.fits(candidate, waiting.labels) && this.free(candidate)
      )
      if (runner === undefined) {
        i += 1
        continue
      }
      this.queue.splice(i, 1)
      const slots = this.busy.get(runner.name) ?? new Set<number>()
      this.busy.set(runner.name, slots)
      let slot = 1
      while (slots.has(slot)) slot += 1
      slots.add(slot)
      waiting.take({ spec: runner, slot })
    }
  }
}
