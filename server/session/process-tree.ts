// Finds a process's descendants, so a stop reaches children that left the process group too.
import { execFileSync } from 'node:child_process';
import { isGoneState, listPids, readStat } from '../metrics/procfs.js';

function parentMapLinux(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const pid of listPids()) {
    const stat = readStat(pid);
    if (!stat) continue; // exited while we looked
    const list = children.get(stat.ppid) ?? [];
    list.push(pid);
    children.set(stat.ppid, list);
  }
  return children;
}

function parentMapPs(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  const out = execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  for (const line of out.split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (!pid || ppid === undefined) continue;
    const list = children.get(ppid) ?? [];
    list.push(pid);
    children.set(ppid, list);
  }
  return children;
}

/** All live descendants of `root` (not including root). */
export function descendants(root: number): number[] {
  let children: Map<number, number[]>;
  try {
    children = process.platform === 'linux' ? parentMapLinux() : parentMapPs();
  } catch {
    return [];
  }
  const out: number[] = [];
  const stack = [...(children.get(root) ?? [])];
  while (stack.length) {
    const pid = stack.pop()!;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/**
 * Still running: exists and, where /proc tells, is not a zombie (a zombie has exited and
 * only waits to be reaped, so waiting for it to go would wait for nothing).
 */
export function isAlive(pid: number): boolean {
  if (process.platform === 'linux') {
    const stat = readStat(pid);
    return stat !== null && !isGoneState(stat.state);
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** How long killTree waits, after SIGKILL, for the kernel to have ended everything. */
export const KILL_WAIT_MS = 2000;

/**
 * Ends a session's processes: its process group (the PTY's child leads one) and every
 * descendant, politely first (SIGTERM), then SIGKILL after `graceMs` for what remains.
 * Resolves once they are all gone (or, for a process the kernel cannot end at once, such as
 * one stuck in uninterruptible I/O, KILL_WAIT_MS after the SIGKILL), so whoever reports the
 * end reports it after the fact.
 */
export function killTree(root: number, graceMs = 300): Promise<void> {
  const tree = [root, ...descendants(root)];
  signal(-root, 'SIGTERM');
  for (const pid of tree) signal(pid, 'SIGTERM');
  return new Promise((resolve) => {
    const deadline = Date.now() + graceMs;
    let killed: number[] | undefined;
    const check = () => {
      const left = (killed ?? tree).filter(isAlive);
      if (left.length === 0) return resolve();
      if (!killed && Date.now() >= deadline) {
        killed = [...new Set([...left, ...descendants(root)])];
        signal(-root, 'SIGKILL');
        for (const pid of killed) signal(pid, 'SIGKILL');
      } else if (killed && Date.now() >= deadline + KILL_WAIT_MS) return resolve();
      setTimeout(check, 25);
    };
    check();
  });
}
