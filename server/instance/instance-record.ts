// One small file per running instance (a `serve`, `run`, `compare` or `record` that starts
// demos), in a per-user state folder: who owns the demos carrying its marker, and which PTY
// sessions it started, each with its start time. A clean exit removes it; one left behind
// names an instance that died, and what the next start must end.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export interface ProcessId {
  pid: number;
  /** As ProcessEntry.start: with the pid, one process, never a later one that reused the pid. */
  start: string;
}

export interface InstanceRecord {
  version: 1;
  /** The marker value its demos carry (see demo-instance.ts). */
  marker: string;
  owner: ProcessId;
  /** serve, run, compare, record, or "server" when a program embeds the demo server. */
  command: string;
  port?: number;
  startedAt: string;
  /** The PTY sessions it started that have not ended yet. */
  sessions: ProcessId[];
}

/**
 * Where the records live: $WIA_STATE_DIR, else the platform's per-user state folder
 * ($XDG_STATE_HOME or ~/.local/state on Linux, ~/Library/Application Support on macOS).
 */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.WIA_STATE_DIR) return env.WIA_STATE_DIR;
  const home = env.HOME || homedir();
  if (!home) return join(tmpdir(), `what-is-async-${userInfo().uid}`);
  if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', 'what-is-async');
  return join(env.XDG_STATE_HOME || join(home, '.local', 'state'), 'what-is-async');
}

export const instancesDir = (dir = stateDir()) => join(dir, 'instances');

const fileOf = (marker: string, dir: string) => join(instancesDir(dir), `${marker.replace(/[^A-Za-z0-9_-]/g, '_')}.json`);

/** Writes (or rewrites) a record; atomically, so a reader never sees half of one. */
export function writeRecord(record: InstanceRecord, dir = stateDir()): void {
  mkdirSync(instancesDir(dir), { recursive: true, mode: 0o700 });
  const file = fileOf(record.marker, dir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(record, null, 1) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}

export function removeRecord(marker: string, dir = stateDir()): void {
  rmSync(fileOf(marker, dir), { force: true });
}

function isRecord(x: unknown): x is InstanceRecord {
  const r = x as InstanceRecord | null;
  const isId = (p: ProcessId | undefined) => !!p && Number.isSafeInteger(p.pid) && p.pid > 1 && typeof p.start === 'string';
  return !!r && r.version === 1 && typeof r.marker === 'string' && isId(r.owner) && typeof r.command === 'string' && Array.isArray(r.sessions) && r.sessions.every(isId);
}

/** Every record in the folder that parses; a file that does not is skipped, never trusted. */
export function readRecords(dir = stateDir()): InstanceRecord[] {
  let files: string[];
  try {
    files = readdirSync(instancesDir(dir)).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  const out: InstanceRecord[] = [];
  for (const f of files) {
    try {
      const r: unknown = JSON.parse(readFileSync(join(instancesDir(dir), f), 'utf8'));
      if (isRecord(r)) out.push(r);
    } catch {
      // half-written by a crash, or not ours: ignored
    }
  }
  return out;
}
