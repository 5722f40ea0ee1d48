// Checks on real processes: tests prove that nothing they started is left behind.
import { isAlive } from '../../server/session/process-tree.js';

/** Alive and not a zombie (a zombie has exited; it only waits for its parent to reap it). */
export const isRunning = isAlive;

export async function waitGone(pids: number[], ms = 3000): Promise<number[]> {
  const deadline = Date.now() + ms;
  let left = pids.filter(isRunning);
  while (left.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    left = left.filter(isRunning);
  }
  return left;
}

/** Kills leftovers so a failing test does not leave processes for the next one. */
export function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/**
 * SIGKILLs the process group each pid leads (samples run detached, so their children are in
 * it) and each pid itself: for afterAll, so nothing is left behind even after a failure.
 */
export function killGroups(pids: Iterable<number>): void {
  const list = [...pids];
  for (const pid of list) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone, or not a group leader
    }
  }
  killAll(list);
}
