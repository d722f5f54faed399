/** The Clock port over the system clock and timers. */
import { setTimeout as delay } from 'node:timers/promises'
import type { Clock } from '../ports.js'

/** The real time, and sleeps on the event loop's timers. */
export class SystemClock implements Clock {
  now(): Date {
    return new Date()
  }

  async sleep(ms: number): Promise<void> {
    await delay(Math.max(0, ms))
  }
}
