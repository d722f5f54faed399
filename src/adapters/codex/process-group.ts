/**
 * Ending a whole process group: codex runs as a node wrapper around a native binary, which runs
 * the agent's shells, and killing only the first of them orphans the rest.
 */
import { readdir, readFile } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'

const POLL_MS = 50

/**
 * Pids of the group's living members. On Linux it reads `/proc` and skips zombies (an orphaned
 * zombie is dead but still counts for `kill(-pgid, 0)` until its new parent reaps it); elsewhere
 * it can only tell whether any member exists, and answers with the group id.
 */
export async function livingGroupMembers(pgid: number): Promise<number[]> {
  if (process.platform === 'linux') {
    try {
      return await livingGroupMembersFromProc(pgid)
    } catch {
      // /proc may be hidden; fall through to the signal probe.
    }
  }
  return groupExists(pgid) ? [pgid] : []
}

async function livingGroupMembersFromProc(pgid: number): Promise<number[]> {
  const entries = await readdir('/proc')
  const members: number[] = []
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => null)
    if (stat === null) continue
    // `pid (comm) state ppid pgrp ...`; comm may hold spaces and parentheses, so split after the last `)`.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (fields[0] !== 'Z' && fields[0] !== 'X' && Number(fields[2]) === pgid) {
      members.push(Number(entry))
    }
  }
  return members
}

function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Sends a signal to every member of the group; a group that is already gone is not an error. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error
  }
}

/** Waits until the group has no living member or `ms` has passed; returns whether it is empty. */
export async function waitForGroupExit(pgid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  for (;;) {
    if ((await livingGroupMembers(pgid)).length === 0) return true
    if (Date.now() >= deadline) return false
    await sleep(POLL_MS)
  }
}

/**
 * SIGTERM to the group, SIGKILL to whatever is left after `graceMs`, then waits for the group to
 * be gone. Returns the pids that were still alive after SIGKILL (normally none).
 */
export async function terminateGroup(pgid: number, graceMs: number): Promise<number[]> {
  signalGroup(pgid, 'SIGTERM')
  if (await waitForGroupExit(pgid, graceMs)) return []
  signalGroup(pgid, 'SIGKILL')
  if (await waitForGroupExit(pgid, 5_000)) return []
  return livingGroupMembers(pgid)
}
