// Checks on real processes: tests prove that nothing they started is left behind, and their
// clean-up signals only processes they started. A pid a test remembers may have exited and
// been reused by now (a C100K run cycles the machine's whole pid space in seconds, and a
// thread's id is a pid too), so nothing is signalled on its number alone: a pid is ours when
// its start time is the one seen when it was tracked, or, never tracked, when it carries this
// test worker's marker (every child inherits it; see tests/setup/worker-marker.ts) or the marker
// of a demo server running inside this worker or started (and tracked) by it.
import { readFileSync } from 'node:fs';
import { isAlive } from '../../server/session/process-tree.js';
import { listPids, readStat } from '../../server/metrics/procfs.js';
import { MARKER_VAR, startOf } from '../../server/instance/process-table.js';
import { markerOwner } from '../../server/instance/demo-instance.js';
import { TEST_MARKER_VAR } from '../setup/worker-marker.js';

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

/** pid → its start time when a test first learnt of it, alive. */
const tracked = new Map<number, string>();

/** Remembers a pid a test started (or found under one it started) while it is alive; returns it. */
export function track(pid: number): number {
  const start = startOf(pid);
  if (start !== undefined && !tracked.has(pid)) tracked.set(pid, start);
  return pid;
}

function environ(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return null;
  }
}

/** Whether `pid` is still a process this test worker started (see the top of this file). */
export function isOurs(pid: number): boolean {
  const now = startOf(pid);
  if (now === undefined) return false;
  const then = tracked.get(pid);
  if (then !== undefined) return then === now;
  const env = environ(pid);
  if (env === null) return false;
  const vars = new Map(env.split('\0').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as const));
  if (vars.get(TEST_MARKER_VAR) === process.env[TEST_MARKER_VAR]) return true;
  // A demo of a server running in this worker, or of a server process a test started and tracked.
  const owner = markerOwner(vars.get(MARKER_VAR) ?? '');
  return owner !== undefined && (owner.pid === process.pid || tracked.get(owner.pid) === owner.start);
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone
  }
}

/** Kills leftovers so a failing test does not leave processes for the next one: ours only. */
export function killAll(pids: Iterable<number>): void {
  for (const pid of pids) if (isOurs(pid)) kill(pid);
}

/** The processes whose process group is `pgid`, on Linux; null where /proc can't tell. */
function groupMembers(pgid: number): number[] | null {
  if (process.platform !== 'linux') return null;
  return listPids().filter((pid) => readStat(pid)?.pgrp === pgid);
}

/**
 * SIGKILLs the process group each pid leads (samples run detached, so their children are in
 * it) and each pid itself: for afterAll, so nothing is left behind even after a failure. Each
 * member is checked to be ours: a group's number is its first leader's pid, which may be reused.
 */
export function killGroups(pids: Iterable<number>): void {
  const list = [...pids];
  for (const pgid of list) {
    const members = groupMembers(pgid);
    if (members) killAll(members);
    else if (isOurs(pgid)) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // gone, or not a group leader
      }
    }
  }
  killAll(list);
}

/** The processes under `root` (this test process by default), by the parent links in /proc, nearest first; one that ends meanwhile is left out. */
export function descendantsOf(root = process.pid): number[] {
  const children = new Map<number, number[]>();
  for (const pid of listPids()) {
    const ppid = readStat(pid)?.ppid;
    if (ppid !== undefined) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const c of children.get(pid) ?? []) (out.push(c), walk(c));
  };
  walk(root);
  return out;
}

/** A process's arguments ([] once it is gone). */
export function argsOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}
