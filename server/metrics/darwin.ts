/**
 * macOS resource sampler, through the system's own tools (there is no procfs):
 *
 *   ps -A -o pid=,ppid=,rss=,time=,stat=      the tree, RSS (KiB), CPU time, zombies
 *   ps -M -p <pids>                            one line per thread -> thread counts
 *   lsof -n -P -w -Ts -F pftdPnT -p <pids>     fds, and TCP sockets in ESTABLISHED
 *   vm_stat                                    wired memory (machine-wide kernel proxy)
 *
 * UNTESTED ON A REAL MAC: it was written against the documented output formats of
 * macOS ps(1), lsof(8) and vm_stat(1); the parsers are unit-tested on fixtures modelled
 * on those formats (tests/fixtures/metrics/darwin-*.txt), not on captured Mac output.
 * Expect it to be far costlier than the Linux sampler (four process spawns per sample,
 * lsof alone can take 100+ ms), so startSampling will skip ticks rather than queue them.
 * No PSS on macOS. CPU % is computed from deltas of ps `time` (1/100 s resolution),
 * not from ps %cpu, which is a decaying average.
 */
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { singleFlight, type ProcessSampler, type ResourceSample } from './sample.js';

// ---------------------------------------------------------------------------------------
// Pure parsers

export interface PsProcess {
  pid: number;
  ppid: number;
  rssKb: number;
  /** accumulated user + system CPU time, seconds */
  cpuSeconds: number;
  /** ps STAT, e.g. "Ss", "R+", "Z" */
  stat: string;
}

/**
 * Parse ps CPU time: "0:00.03" (minutes:seconds.hundredths, minutes unbounded, as macOS
 * prints it), also "hh:mm:ss", "dd-hh:mm:ss" and with or without ".cc". NaN if unparsable.
 */
export function parsePsTime(s: string): number {
  const text = s.trim();
  const m = /^(?:(\d+)-)?(\d+(?::\d+)*)(?:[.,](\d+))?$/.exec(text);
  if (!m) return Number.NaN;
  let secs = 0;
  for (const part of m[2]!.split(':')) secs = secs * 60 + Number(part);
  if (m[1]) secs += Number(m[1]) * 86400;
  if (m[3]) secs += Number(m[3]) / 10 ** m[3].length;
  return secs;
}

/** Parse `ps -A -o pid=,ppid=,rss=,time=,stat=` (no header; whitespace-separated). */
export function parsePsProcesses(text: string): PsProcess[] {
  const out: PsProcess[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5) continue;
    const pid = Number(f[0]);
    const ppid = Number(f[1]);
    const rssKb = Number(f[2]);
    const cpuSeconds = parsePsTime(f[3]!);
    if (!Number.isInteger(pid) || !Number.isInteger(ppid)) continue;
    out.push({
      pid,
      ppid,
      rssKb: Number.isFinite(rssKb) ? rssKb : 0,
      cpuSeconds: Number.isFinite(cpuSeconds) ? cpuSeconds : 0,
      stat: f[4]!,
    });
  }
  return out;
}

/** The root plus all its descendants, root first (breadth-first). Empty if root absent. */
export function descendants(processes: PsProcess[], root: number): number[] {
  if (!processes.some((p) => p.pid === root)) return [];
  const kids = new Map<number, number[]>();
  for (const p of processes) {
    if (p.pid === root) continue;
    let list = kids.get(p.ppid);
    if (!list) kids.set(p.ppid, (list = []));
    list.push(p.pid);
  }
  const tree = [root];
  const seen = new Set(tree);
  for (let i = 0; i < tree.length; i++) {
    for (const k of kids.get(tree[i]!) ?? []) {
      if (seen.has(k)) continue;
      seen.add(k);
      tree.push(k);
    }
  }
  return tree;
}

/**
 * Count threads per pid from `ps -M -p <pids>`: a header, then one line per thread. A
 * process's first line starts with USER then PID; its further thread lines leave USER
 * (and TT, COMMAND) blank, so they start with whitespace and PID is the first token.
 */
export function parsePsThreads(text: string): Map<number, number> {
  const counts = new Map<number, number>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    if (i === 0 && /\bPID\b/.test(line)) continue;
    const f = line.trim().split(/\s+/);
    const token = /^\s/.test(line) ? f[0] : f[1];
    const pid = Number(token);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    counts.set(pid, (counts.get(pid) ?? 0) + 1);
  }
  return counts;
}

export interface LsofSummary {
  /** numeric file descriptors per pid (cwd, txt, mem, ... are not fds) */
  fds: Map<number, number>;
  /** identities of TCP sockets in ESTABLISHED (kernel address if given, else name) */
  established: Set<string>;
}

/**
 * Parse `lsof -F pftdPnT` output: one field per line, the first character naming the
 * field: p = pid (starts a process set), f = fd (starts a file set), t = type,
 * d = device (for sockets the kernel address, e.g. 0x5e4f…), P = protocol, n = name
 * (e.g. 127.0.0.1:52011->127.0.0.1:8080), T = TCP/TPI info (TST=ESTABLISHED, TQR=0, …).
 */
export function parseLsof(text: string): LsofSummary {
  const fds = new Map<number, number>();
  const established = new Set<string>();
  let pid = -1;
  let file: { fd: string; dev: string; proto: string; name: string; state: string } | null = null;
  const flush = (): void => {
    if (!file || pid < 0) return;
    if (/^\d+$/.test(file.fd)) fds.set(pid, (fds.get(pid) ?? 0) + 1);
    if (file.proto.toUpperCase() === 'TCP' && file.state === 'ESTABLISHED') {
      established.add(file.dev || file.name || `${pid}/${file.fd}`);
    }
  };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line === '') continue;
    const tag = line[0];
    const value = line.slice(1);
    switch (tag) {
      case 'p':
        flush();
        file = null;
        pid = Number(value);
        if (!Number.isInteger(pid)) pid = -1;
        else if (!fds.has(pid)) fds.set(pid, 0);
        break;
      case 'f':
        flush();
        file = { fd: value, dev: '', proto: '', name: '', state: '' };
        break;
      case 'd':
        if (file) file.dev = value;
        break;
      case 'P':
        if (file) file.proto = value;
        break;
      case 'n':
        if (file) file.name = value;
        break;
      case 'T':
        if (file && value.startsWith('ST=')) file.state = value.slice(3);
        break;
      default:
        break;
    }
  }
  flush();
  return { fds, established };
}

/** Wired memory in bytes from `vm_stat` ("Pages wired down" x the stated page size). */
export function parseVmStatWiredBytes(text: string): number | null {
  const page = /page size of (\d+) bytes/.exec(text);
  const wired = /^Pages wired down:\s+(\d+)\.?/m.exec(text);
  if (!page || !wired) return null;
  return Number(wired[1]) * Number(page[1]);
}

// ---------------------------------------------------------------------------------------

/**
 * Runs a tool and resolves with its stdout, also on a non-zero exit (lsof exits 1 when
 * a pid has gone, ps when one is missing). Rejects only if the tool could not run at
 * all or was killed (timeout, output too large).
 */
export type ToolRunner = (file: string, args: string[]) => Promise<string>;

const defaultRunner: ToolRunner = (file, args) =>
  new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { timeout: 5_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, LC_ALL: 'C' } },
      (error, stdout) => {
        const e = error as (NodeJS.ErrnoException & { killed?: boolean }) | null;
        if (e && (typeof e.code === 'string' || e.killed)) reject(e);
        else resolve(typeof stdout === 'string' ? stdout : '');
      },
    );
  });

export class DarwinSampler implements ProcessSampler {
  readonly pid: number;
  private readonly run: ToolRunner;
  private closed = false;
  private readonly takeOnce = singleFlight(() => this.take());
  private prevCpu = new Map<number, number>();
  private prevAt: number | null = null;
  private wiredBase: number | null | undefined;

  private readonly clock: () => number;

  /** `run` and `clock` (monotonic ms) are replaceable for tests. */
  constructor(pid: number, opts: { run?: ToolRunner; clock?: () => number } = {}) {
    this.pid = pid;
    this.run = opts.run ?? defaultRunner;
    this.clock = opts.clock ?? (() => performance.now());
  }

  /** Resolves null once the root is gone; rejects only if a tool cannot run at all. */
  sample(): Promise<ResourceSample | null> {
    if (this.closed) return Promise.resolve(null);
    return this.takeOnce();
  }

  close(): void {
    this.closed = true;
    this.prevCpu.clear();
  }

  private async take(): Promise<ResourceSample | null> {
    const t = Date.now();
    const now = this.clock();
    if (this.wiredBase === undefined) {
      this.wiredBase = parseVmStatWiredBytes(await this.run('vm_stat', []));
    }
    const all = parsePsProcesses(await this.run('ps', ['-A', '-o', 'pid=,ppid=,rss=,time=,stat=']));
    const byPid = new Map(all.map((p) => [p.pid, p]));
    const root = byPid.get(this.pid);
    if (!root || root.stat.startsWith('Z')) return null;
    const tree = descendants(all, this.pid).filter((pid) => !byPid.get(pid)!.stat.startsWith('Z'));
    const list = tree.join(',');
    const [threadsText, lsofText, vmText] = await Promise.all([
      this.run('ps', ['-M', '-p', list]),
      this.run('lsof', ['-n', '-P', '-w', '-Ts', '-F', 'pftdPnT', '-p', list]),
      this.run('vm_stat', []),
    ]);
    if (this.closed) return null;
    const threads = parsePsThreads(threadsText);
    const lsof = parseLsof(lsofText);

    const dt = this.prevAt === null ? 0 : (now - this.prevAt) / 1000;
    let cpu = 0;
    let rssKb = 0;
    let nThreads = 0;
    let fds = 0;
    const nextCpu = new Map<number, number>();
    for (const pid of tree) {
      const p = byPid.get(pid)!;
      const prev = this.prevCpu.get(pid);
      cpu += prev !== undefined && p.cpuSeconds >= prev ? p.cpuSeconds - prev : prev === undefined ? p.cpuSeconds : 0;
      nextCpu.set(pid, p.cpuSeconds);
      rssKb += p.rssKb;
      nThreads += threads.get(pid) ?? 1;
      fds += lsof.fds.get(pid) ?? 0;
    }
    this.prevCpu = nextCpu;
    this.prevAt = now;
    const wired = parseVmStatWiredBytes(vmText);
    return {
      t,
      pid: this.pid,
      processes: tree.length,
      rssBytes: rssKb * 1024,
      threads: nThreads,
      fds,
      cpuPercent: dt > 0 ? Math.round((cpu / dt) * 1000) / 10 : 0,
      connections: lsof.established.size,
      kernelBytesDelta: wired !== null && this.wiredBase != null ? wired - this.wiredBase : 0,
    };
  }
}
