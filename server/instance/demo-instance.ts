// This process as the owner of the demos it starts. Every demo gets a marker in its
// environment, WIA_INSTANCE=<owner pid>.<owner start>.<state folder>.<nonce>, which all its descendants
// inherit (a child that calls setsid keeps its environment), and the instance keeps a record
// file naming itself and its live PTY sessions. If this process dies without ending its
// demos (SIGKILL, a crash, a closed laptop lid that never wakes the process), the next start
// finds them by that marker and that record, and ends them (leftovers.ts).
import { createHash, randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { MARKER_VAR, startOf } from './process-table.js';
import { removeRecord, stateDir, writeRecord, type InstanceRecord, type ProcessId } from './instance-record.js';

/** What a spawner of demo processes does with the instance: the seam a PTY session (or a later DemoRun) uses. */
export interface DemoTracking {
  /** Entries to add to every demo's environment at spawn. */
  readonly env: Readonly<Record<string, string>>;
  /** A demo's leader was spawned with that environment. */
  started(pid: number): void;
  /** Its leader exited and its whole tree was ended. */
  ended(pid: number): void;
}

/** Unknown start time (ps failed): such an owner is always taken for alive, so nothing of it is ever ended. */
export const UNKNOWN_START = '?';

/**
 * Which state folder an instance keeps its record in, as 8 hex digits in its marker: a sweep
 * ends only the leftovers of instances of its own folder (one per user; a test run has its own).
 */
export const namespaceOf = (dir: string) => createHash('sha256').update(resolve(dir)).digest('hex').slice(0, 8);

export interface MarkerOwner extends ProcessId {
  namespace: string;
}

/** The owner named by a marker value, or undefined when the value is not one of ours. */
export function markerOwner(marker: string): MarkerOwner | undefined {
  const m = /^(\d+)\.([^.\s]+)\.([0-9a-f]{8})\.([0-9a-f]{16})$/.exec(marker);
  return m ? { pid: Number(m[1]), start: m[2]!, namespace: m[3]! } : undefined;
}

export class DemoInstance implements DemoTracking {
  readonly marker: string;
  readonly env: Readonly<Record<string, string>>;
  private readonly record: InstanceRecord;
  private readonly dir = stateDir();
  private written = false;

  constructor(command: string) {
    const owner = { pid: process.pid, start: startOf(process.pid) ?? UNKNOWN_START };
    this.marker = `${owner.pid}.${owner.start}.${namespaceOf(this.dir)}.${randomBytes(8).toString('hex')}`;
    this.env = { [MARKER_VAR]: this.marker };
    this.record = { version: 1, marker: this.marker, owner, command, startedAt: new Date().toISOString(), sessions: [] };
    process.once('exit', () => this.exit());
  }

  get command(): string {
    return this.record.command;
  }

  /** Names what this instance is, for a later report: `serve` on port N. */
  describe(command: string, port?: number): void {
    this.record.command = command;
    if (port !== undefined) this.record.port = port;
    this.save();
  }

  started(pid: number): void {
    this.record.sessions.push({ pid, start: startOf(pid) ?? UNKNOWN_START });
    this.save();
  }

  ended(pid: number): void {
    this.record.sessions = this.record.sessions.filter((s) => s.pid !== pid);
    this.save();
  }

  /**
   * Best effort: a state folder that cannot be written must not stop a demo. Its processes
   * still carry the marker, which alone is enough to find them after a crash.
   */
  private save(): void {
    try {
      writeRecord(this.record, this.dir);
      this.written = true;
    } catch {
      // `doctor` checks that the folder is writable
    }
  }

  /** A clean exit with nothing running needs no record; one with sessions still up keeps it, for the next start. */
  private exit(): void {
    if (!this.written || this.record.sessions.length > 0) return;
    try {
      removeRecord(this.marker, this.dir);
    } catch {
      // left for the next start to clear
    }
  }
}

let current: DemoInstance | undefined;

/**
 * This process's instance, begun on first use. A command that starts demos begins it itself
 * (after sweeping, see instance-start.ts) to name what it is; an embedding program (a test,
 * a script) gets one the first time it spawns a demo.
 */
export function demoInstance(command = 'server'): DemoInstance {
  return (current ??= new DemoInstance(command));
}

/** The marker of this process's instance, if it has begun one. */
export const currentMarker = (): string | undefined => current?.marker;
