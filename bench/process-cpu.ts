// CPU time of process trees, from /proc (Linux): what each part of a pipeline burns, which
// tells more than wall time on a shared machine (a busy machine slows every part alike).
import fs from 'node:fs';
import { CLK_TCK } from '../server/metrics/procfs.js';

interface Proc {
  pid: number;
  ppid: number;
  /** ms of CPU: its own, and its waited-for children's. */
  cpuMs: number;
}

function readProc(pid: number): Proc | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // f[n - 3] is field n: ppid 4, utime 14, stime 15, cutime 16, cstime 17.
    const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    return { pid, ppid: Number(f[1]), cpuMs: (ticks * 1000) / CLK_TCK };
  } catch {
    return undefined;
  }
}

/** The pid and every living process below it. */
export function processTree(root: number): number[] {
  const all = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map((d) => readProc(Number(d))).filter((p): p is Proc => !!p);
  const children = new Map<number, number[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const out: number[] = [];
  const walk = (pid: number) => {
    out.push(pid);
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(root);
  return out;
}

/** CPU ms of these processes so far (those gone count 0). */
export function cpuMsOf(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + (readProc(pid)?.cpuMs ?? 0), 0);
}
