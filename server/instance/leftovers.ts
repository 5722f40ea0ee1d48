// Finds and ends the demo processes an instance left when it died without ending them.
//
// A process is ended only when it is provably one of a dead instance's demos:
//   - it carries the instance's marker in its environment (a 64-bit nonce no other process
//     has; it is inherited across setsid, so grandchildren in their own session count), or
//   - it is a PTY session leader the instance recorded, with the same start time as recorded
//     (a pid reused by another program has another start time), or
//   - it is a descendant, right now, of one of those.
// An instance is dead when no process has its owner's pid and start time. A sweep looks only
// at instances of its own state folder (the marker names it). Nothing is ended
// on doubt: an owner whose start time is unknown counts as alive, and each signal is sent
// only after the target's start time is read again and still matches.
import { isAlive } from '../session/process-tree.js';
import { commandOf, processTable, startOf, type ProcessEntry } from './process-table.js';
import { readRecords, removeRecord, stateDir, type InstanceRecord, type ProcessId } from './instance-record.js';
import { UNKNOWN_START, currentMarker, markerOwner, namespaceOf } from './demo-instance.js';

export interface Leftover extends ProcessId {
  command: string;
  /** How it was known to be the dead instance's. */
  by: 'marker' | 'session' | 'descendant';
}

export interface DeadInstance {
  marker: string;
  owner: ProcessId;
  /** Its record, when its file was there (it says what the instance was). */
  record: InstanceRecord | undefined;
  leftovers: Leftover[];
}

function isOwnerAlive(owner: ProcessId, byPid: Map<number, ProcessEntry>): boolean {
  if (owner.start === UNKNOWN_START) return true;
  const p = byPid.get(owner.pid);
  return !!p && !p.zombie && p.start === owner.start;
}

/** Which processes of `table` belong to dead instances. Pure: the tests feed it tables. */
export function findLeftovers(
  table: ProcessEntry[],
  records: InstanceRecord[],
  self: { pid: number; marker?: string | undefined; namespace: string },
): DeadInstance[] {
  const byPid = new Map(table.map((p) => [p.pid, p]));
  const children = new Map<number, ProcessEntry[]>();
  for (const p of table) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  // Never this process or anything above it, whatever a record says.
  const protectedPids = new Set<number>();
  for (let pid: number | undefined = self.pid; pid && !protectedPids.has(pid); pid = byPid.get(pid)?.ppid) protectedPids.add(pid);

  const dead = new Map<string, DeadInstance>();
  const taken = new Set<number>();
  const deadOf = (marker: string, owner: ProcessId) => {
    let d = dead.get(marker);
    if (!d) dead.set(marker, (d = { marker, owner, record: undefined, leftovers: [] }));
    return d;
  };
  const take = (d: DeadInstance, p: ProcessEntry, by: Leftover['by']) => {
    if (p.zombie || taken.has(p.pid) || protectedPids.has(p.pid)) return;
    // A descendant carrying a live instance's marker is that instance's (never seen in practice).
    if (by === 'descendant' && p.marker && p.marker !== d.marker) {
      const o = markerOwner(p.marker);
      if (!o || isOwnerAlive(o, byPid)) return;
    }
    taken.add(p.pid);
    d.leftovers.push({ pid: p.pid, start: p.start, command: p.command ?? '', by });
  };

  for (const p of table) {
    if (!p.marker || p.marker === self.marker) continue;
    const owner = markerOwner(p.marker);
    if (!owner || owner.namespace !== self.namespace || isOwnerAlive(owner, byPid)) continue;
    take(deadOf(p.marker, owner), p, 'marker');
  }
  for (const r of records) {
    if (r.marker === self.marker || isOwnerAlive(r.owner, byPid)) continue;
    const d = deadOf(r.marker, r.owner);
    d.record = r;
    for (const s of r.sessions) {
      const p = byPid.get(s.pid);
      if (p && s.start !== UNKNOWN_START && p.start === s.start) take(d, p, 'session');
    }
  }
  for (const d of dead.values()) {
    const stack = [...d.leftovers.map((l) => l.pid)];
    while (stack.length) {
      for (const c of children.get(stack.pop()!) ?? []) {
        take(d, c, 'descendant');
        stack.push(c.pid);
      }
    }
  }
  return [...dead.values()];
}

export interface SweepResult extends DeadInstance {
  ended: Leftover[];
  /** Still running after SIGKILL: reported, so a person can look. */
  survived: Leftover[];
}

/** Signals `l` only if it is still the very process that was found. */
function signalSame(l: Leftover, sig: NodeJS.Signals): void {
  if (startOf(l.pid) !== l.start) return;
  try {
    process.kill(l.pid, sig);
  } catch {
    // gone meanwhile
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitGone(list: Leftover[], ms: number): Promise<Leftover[]> {
  const deadline = Date.now() + ms;
  let left = list.filter((l) => isAlive(l.pid) && startOf(l.pid) === l.start);
  while (left.length && Date.now() < deadline) {
    await sleep(25);
    left = left.filter((l) => isAlive(l.pid) && startOf(l.pid) === l.start);
  }
  return left;
}

export interface SweepOptions {
  dir?: string;
  /** How long SIGTERM gets before SIGKILL. */
  graceMs?: number;
  /** Only report; end nothing, remove nothing (doctor without --prune). */
  dryRun?: boolean;
}

/**
 * Ends what dead instances left (SIGTERM, then SIGKILL after a grace period) and removes
 * their records. Resolves with what it found and what it ended, per dead instance.
 */
export async function sweepLeftovers(opts: SweepOptions = {}): Promise<SweepResult[]> {
  const dir = opts.dir ?? stateDir();
  const found = findLeftovers(processTable(), readRecords(dir), { pid: process.pid, marker: currentMarker(), namespace: namespaceOf(dir) });
  for (const d of found) for (const l of d.leftovers) l.command ||= commandOf(l);
  if (opts.dryRun) return found.map((d) => ({ ...d, ended: [], survived: d.leftovers }));

  const all = found.flatMap((d) => d.leftovers);
  for (const l of all) signalSame(l, 'SIGTERM');
  let left = await waitGone(all, opts.graceMs ?? 500);
  for (const l of left) signalSame(l, 'SIGKILL');
  left = await waitGone(left, 1000);
  const survivors = new Set(left.map((l) => l.pid));
  return found.map((d) => {
    const survived = d.leftovers.filter((l) => survivors.has(l.pid));
    if (survived.length === 0) {
      try {
        removeRecord(d.marker, dir);
      } catch {
        // tried again at the next start
      }
    }
    return { ...d, ended: d.leftovers.filter((l) => !survivors.has(l.pid)), survived };
  });
}

const two = (n: number) => String(n).padStart(2, '0');
/** "2026-12-01 10:02", in this machine's time zone. */
const localMinute = (d: Date) => `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;

/** "serve (pid 4242, port 2014, started 2026-12-01 10:02)": the dead instance, as its record tells. */
export function describeInstance(d: DeadInstance): string {
  const r = d.record;
  const parts = [`pid ${d.owner.pid}`];
  if (r?.port !== undefined) parts.push(`port ${r.port}`);
  if (r) parts.push(`started ${localMinute(new Date(r.startedAt))}`);
  return `${r ? `a ${r.command}` : 'an instance'} (${parts.join(', ')})`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 'es'}`;

/** What a sweep did, in lines for a person; none when there was nothing to end. */
export function describeSweep(results: SweepResult[]): string[] {
  const lines: string[] = [];
  for (const d of results) {
    if (d.leftovers.length === 0) continue;
    lines.push(`Ended ${plural(d.ended.length, 'demo process')} left by ${describeInstance(d)} that stopped without ending them:`);
    for (const l of d.ended) lines.push(`  ${l.pid}  ${l.command}`);
    if (d.survived.length) {
      lines.push(`  still running after SIGKILL (look at them with ps): ${d.survived.map((l) => `${l.pid} ${l.command}`).join('; ')}`);
    }
  }
  return lines;
}
