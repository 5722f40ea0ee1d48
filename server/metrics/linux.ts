/**
 * Linux resource sampler: reads procfs directly, never spawns a process.
 *
 * Cost model, measured on the 2-vCPU Linux 6.18 VM this was written on (bench/
 * metrics-cost.ts; sync fs from Node 20; "cold" = the way a 4 Hz sampler meets it,
 * caches cold after 250 ms of other work, typically 2-5x the back-to-back figure):
 *
 *   /proc/<pid>/status (Threads, VmRSS, PPid, State)    ~0.02 ms, 0.15 cold, O(1)
 *   /proc/<pid>/stat of a 10k-thread process            ~0.6 ms, 2.7 cold: the kernel
 *                                                       sums CPU time over every thread
 *   readdir /proc with 10k threads alive on the box     ~0.8 ms, 1.7 cold: walks all tasks
 *   stat("/proc/<pid>/fd").size = open fd count         ~0.01 ms (Linux >= 6.2)
 *   readdir /proc/<pid>/fd with 10k fds                 ~7-10 ms
 *   readlink of 10k /proc/<pid>/fd/N                    ~40-48 ms
 *   /proc/<pid>/net/tcp, 10k rows (1.5 MB; every row   ~20-30 ms, nearly all in the kernel
 *     of the namespace, TIME_WAIT too)
 *   /proc/<pid>/smaps_rollup, 10k threads (20k VMAs)    ~12 ms
 *   fs/promises instead of sync                         1.5-3x the CPU for the same reads
 *
 * So, every sample: status (threads, RSS) and the fd count of each process of the tree,
 * O(1) each. On a cadence that stretches with their measured cost (each kept to ~0.5 %
 * of a core; every sample for ordinary processes): the /proc scan that discovers new
 * children, and /proc/<pid>/stat for CPU time (between two reads cpuPercent repeats).
 *
 * Connections: when an fd count grows, only the new fd numbers are readlink'ed (Linux
 * hands out the lowest free numbers), and new sockets found in the small unix/UDP
 * tables are set aside. Any other new socket counts as ESTABLISHED at once,
 * provisionally, until the TCP tables (/proc/<root>/net/tcp{,6}: one read for the whole
 * tree) are read again and say what it is; that read, full fd listings (counts that
 * shrank, a 15 s safety rescan) and PSS run within a CPU budget (token bucket,
 * `costBudget`, default 2 % of a core) and only when something changed. So during a
 * 10k ramp the count follows the accepted sockets at once and is confirmed when the
 * budget allows (seconds when the namespace holds tens of thousands of rows); a
 * listener opened meanwhile is counted until then.
 *
 * Sync reads, because they cost far less CPU than fs/promises here; to keep the demo
 * server's event loop responsive, long stretches of work yield every ~4 ms.
 *
 * Known limits: processes belong to the tree by parent pid, so a grandchild whose parent
 * died (reparented to init) leaves the tree; non-members' parent pids are cached for
 * 10 s, so a pid reused within that time by a new child of the tree joins late; a pid
 * reuse of the root itself is noticed at the next CPU read; sockets are looked up in the
 * root's network namespace only; an fd closed and reopened as another socket under the
 * same number without the fd count moving is noticed when the old socket leaves the TCP
 * table, or at the periodic full rescan (15 s).
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { singleFlight, type ProcessSampler, type ResourceSample, type SamplerOptions } from './sample.js';

/**
 * sysconf(_SC_CLK_TCK): the unit of utime/stime in /proc/<pid>/stat. USER_HZ is 100 on
 * every mainstream Linux architecture, and Node cannot call sysconf, so it is fixed.
 */
export const CLK_TCK = 100;

// ---------------------------------------------------------------------------------------
// Pure parsers (unit-tested on captured text)

export interface ProcStat {
  pid: number;
  comm: string;
  /** R, S, D, Z, X, T, t, I, ... */
  state: string;
  ppid: number;
  /** clock ticks (CLK_TCK per second) */
  utime: number;
  stime: number;
  numThreads: number;
  /** clock ticks after boot: with pid, identifies a process across pid reuse */
  starttime: number;
  rssPages: number;
}

/** Parse /proc/<pid>/stat. The comm field may contain spaces and parentheses. */
export function parseProcStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  const f = text.slice(close + 2).trim().split(' ');
  // f[0] is field 3 (state); field n is f[n - 3].
  if (f.length < 22) return null;
  const num = (i: number): number => Number(f[i]);
  const st: ProcStat = {
    pid,
    comm: text.slice(open + 1, close),
    state: f[0] ?? '?',
    ppid: num(1),
    utime: num(11),
    stime: num(12),
    numThreads: num(17),
    starttime: num(19),
    rssPages: num(21),
  };
  if (!Number.isFinite(st.pid) || !Number.isFinite(st.ppid) || !Number.isFinite(st.utime)) return null;
  return st;
}

/** Slab + KernelStack + PageTables from /proc/meminfo, in bytes. */
export function parseMeminfoKernelBytes(text: string): number {
  let kb = 0;
  for (const line of text.split('\n')) {
    const m = /^(Slab|KernelStack|PageTables):\s+(\d+)\s*kB/.exec(line);
    if (m) kb += Number(m[2]);
  }
  return kb * 1024;
}

/** The `Pss:` line of /proc/<pid>/smaps_rollup, in bytes (null if absent). */
export function parseSmapsRollupPss(text: string): number | null {
  const m = /^Pss:\s+(\d+)\s*kB/m.exec(text);
  return m ? Number(m[1]) * 1024 : null;
}

/** The "socket:[N]" target of an fd symlink, as the inode number (0 if not a socket). */
export function socketInode(linkTarget: string): number {
  if (!linkTarget.startsWith('socket:[')) return 0;
  const n = Number(linkTarget.slice(8, -1));
  return Number.isSafeInteger(n) ? n : 0;
}

export interface TcpTable {
  /** inodes of sockets in state 01 (ESTABLISHED) */
  established: Set<number>;
  /** inodes of all rows (any state) */
  all: Set<number>;
}

/**
 * Parse /proc/net/tcp or /proc/net/tcp6 (bytes, or latin1 text) into `into`. Columns (see the kernel's
 * Documentation/networking/proc_net_tcp.rst): sl local rem st tx:rx tr:when retrnsmt uid
 * timeout inode ... — st is hex (01 = ESTABLISHED). Rows with inode 0 (TIME_WAIT and
 * others owned by no fd) are skipped; with `only`, so is every inode not in it.
 *
 * It runs over megabytes at 10k sockets, so it works on the bytes read (no string,
 * no split, little garbage): the kernel prints
 * `%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu` (v6 addresses
 * are 32 hex digits), i.e. fixed widths up to retrnsmt; only uid and timeout vary.
 */
export function parseTcpTable(data: Uint8Array | string, into: TcpTable, only?: Set<number>): void {
  const b = typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const len = b.length;
  let pos = b.indexOf(10 /* \n */) + 1; // header
  if (pos <= 0) return;
  while (pos < len) {
    let eol = b.indexOf(10, pos);
    if (eol < 0) eol = len;
    const colon = b.indexOf(58 /* : */, pos);
    const addrEnd = colon < 0 ? -1 : b.indexOf(32, colon + 2);
    if (colon < 0 || addrEnd < 0 || addrEnd > eol) {
      pos = eol + 1;
      continue;
    }
    const addrLen = addrEnd - (colon + 2); // 13 for IPv4, 37 for IPv6
    const st = colon + 2 + 2 * (addrLen + 1);
    const established = b[st] === 48 /* 0 */ && b[st + 1] === 49; /* 1 */
    // skip " tx:rx tr:when retrnsmt", then the variable-width uid and timeout
    let i = st + 2 + 1 + 17 + 1 + 11 + 1 + 8;
    for (let skip = 0; skip < 2; skip++) {
      while (i < eol && b[i] === 32) i++;
      while (i < eol && b[i] !== 32) i++;
    }
    while (i < eol && b[i] === 32) i++;
    let inode = 0;
    for (; i < eol; i++) {
      const d = b[i]! - 48;
      if (d < 0 || d > 9) break;
      inode = inode * 10 + d;
    }
    if (inode > 0 && (!only || only.has(inode))) {
      into.all.add(inode);
      if (established) into.established.add(inode);
    }
    pos = eol + 1;
  }
}

/**
 * A cheap change detector for the TCP tables: the Tcp counters of /proc/net/snmp that
 * move whenever a socket enters or leaves ESTABLISHED (ActiveOpens, PassiveOpens,
 * AttemptFails, EstabResets, CurrEstab). Returns '' if the format is not recognised.
 */
export function parseSnmpTcpSignature(text: string): string {
  const lines = text.split('\n').filter((l) => l.startsWith('Tcp:'));
  if (lines.length < 2) return '';
  const names = lines[0]!.split(/\s+/);
  const values = lines[1]!.split(/\s+/);
  const pick = ['ActiveOpens', 'PassiveOpens', 'AttemptFails', 'EstabResets', 'CurrEstab'];
  return pick.map((n) => values[names.indexOf(n)] ?? '?').join(',');
}

// ---------------------------------------------------------------------------------------
// Small sync procfs helpers

let shared = Buffer.allocUnsafe(64 * 1024);

/** Read a whole procfs file as latin1 text; null if it (or its process) is gone or unreadable. */
export function readProcFile(path: string): string | null {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    let len = 0;
    for (;;) {
      if (len === shared.length) {
        const bigger = Buffer.allocUnsafe(shared.length * 2);
        shared.copy(bigger, 0, 0, len);
        shared = bigger;
      }
      const n = fs.readSync(fd, shared, len, shared.length - len, null);
      if (n <= 0) break;
      len += n;
    }
    return shared.toString('latin1', 0, len);
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

export interface ProcStatus {
  /** R, S, D, Z, X, T, t, I, ... */
  state: string;
  ppid: number;
  threads: number;
  /** false when VmRSS is absent: a kernel thread, a zombie, or a process already tearing down its memory on exit */
  hasMemory: boolean;
  /** resident set size, bytes (VmRSS; absent, so 0, for kernel threads and zombies) */
  rssBytes: number;
}

function statusField(text: string, key: string): string | null {
  const at = text.indexOf(`\n${key}:`);
  if (at < 0) return null;
  const end = text.indexOf('\n', at + 1);
  return text.slice(at + key.length + 2, end < 0 ? undefined : end).trim();
}

/** Parse the fields of /proc/<pid>/status the sampler uses (all O(1) for the kernel). */
export function parseProcStatus(text: string): ProcStatus | null {
  const state = statusField(text, 'State');
  const ppid = Number(statusField(text, 'PPid'));
  const threads = Number(statusField(text, 'Threads'));
  if (!state || !Number.isFinite(ppid) || !Number.isFinite(threads)) return null;
  const rss = statusField(text, 'VmRSS');
  const kb = rss === null ? 0 : Number(rss.replace(/\s*kB$/, ''));
  return { state: state.charAt(0), ppid, threads, hasMemory: rss !== null, rssBytes: Number.isFinite(kb) ? kb * 1024 : 0 };
}

/** CPU time of this process (user + system), ms. Costs are measured in CPU, not wall
 * time, so that a preempted read on a busy machine is not charged for the wait. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Cooperative yielding for long synchronous stretches, and the CPU cost of the work
 * between yields (what others do while we yield is not ours).
 */
class Yielder {
  private last = performance.now();
  /** CPU ms used by others while we yielded */
  private othersCpu = 0;
  async maybe(): Promise<void> {
    const now = performance.now();
    if (now - this.last < 4) return;
    const c0 = cpuMs();
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.othersCpu += cpuMs() - c0;
    this.last = performance.now();
  }
  /** Start measuring; the returned function gives our CPU ms since then. */
  meter(): () => number {
    const c0 = cpuMs();
    const o0 = this.othersCpu;
    return () => Math.max(0, cpuMs() - c0 - (this.othersCpu - o0));
  }
}

/**
 * Token bucket in ms of CPU: refills at `fraction` ms per wall ms, up to `capMs`.
 * A part may run while the balance is not negative; its measured cost is then charged,
 * so one expensive run is paid back by a proportionally long pause.
 */
class CostBucket {
  private balance: number;
  private at = performance.now();
  constructor(
    private readonly fraction: number,
    private readonly capMs: number,
  ) {
    this.balance = capMs;
  }
  canRun(): boolean {
    const now = performance.now();
    this.balance = Math.min(this.capMs, this.balance + (now - this.at) * this.fraction);
    this.at = now;
    return this.balance >= 0;
  }
  charge(ms: number): void {
    this.balance -= ms;
  }
}

/** A read whose interval stretches with its measured CPU cost: ~1/factor of a core at most. */
class Cadence {
  private lastAt = -Infinity;
  private cost = 0;
  constructor(private readonly factor: number) {}
  due(now: number): boolean {
    return now - this.lastAt >= this.factor * this.cost;
  }
  done(startedAt: number, costMs: number): void {
    this.lastAt = startedAt;
    this.cost = costMs;
  }
}

// ---------------------------------------------------------------------------------------

interface FdTable {
  /** fd count when the map was last brought up to date (-1: never) */
  count: number;
  /** fd count seen by the latest sample */
  current: number;
  /** fd number -> socket inode (0 when not a socket) */
  byFd: Map<number, number>;
  /** socket inodes held */
  sockets: Set<number>;
  /** set when a socket of ours vanished from the TCP table: an fd may have been reused */
  dirty: boolean;
  /** the lowest-free-fd guess failed: wait for a listing */
  noGuess?: boolean;
  lastFullAt: number;
}

interface Member {
  pid: number;
  /** from the last stat read: identity (with pid) and CPU ticks */
  starttime?: number;
  ticks?: number;
  fdTable?: FdTable;
}

interface SocketCounts {
  established: number;
  tcp: number;
  unknown: number;
  provisional: number;
}

interface CachedParent {
  ppid: number;
  at: number;
}

type Part = 'fds' | 'tcp' | 'pss';

const PARENT_CACHE_MS = 10_000;
const MAX_PARENT_REFRESHES = 16;
const FULL_FD_RESCAN_MS = 15_000;
/**
 * Re-read the TCP tables at least this often while the tree holds TCP sockets, to catch
 * changes that move no counter (ESTABLISHED -> CLOSE_WAIT); longer when a read is costly.
 */
const TCP_MAX_AGE_MS = 5_000;
/**
 * Sockets in neither the TCP nor the unix/UDP tables (netlink, raw, or a TCP socket
 * caught between socket() and connect()): re-check them this rarely.
 */
const NON_TCP_RECHECK_MS = 30_000;
/** A TCP read held back this long by the budget goes before the fd scan. */
const TCP_STARVE_MS = 2_000;
/** PSS moves slowly and costs a page-table walk: at most once a second, and ~0.7 % of a core. */
const PSS_MIN_INTERVAL_MS = 1_000;
const PSS_COST_FACTOR = 150;
/** The /proc scan and the CPU (stat) reads: each ~0.5 % of a core at most. */
const CADENCE_FACTOR = 200;

const isGone = (state: string): boolean => state === 'Z' || state === 'X' || state === 'x';

let fdSizeSupport: Map<string, boolean> | undefined;

/** Does stat("/proc/<pid>/fd").size give the open fd count (Linux >= 6.2)? Checked once. */
function fdDirSizeWorks(procRoot: string): boolean {
  fdSizeSupport ??= new Map();
  let ok = fdSizeSupport.get(procRoot);
  if (ok === undefined) {
    try {
      const size = fs.statSync(`${procRoot}/self/fd`).size;
      const count = fs.readdirSync(`${procRoot}/self/fd`).length;
      ok = size > 0 && Math.abs(size - count) <= 2;
    } catch {
      ok = false;
    }
    fdSizeSupport.set(procRoot, ok);
  }
  return ok;
}

export class LinuxSampler implements ProcessSampler {
  readonly pid: number;
  private readonly proc: string;
  private readonly wantPss: boolean;
  private readonly bucket: CostBucket;
  private readonly fdSize: boolean;
  private readonly kernelBase: number;

  private closed = false;
  private readonly takeOnce = singleFlight(() => this.take());
  private rootStart: number | null = null;
  private members = new Map<number, Member>();
  private parents = new Map<number, CachedParent>();
  private readonly treeCadence = new Cadence(CADENCE_FACTOR);
  private readonly cpuCadence = new Cadence(CADENCE_FACTOR);
  private cpuAt: number | null = null;
  private cpuPercent = 0;

  private lastRun: Record<Part, number> = { fds: -Infinity, tcp: -Infinity, pss: -Infinity };
  /** since when a due TCP read has been held back by the budget */
  private tcpOwedSince: number | null = null;
  private ranOnce: Record<Part, boolean> = { fds: false, tcp: false, pss: false };
  private tcp: TcpTable | null = null;
  private tcpAt = -Infinity;
  private tcpSignature = '';
  /** our sockets found in /proc/net/{unix,udp,udp6} when they appeared: never TCP */
  private other = new Set<number>();
  /** our sockets in neither TCP table at the last read (and not in `other`) */
  private notInTcp = new Set<number>();
  /** how many of our sockets the last TCP table read found (any state), per table */
  private tcpSocketsSeen = { tcp: 0, tcp6: 0 };
  private tcpCost = 0;
  /** kept between TCP table reads (it grows to the table size, ~1.5 MB per 10k rows) */
  private tcpBuffer = { buf: Buffer.allocUnsafe(64 * 1024) };
  private pssCost = 0;
  /** bumped whenever our sockets or what we know about them change (memoizes socketCounts) */
  private sockVersion = 0;
  private countsMemo: { version: number; counts: SocketCounts } | null = null;
  private lastPss: number | undefined;

  /** What the sampler did, for the bench: samples, tree scans, CPU reads, budgeted parts (CPU ms). */
  readonly stats = {
    samples: 0,
    treeScans: 0,
    cpuReads: 0,
    /** sockets counted in the last sample's connections without a TCP table read yet */
    provisionalConnections: 0,
    parts: { fds: { runs: 0, ms: 0 }, tcp: { runs: 0, ms: 0 }, pss: { runs: 0, ms: 0 } },
  };

  constructor(pid: number, opts: SamplerOptions = {}) {
    this.pid = pid;
    this.proc = opts.procRoot ?? '/proc';
    this.wantPss = opts.pss ?? true;
    const budget = Math.min(Math.max(opts.costBudget ?? 0.02, 0.001), 1);
    // The bucket holds up to 2.5 s of budget (a burst after a quiet spell); the first run of each part is free.
    this.bucket = new CostBucket(budget, 2500 * budget);
    this.fdSize = fdDirSizeWorks(this.proc);
    this.kernelBase = this.readKernelBytes() ?? 0;
  }

  sample(): Promise<ResourceSample | null> {
    if (this.closed) return Promise.resolve(null);
    return this.takeOnce();
  }

  close(): void {
    this.closed = true;
    this.members.clear();
    this.parents.clear();
    this.tcp = null;
    this.tcpBuffer.buf = Buffer.alloc(0);
  }

  private readKernelBytes(): number | null {
    const text = readProcFile(`${this.proc}/meminfo`);
    return text === null ? null : parseMeminfoKernelBytes(text);
  }

  private readStatus(pid: number): ProcStatus | null {
    const text = readProcFile(`${this.proc}/${pid}/status`);
    return text === null ? null : parseProcStatus(text);
  }

  private readStat(pid: number): ProcStat | null {
    const text = readProcFile(`${this.proc}/${pid}/stat`);
    return text === null ? null : parseProcStat(text);
  }

  private async take(): Promise<ResourceSample | null> {
    const y = new Yielder();
    const t = Date.now();
    const now = performance.now();

    // 1. The root: gone, a zombie, or exiting (its memory already released) ends the series,
    // so the last sample is of the live process, not of its teardown.
    const rootStatus = this.readStatus(this.pid);
    if (!rootStatus || isGone(rootStatus.state) || !rootStatus.hasMemory) return null;
    const statuses = new Map<number, ProcStatus>([[this.pid, rootStatus]]);

    // 2. The tree.
    const tree = this.treeCadence.due(now) ? await this.scanTree(statuses, now, y) : this.knownTree(statuses);

    // 3. Per member, every sample: status and fd count, O(1) each.
    const next = new Map<number, Member>();
    let rssBytes = 0;
    let threads = 0;
    let fds = 0;
    for (const pid of tree) {
      let st = statuses.get(pid);
      if (!st) {
        const fresh = this.readStatus(pid);
        if (!fresh) continue;
        st = fresh;
      }
      if (isGone(st.state)) continue;
      const count = this.fdCount(pid);
      if (count === null && !fs.existsSync(`${this.proc}/${pid}`)) continue; // gone in between
      rssBytes += st.rssBytes;
      threads += st.threads;
      const m: Member = this.members.get(pid) ?? { pid };
      if (count !== null) {
        fds += count;
        m.fdTable ??= { count: -1, current: count, byFd: new Map(), sockets: new Set(), dirty: false, lastFullAt: -Infinity };
        m.fdTable.current = count;
      }
      next.set(pid, m);
      await y.maybe();
    }
    if (!next.has(this.pid)) return null; // the root went away mid-sample
    for (const [pid, m] of this.members) if (!next.has(pid) && m.fdTable?.sockets.size) this.sockVersion++;
    this.members = next;

    // 4. CPU time (and the root's identity) from stat, on its cadence.
    if (this.cpuCadence.due(now)) {
      const cost = y.meter();
      let ticks = 0;
      for (const m of this.members.values()) {
        const st = this.readStat(m.pid);
        if (!st) continue;
        if (m.pid === this.pid) {
          if (this.rootStart === null) this.rootStart = st.starttime;
          else if (st.starttime !== this.rootStart) return null; // the pid now belongs to another process
        }
        const total = st.utime + st.stime;
        const same = m.starttime === st.starttime && m.ticks !== undefined;
        if (m.starttime !== undefined && !same) {
          m.fdTable = undefined; // pid reused: forget its fds
          this.sockVersion++;
        }
        ticks += same ? Math.max(0, total - m.ticks!) : total;
        m.starttime = st.starttime;
        m.ticks = total;
        await y.maybe();
      }
      if (this.cpuAt !== null) {
        const dt = (now - this.cpuAt) / 1000;
        if (dt > 0) this.cpuPercent = Math.round((ticks / CLK_TCK / dt) * 1000) / 10;
      }
      this.cpuAt = now;
      this.cpuCadence.done(now, cost());
      this.stats.cpuReads++;
    }

    // 5. Sockets behind new fds (cost follows the change), then the expensive parts
    //    within the CPU budget: the fd listing first (it finds the sockets the others
    //    look at), unless the TCP read has been kept waiting for a while.
    await this.scanNewFds(y);
    const tcpStarved = this.tcpOwedSince !== null && now - this.tcpOwedSince > TCP_STARVE_MS;
    const parts: Part[] = tcpStarved ? ['tcp', 'fds', 'pss'] : ['fds', 'tcp', 'pss'];
    for (const part of parts) {
      if (!this.isDue(part, now)) {
        if (part === 'tcp') this.tcpOwedSince = null;
        continue;
      }
      if (this.ranOnce[part] && !this.bucket.canRun()) {
        if (part === 'tcp') this.tcpOwedSince ??= now;
        continue;
      }
      if (part === 'tcp') this.tcpOwedSince = null;
      const meter = y.meter();
      if (part === 'fds') await this.scanFds(y, now);
      else if (part === 'tcp') await this.scanTcp(y, now);
      else await this.scanPss(y);
      const cost = meter();
      this.bucket.charge(cost);
      if (part === 'pss') this.pssCost = cost;
      if (part === 'tcp') this.tcpCost = cost;
      this.stats.parts[part].runs++;
      this.stats.parts[part].ms += cost;
      this.lastRun[part] = performance.now();
      this.ranOnce[part] = true;
    }

    // 6. Join: our socket inodes against the last TCP snapshot (plus provisional ones).
    const sc = this.socketCounts();
    const connections = sc.established + sc.provisional;
    this.stats.provisionalConnections = sc.provisional;

    const kernel = this.readKernelBytes();
    if (this.closed) return null;
    this.stats.samples++;
    const sample: ResourceSample = {
      t,
      pid: this.pid,
      processes: this.members.size,
      rssBytes,
      threads,
      fds,
      cpuPercent: this.cpuPercent,
      connections,
      kernelBytesDelta: kernel === null ? 0 : kernel - this.kernelBase,
    };
    if (this.wantPss && this.lastPss !== undefined) sample.pssBytes = this.lastPss;
    return sample;
  }

  /**
   * Scan /proc for the tree: the parent of every process (read from status; cached for
   * non-members, which cannot become members except by pid reuse), then a walk down
   * from the root. Fills `statuses` for the processes it read.
   */
  private async scanTree(statuses: Map<number, ProcStatus>, now: number, y: Yielder): Promise<number[]> {
    // The cadence follows the cost of the listing itself (it grows with every task on
    // the machine); reading the parents of new processes is a one-off, not charged.
    const cost = y.meter();
    let names: string[];
    try {
      names = fs.readdirSync(this.proc);
    } catch {
      names = [];
    }
    this.treeCadence.done(now, cost());
    let refreshes = 0;
    const present = new Set<number>();
    const children = new Map<number, number[]>();
    for (const name of names) {
      const c0 = name.charCodeAt(0);
      if (c0 < 48 || c0 > 57) continue;
      const pid = Number(name);
      if (!Number.isSafeInteger(pid)) continue;
      present.add(pid);
      if (pid === this.pid) continue;
      let ppid: number;
      const cached = this.parents.get(pid);
      // Cached parents of non-members expire, to catch pid reuse; a few re-reads per scan.
      if (cached && !this.members.has(pid) && (now - cached.at < PARENT_CACHE_MS || refreshes >= MAX_PARENT_REFRESHES)) {
        ppid = cached.ppid;
      } else {
        if (cached && !this.members.has(pid)) refreshes++;
        const st = this.readStatus(pid);
        if (!st) continue;
        statuses.set(pid, st);
        ppid = st.ppid;
        this.parents.set(pid, { ppid, at: now });
        await y.maybe();
      }
      let list = children.get(ppid);
      if (!list) children.set(ppid, (list = []));
      list.push(pid);
    }
    for (const pid of this.parents.keys()) if (!present.has(pid)) this.parents.delete(pid);

    const tree: number[] = [this.pid];
    for (let i = 0; i < tree.length; i++) {
      const kids = children.get(tree[i]!);
      if (kids) for (const k of kids) tree.push(k);
    }
    this.stats.treeScans++;
    return tree;
  }

  /** Between scans: the known members whose parent is still in the tree. */
  private knownTree(statuses: Map<number, ProcStatus>): number[] {
    const tree: number[] = [];
    const inTree = new Set<number>();
    // Map iteration order is insertion order: parents were inserted before children.
    for (const pid of this.members.keys()) {
      if (pid === this.pid) {
        tree.push(pid);
        inTree.add(pid);
        continue;
      }
      const st = this.readStatus(pid);
      if (!st || !inTree.has(st.ppid)) continue;
      statuses.set(pid, st);
      tree.push(pid);
      inTree.add(pid);
    }
    return tree;
  }

  private fdCount(pid: number): number | null {
    const dir = `${this.proc}/${pid}/fd`;
    try {
      if (this.fdSize) return fs.statSync(dir).size;
      return fs.readdirSync(dir).length;
    } catch {
      return null;
    }
  }

  /** Our socket inodes, each once (a socket inherited by several processes counts once). */
  private ourSockets(): Set<number> | Iterable<number>[] {
    const holders = [...this.members.values()].filter((m) => m.fdTable && m.fdTable.sockets.size > 0);
    if (holders.length <= 1) return holders.map((m) => m.fdTable!.sockets);
    const all = new Set<number>();
    for (const m of holders) for (const ino of m.fdTable!.sockets) all.add(ino);
    return all;
  }

  /**
   * Classify our sockets against what the last reads said: ESTABLISHED, other TCP, not
   * TCP (unix/UDP), in no table (unknown), or new since the last TCP read (provisional:
   * counted as ESTABLISHED until a TCP table read says otherwise — accepted and freshly
   * connected sockets are, and it keeps the count moving during a ramp when reading
   * the tables is expensive).
   */
  private socketCounts(): SocketCounts {
    if (this.countsMemo && this.countsMemo.version === this.sockVersion) return this.countsMemo.counts;
    const c: SocketCounts = { established: 0, tcp: 0, unknown: 0, provisional: 0 };
    this.countsMemo = { version: this.sockVersion, counts: c };
    if (this.members.size === 0) return c;
    const count = (ino: number): void => {
      if (this.tcp?.all.has(ino)) {
        c.tcp++;
        if (this.tcp.established.has(ino)) c.established++;
      } else if (this.other.has(ino)) {
        // unix or UDP
      } else if (this.notInTcp.has(ino)) {
        c.unknown++;
      } else {
        c.provisional++;
      }
    };
    const ours = this.ourSockets();
    if (ours instanceof Set) for (const ino of ours) count(ino);
    else for (const set of ours) for (const ino of set) count(ino);
    return c;
  }

  private isDue(part: Part, now: number): boolean {
    if (part === 'fds') {
      for (const m of this.members.values()) {
        const ft = m.fdTable;
        if (!ft) continue;
        if (ft.count !== ft.current || ft.dirty || now - ft.lastFullAt > FULL_FD_RESCAN_MS) return true;
      }
      return false;
    }
    if (part === 'tcp') {
      const c = this.socketCounts();
      if (c.provisional > 0) return true;
      if (c.tcp === 0) return c.unknown > 0 && now - this.tcpAt > NON_TCP_RECHECK_MS;
      if (now - this.tcpAt > Math.max(TCP_MAX_AGE_MS, CADENCE_FACTOR * this.tcpCost)) return true;
      const snmp = readProcFile(`${this.proc}/${this.pid}/net/snmp`);
      const sig = snmp === null ? '' : parseSnmpTcpSignature(snmp);
      return sig === '' || sig !== this.tcpSignature;
    }
    return this.wantPss && now - this.lastRun.pss >= Math.max(PSS_MIN_INTERVAL_MS, PSS_COST_FACTOR * this.pssCost);
  }

  /**
   * Fd counts that only grew: readlink just the new fds (see addLowestFds). Not budgeted:
   * its cost follows the number of new fds, not the size of the table, and it is what
   * keeps the connection count moving (provisionally) while the TCP tables wait.
   */
  private async scanNewFds(y: Yielder): Promise<void> {
    const added: number[] = [];
    for (const m of this.members.values()) {
      const ft = m.fdTable;
      if (!ft || ft.dirty || ft.noGuess || ft.count < 0 || ft.current <= ft.count) continue;
      if (!this.addLowestFds(ft, `${this.proc}/${m.pid}/fd`, added)) ft.noGuess = true;
      await y.maybe();
    }
    if (added.length > 0) this.classifyOther(added);
  }

  /** Bring fd -> socket-inode maps up to date by listing the fd directories (budgeted). */
  private async scanFds(y: Yielder, now: number): Promise<void> {
    const added: number[] = [];
    for (const m of this.members.values()) {
      const ft = m.fdTable;
      if (!ft) continue;
      const full = ft.dirty || now - ft.lastFullAt > FULL_FD_RESCAN_MS;
      if (!full && ft.count === ft.current) continue;
      const dir = `${this.proc}/${m.pid}/fd`;
      let list: string[];
      try {
        list = fs.readdirSync(dir);
      } catch {
        continue;
      }
      await y.maybe();
      const live = new Set<number>();
      for (const name of list) {
        const fd = Number(name);
        live.add(fd);
        if (!full && ft.byFd.has(fd)) continue;
        let ino = 0;
        try {
          ino = socketInode(fs.readlinkSync(`${dir}/${name}`));
        } catch {
          live.delete(fd); // closed in between
          continue;
        }
        const old = ft.byFd.get(fd);
        if (old !== ino) {
          if (old || ino) this.sockVersion++;
          if (old) ft.sockets.delete(old);
          if (ino) {
            ft.sockets.add(ino);
            added.push(ino);
          }
          ft.byFd.set(fd, ino);
        }
        if ((fd & 255) === 0) await y.maybe();
      }
      // Closed sockets need no table read: they simply stop counting.
      for (const [fd, ino] of ft.byFd) {
        if (live.has(fd)) continue;
        ft.byFd.delete(fd);
        if (ino) {
          ft.sockets.delete(ino);
          this.sockVersion++;
        }
      }
      ft.count = ft.current = live.size;
      ft.dirty = false;
      ft.noGuess = false;
      if (full) ft.lastFullAt = now;
      await y.maybe();
    }
    if (added.length > 0) this.classifyOther(added);
  }

  /**
   * Which of these new sockets are unix or UDP sockets (/proc/net/unix, udp, udp6 of the
   * root's namespace: small tables, cheap to read), so that they are never taken for
   * TCP connections nor make the TCP tables worth reading.
   */
  private classifyOther(added: number[]): void {
    const fresh = new Set(added);
    const found: TcpTable = { established: new Set(), all: new Set() };
    const unix = readProcFile(`${this.proc}/${this.pid}/net/unix`);
    if (unix !== null) {
      for (const line of unix.split('\n')) {
        // Num RefCount Protocol Flags Type St Inode Path
        const ino = Number(line.trim().split(/\s+/)[6]);
        if (fresh.has(ino)) found.all.add(ino);
      }
    }
    for (const name of ['udp', 'udp6']) {
      const text = readProcFile(`${this.proc}/${this.pid}/net/${name}`);
      if (text !== null) parseTcpTable(text, found, fresh); // same columns as tcp
    }
    for (const ino of found.all) this.other.add(ino);
    if (found.all.size > 0) this.sockVersion++;
    if (this.other.size > 4096) {
      // drop sockets we no longer hold
      const ours = new Set<number>();
      for (const m of this.members.values()) if (m.fdTable) for (const ino of m.fdTable.sockets) ours.add(ino);
      for (const ino of this.other) if (!ours.has(ino)) this.other.delete(ino);
    }
  }

  /**
   * The fd count grew by k: Linux hands out the lowest free fd numbers, so the new fds
   * are (almost always) the k lowest numbers we do not know. readlink just those instead
   * of listing 10k fds; give up (false: do a full listing) if any of them is missing.
   */
  private addLowestFds(ft: FdTable, dir: string, added: number[]): boolean {
    const k = ft.current - ft.count;
    if (k > 4096) return false;
    const found: Array<[number, number]> = [];
    for (let fd = 0; found.length < k; fd++) {
      if (ft.byFd.has(fd)) continue;
      let ino: number;
      try {
        ino = socketInode(fs.readlinkSync(`${dir}/${fd}`));
      } catch {
        return false;
      }
      found.push([fd, ino]);
    }
    for (const [fd, ino] of found) {
      ft.byFd.set(fd, ino);
      if (ino) {
        ft.sockets.add(ino);
        added.push(ino);
        this.sockVersion++;
      }
    }
    ft.count = ft.current;
    return true;
  }

  /**
   * Read the root's network namespace TCP tables once for the whole tree. Both tables
   * when there are sockets not yet classified (or on the slow recheck); otherwise only
   * the table(s) where our sockets were found last time (the v6 scan costs a good part
   * of the v4 one even when it holds nothing).
   */
  private async scanTcp(y: Yielder, now: number): Promise<void> {
    const snmp = readProcFile(`${this.proc}/${this.pid}/net/snmp`);
    const signature = snmp === null ? '' : parseSnmpTcpSignature(snmp);
    const ours = new Set<number>();
    for (const m of this.members.values()) if (m.fdTable) for (const ino of m.fdTable.sockets) ours.add(ino);
    const both =
      !this.tcp ||
      this.socketCounts().provisional > 0 ||
      now - this.tcpAt > NON_TCP_RECHECK_MS ||
      this.tcpSocketsSeen.tcp + this.tcpSocketsSeen.tcp6 === 0;
    const table: TcpTable = { established: new Set(), all: new Set() };
    const seen = { tcp: 0, tcp6: 0 };
    for (const name of ['tcp', 'tcp6'] as const) {
      if (!both && this.tcpSocketsSeen[name] === 0) continue;
      const before = table.all.size;
      const bytes = await readLargeProcFile(`${this.proc}/${this.pid}/net/${name}`, this.tcpBuffer, y);
      if (bytes !== null) parseTcpTable(bytes, table, ours);
      seen[name] = table.all.size - before;
      await y.maybe();
    }
    // A socket of ours that the previous table knew and this one does not was closed:
    // its fd number may have been reused without the fd count moving. Rescan that table.
    const prev = this.tcp;
    if (prev) {
      for (const m of this.members.values()) {
        const ft = m.fdTable;
        if (!ft || ft.dirty) continue;
        for (const ino of ft.sockets) {
          if (prev.all.has(ino) && !table.all.has(ino)) {
            ft.dirty = true;
            break;
          }
        }
      }
    }
    this.tcp = table;
    this.tcpAt = performance.now();
    this.tcpSignature = signature;
    this.tcpSocketsSeen = seen;
    // Forget sockets we no longer hold; the rest of ours is either TCP, unix/UDP, or unknown.
    const other = new Set<number>();
    const notInTcp = new Set<number>();
    for (const ino of ours) {
      if (this.other.has(ino)) other.add(ino);
      else if (!table.all.has(ino)) notInTcp.add(ino);
    }
    this.other = other;
    this.notInTcp = notInTcp;
    this.sockVersion++;
  }

  private async scanPss(y: Yielder): Promise<void> {
    let total = 0;
    let any = false;
    for (const m of this.members.values()) {
      const text = readProcFile(`${this.proc}/${m.pid}/smaps_rollup`);
      const pss = text === null ? null : parseSmapsRollupPss(text);
      if (pss === null) {
        if (fs.existsSync(`${this.proc}/${m.pid}`)) {
          // unreadable (permissions, or no smaps_rollup before Linux 4.14): no PSS at all
          this.lastPss = undefined;
          return;
        }
        continue;
      }
      total += pss;
      any = true;
      await y.maybe();
    }
    this.lastPss = any ? total : undefined;
  }
}

/**
 * Read a possibly multi-megabyte procfs file into `holder.buf` (grown as needed and kept,
 * so a sampler re-reads its TCP tables without fresh garbage), yielding to the event loop
 * between chunks. Returns the bytes read (a view of holder.buf), or null.
 */
async function readLargeProcFile(path: string, holder: { buf: Buffer }, y: Yielder): Promise<Buffer | null> {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch {
    return null;
  }
  let used = 0;
  try {
    for (;;) {
      if (used === holder.buf.length) {
        const bigger = Buffer.allocUnsafe(Math.max(64 * 1024, holder.buf.length * 2));
        holder.buf.copy(bigger, 0, 0, used);
        holder.buf = bigger;
      }
      const n = fs.readSync(fd, holder.buf, used, holder.buf.length - used, null);
      if (n <= 0) break;
      used += n;
      await y.maybe();
    }
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
  return holder.buf.subarray(0, used);
}

