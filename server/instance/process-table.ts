// This user's processes as the leftover sweep needs them: who is whose parent, when each
// started (with the pid, that names one process even after its pid is reused), and which
// instance's marker each carries in its environment. Linux reads /proc; macOS asks ps.
import { execFileSync } from 'node:child_process';
import { isGoneState, listPids, parseCmdline, readCmdline, readProcFile, readStat } from '../metrics/procfs.js';

/** The environment variable every demo process carries: set at spawn, inherited by all its descendants. */
export const MARKER_VAR = 'WIA_INSTANCE';

export interface ProcessEntry {
  pid: number;
  ppid: number;
  /** When it started, as an opaque text: equal for the same process, different after pid reuse. */
  start: string;
  /** Exited, waiting to be reaped: nothing to end. */
  zombie: boolean;
  /** The marker's value in its environment, if it has one. */
  marker: string | undefined;
  /** Its command line, where it was cheap to learn (macOS); else read on demand by commandOf. */
  command?: string;
}

/** The marker in a NUL-separated /proc/<pid>/environ. */
export function markerInEnviron(environ: string): string | undefined {
  const key = `${MARKER_VAR}=`;
  for (const entry of environ.split('\0')) if (entry.startsWith(key)) return entry.slice(key.length);
  return undefined;
}

function linuxTable(): ProcessEntry[] {
  const out: ProcessEntry[] = [];
  for (const pid of listPids()) {
    const stat = readStat(pid);
    if (!stat) continue; // gone while we looked
    // Another user's environment is unreadable (null): theirs are not ours to end anyway.
    const environ = readProcFile(`/proc/${pid}/environ`);
    out.push({ pid, ppid: stat.ppid, start: String(stat.starttime), zombie: isGoneState(stat.state), marker: environ ? markerInEnviron(environ) : undefined });
  }
  return out;
}

// macOS: `ps -E` appends each process's environment to its command (for our own processes),
// and lstart is its start to the second ("Mon Dec  1 10:02:03 2026", 24 columns).
// UNTESTED ON A REAL MAC: written against ps(1)'s documented output; the parser is tested on
// lines modelled on it.
export const PS_ARGS = ['-A', '-E', '-ww', '-o', 'pid=,ppid=,stat=,lstart=,command='];
const PS_LINE = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4})\s?(.*)$/;
const MARKER_WORD = new RegExp(`(?:^|\\s)${MARKER_VAR}=(\\S+)`);
const ENV_WORD = /\s[A-Za-z_][A-Za-z0-9_]*=/;

/** Parses `ps -A -E -ww -o pid=,ppid=,stat=,lstart=,command=`. */
export function parsePsTable(text: string): ProcessEntry[] {
  const out: ProcessEntry[] = [];
  for (const line of text.split('\n')) {
    const m = PS_LINE.exec(line);
    if (!m) continue;
    const withEnv = m[5]!;
    // The environment follows the command: what a report shows is the command alone.
    const envAt = withEnv.search(ENV_WORD);
    out.push({
      pid: Number(m[1]),
      ppid: Number(m[2]),
      start: psStart(m[4]!),
      zombie: m[3]!.startsWith('Z'),
      marker: MARKER_WORD.exec(withEnv)?.[1],
      command: (envAt < 0 ? withEnv : withEnv.slice(0, envAt)).trim(),
    });
  }
  return out;
}

const psStart = (lstart: string) => lstart.replace(/\s+/g, '_');

function psTable(): ProcessEntry[] {
  return parsePsTable(execFileSync('ps', PS_ARGS, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }));
}

/** Every process this user can see, with its marker; empty when the table cannot be read. */
export function processTable(): ProcessEntry[] {
  try {
    return process.platform === 'linux' ? linuxTable() : psTable();
  } catch {
    return [];
  }
}

/** When `pid` started (as ProcessEntry.start), or undefined when it is not running. */
export function startOf(pid: number): string | undefined {
  if (process.platform === 'linux') {
    const stat = readStat(pid);
    return stat && !isGoneState(stat.state) ? String(stat.starttime) : undefined;
  }
  try {
    const out = execFileSync('ps', ['-o', 'stat=,lstart=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    const m = /^(\S+)\s+(.+)$/.exec(out);
    return m && !m[1]!.startsWith('Z') ? psStart(m[2]!) : undefined;
  } catch {
    return undefined; // ps exits 1 for a pid that is not there
  }
}

/** A short command line for a report: "python3 tree.py 60". */
export function commandOf(entry: Pick<ProcessEntry, 'pid' | 'command'>): string {
  const cmd = entry.command || (process.platform === 'linux' ? readCmdline(entry.pid) : '');
  const text = cmd || (process.platform === 'linux' ? parseCmdline(readProcFile(`/proc/${entry.pid}/comm`) ?? '').trim() : '');
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
