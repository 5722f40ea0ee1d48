// The limits a demo inherits from the shell that starts the server, and the machine-wide
// ones it shares: read from /proc on Linux, from sysctl and the shell's ulimit on macOS.
// Node has no getrlimit; /proc/self/limits shows this process's, which a server started from
// the same shell gets too.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** A limit's value; Infinity for "unlimited". */
export interface SoftHard {
  soft: number;
  hard: number;
}

const num = (s: string) => (s === 'unlimited' || s === 'infinity' ? Infinity : Number(s));

/** Parses /proc/<pid>/limits: "Max open files" → { soft, hard }. */
export function parseProcLimits(text: string): Map<string, SoftHard> {
  const out = new Map<string, SoftHard>();
  for (const line of text.split('\n')) {
    const m = /^(Max [a-z ]+?)\s{2,}(\S+)\s+(\S+)/.exec(line);
    const [soft, hard] = m ? [num(m[2]!), num(m[3]!)] : [NaN, NaN];
    if (m && !Number.isNaN(soft) && !Number.isNaN(hard)) out.set(m[1]!, { soft, hard });
  }
  return out;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** A number from /proc/sys (Linux) or sysctl -n (macOS); undefined when there is none. */
export function sysctl(name: string): number | undefined {
  if (process.platform === 'linux') {
    const v = Number(read(`/proc/sys/${name.replaceAll('.', '/')}`)?.trim().split(/\s+/)[0]);
    return Number.isFinite(v) ? v : undefined;
  }
  try {
    const v = Number(execFileSync('sysctl', ['-n', name], { encoding: 'utf8', timeout: 2000 }).trim());
    return Number.isFinite(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** `ulimit -S<flag>` and `-H<flag>` in a POSIX shell: the portable way to read a limit. */
function shellLimit(flag: string): SoftHard | undefined {
  try {
    const [soft, hard] = execFileSync('/bin/sh', ['-c', `ulimit -S${flag}; ulimit -H${flag}`], { encoding: 'utf8', timeout: 2000 }).trim().split('\n').map(num);
    return Number.isNaN(soft) || Number.isNaN(hard) ? undefined : { soft: soft!, hard: hard! };
  } catch {
    return undefined;
  }
}

export interface Limits {
  openFiles?: SoftHard;
  /** RLIMIT_NPROC: on Linux it counts every thread of the user. */
  processes?: SoftHard;
  addressSpace?: SoftHard;
  stack?: SoftHard;
}

export function readLimits(): Limits {
  if (process.platform === 'linux') {
    const text = read('/proc/self/limits');
    if (text) {
      const l = parseProcLimits(text);
      return { openFiles: l.get('Max open files'), processes: l.get('Max processes'), addressSpace: l.get('Max address space'), stack: l.get('Max stack size') };
    }
  }
  // ulimit -s is in KiB, -v in KiB.
  const kib = (x: SoftHard | undefined) => x && { soft: x.soft * 1024, hard: x.hard * 1024 };
  return { openFiles: shellLimit('n'), processes: shellLimit('u'), addressSpace: kib(shellLimit('v')), stack: kib(shellLimit('s')) };
}

/** Tasks (threads) running on the whole machine now: /proc/loadavg's "running/total". */
export function tasksNow(): number | undefined {
  const total = Number(read('/proc/loadavg')?.split(' ')[3]?.split('/')[1]);
  return Number.isFinite(total) ? total : undefined;
}

/** Threads this user runs now, machine-wide: what RLIMIT_NPROC counts on Linux. */
export function userTasksNow(uid = process.getuid?.()): number | undefined {
  if (process.platform !== 'linux' || uid === undefined) return undefined;
  let n = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const status = read(`/proc/${name}/status`);
    if (!status || Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]) !== uid) continue;
    n += Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  }
  return n;
}
