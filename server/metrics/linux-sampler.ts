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
 *
 * (At 100k connections a TCP table read costs ~1 s of CPU: one that cost more than
 * `tcpForegroundMs` last time goes on in the background while samples keep coming.)
 *
 * So, every sample: status (threads, RSS) and the fd count of each process of the tree,
 * O(1) each, read again at the end of the sample so that what it reports is as fresh as
 * its connection count. On a cadence that stretches with their measured cost (each kept
 * to ~0.5 % of a core): the /proc scan that discovers new children
 * (process-tree-tracker.ts), and /proc/<pid>/stat for CPU time (between two reads
 * cpuPercent repeats). Connections: socket-tracker.ts. Within a CPU budget (cost-budget.ts,
 * `costBudget`, default 2 % of a core), taking turns: fd listings, TCP table reads, PSS.
 *
 * A pid reuse of the root itself is noticed at the next CPU read.
 */
import { performance } from 'node:perf_hooks';
import { BudgetedParts, Cadence, Yielder } from './cost-budget.js';
import { ProcessTreeTracker } from './process-tree-tracker.js';
import {
  CLK_TCK,
  fdCount,
  fdDirSizeWorks,
  isGoneState,
  parseSmapsRollupPss,
  procExists,
  readKernelBytes,
  readProcFile,
  readStat,
  readStatus,
  type ProcStatus,
} from './procfs.js';
import { singleFlight, type ProcessSampler, type ResourceSample, type SamplerOptions } from './sample.js';
import { SocketTracker } from './socket-tracker.js';

type Part = 'fds' | 'tcp' | 'pss';

/** PSS moves slowly and costs a page-table walk: at most once a second, and ~0.7 % of a core. */
const PSS_MIN_INTERVAL_MS = 1_000;
const PSS_COST_FACTOR = 150;
/** The /proc scan and the CPU (stat) reads: each ~0.5 % of a core at most. */
const CADENCE_FACTOR = 200;
/**
 * A TCP table read whose last run cost more CPU than this goes on in the background, and
 * samples keep coming meanwhile: at 100,000 connections (200,000 rows, both ends on this
 * machine) one read costs ~1 s of CPU, several seconds of wall time on a busy machine,
 * and the meters would stand still for as long.
 */
const DEFAULT_TCP_FOREGROUND_MS = 50;

interface CpuMark {
  /** identity (with pid) */
  starttime: number;
  /** utime + stime */
  ticks: number;
}

export class LinuxSampler implements ProcessSampler {
  readonly pid: number;
  private readonly proc: string;
  private readonly wantPss: boolean;
  private readonly tcpForegroundMs: number;
  private readonly fdSize: boolean;
  private readonly kernelBase: number;
  private readonly parts: BudgetedParts<Part>;
  private readonly tree: ProcessTreeTracker;
  private readonly sockets: SocketTracker;
  private readonly takeOnce = singleFlight(() => this.take());

  private closed = false;
  private rootStart: number | null = null;
  private members: number[] = [];
  private readonly cpuCadence = new Cadence(CADENCE_FACTOR);
  private cpuMarks = new Map<number, CpuMark>();
  private cpuAt: number | null = null;
  private cpuPercent = 0;
  private lastPss: number | undefined;
  /** a TCP table read going on in the background */
  private tcpReading: Promise<void> | null = null;

  /** What the sampler did, for the bench: samples, tree scans, CPU reads, budgeted parts (CPU ms). */
  readonly stats: {
    samples: number;
    treeScans: number;
    cpuReads: number;
    /** sockets counted in the last sample's connections without a TCP table read yet */
    provisionalConnections: number;
    parts: Record<Part, { runs: number; ms: number }>;
  };

  constructor(pid: number, opts: SamplerOptions = {}) {
    this.pid = pid;
    this.proc = opts.procRoot ?? '/proc';
    this.wantPss = opts.pss ?? true;
    this.tcpForegroundMs = opts.tcpForegroundMs ?? DEFAULT_TCP_FOREGROUND_MS;
    const budget = Math.min(Math.max(opts.costBudget ?? 0.02, 0.001), 1);
    // The bucket holds up to 2.5 s of budget (a burst after a quiet spell).
    this.parts = new BudgetedParts<Part>(['fds', 'tcp', 'pss'], budget, 2500 * budget);
    this.tree = new ProcessTreeTracker(this.proc, pid, CADENCE_FACTOR);
    this.sockets = new SocketTracker(this.proc, pid);
    this.fdSize = fdDirSizeWorks(this.proc);
    this.kernelBase = readKernelBytes(this.proc) ?? 0;
    this.stats = { samples: 0, treeScans: 0, cpuReads: 0, provisionalConnections: 0, parts: this.parts.stats };
  }

  sample(): Promise<ResourceSample | null> {
    if (this.closed) return Promise.resolve(null);
    return this.takeOnce();
  }

  close(): void {
    this.closed = true;
    this.members = [];
    this.cpuMarks.clear();
    this.tree.close();
    this.sockets.close();
  }

  /**
   * A process that counts: alive, not a zombie, still holding its memory. One that is
   * exiting has released its memory and is closing its files: a group's workers being
   * stopped must leave the sums at once, sockets too, not linger as connections.
   */
  private liveStatus(pid: number, st = readStatus(pid, this.proc)): ProcStatus | null {
    if (!st || isGoneState(st.state) || !st.hasMemory) return null;
    return st;
  }

  private async take(): Promise<ResourceSample | null> {
    const y = new Yielder();
    const now = performance.now();

    // 1. The root: gone, a zombie, or exiting (its memory already released) ends the series,
    // so the last sample is of the live process, not of its teardown.
    const rootStatus = this.liveStatus(this.pid);
    if (!rootStatus) return null;
    const statuses = new Map<number, ProcStatus>([[this.pid, rootStatus]]);

    // 2. The tree, and each member's fd count (O(1)): what the socket tracker starts from.
    const tree = await this.tree.tree(now, y, statuses);
    this.stats.treeScans = this.tree.scans;
    const members: number[] = [];
    const counts = new Map<number, number | null>();
    for (const pid of tree) {
      if (!this.liveStatus(pid, statuses.get(pid) ?? readStatus(pid, this.proc))) continue;
      const count = fdCount(pid, this.proc, this.fdSize);
      if (count === null && !procExists(pid, this.proc)) continue; // gone in between
      members.push(pid);
      counts.set(pid, count);
      await y.maybe();
    }
    if (members[0] !== this.pid) return null; // the root went away mid-sample
    this.members = members;
    this.tree.keep(members);
    this.sockets.setFdCounts(counts);

    // 3. CPU time (and the root's identity) from stat, on its cadence.
    if (this.cpuCadence.due(now)) {
      const cost = y.meter();
      this.stats.cpuReads++;
      if (!(await this.readCpu(now, y))) return null;
      this.cpuCadence.done(now, cost());
    }

    // 4. Sockets behind new fds (cost follows the change, never held back), then the
    //    expensive parts within the CPU budget, taking turns.
    await this.sockets.lookUpNewFds(y);
    await this.parts.run(now, y, (part) => this.isDue(part, now), async (part) => {
      if (part === 'fds') await this.sockets.list(y, now);
      else if (part === 'tcp') return this.readTcp(y, now);
      else await this.readPss(y);
    });

    // 5. The O(1) figures again, now: a sample that took long (a big TCP table) must not
    //    report the memory and threads of its start beside the connections of its end.
    //    The sockets behind fds opened meanwhile are looked up too (a ramp goes on while a
    //    sample runs): memory and connections of the same moment, so that memory plotted
    //    against connections held does not run ahead of the count.
    let rssBytes = 0;
    let threads = 0;
    let fds = 0;
    let processes = 0;
    const endCounts = new Map<number, number | null>();
    let grew = false;
    for (const pid of this.members) {
      const st = this.liveStatus(pid);
      if (!st) {
        if (pid === this.pid) return null;
        continue;
      }
      processes++;
      rssBytes += st.rssBytes;
      threads += st.threads;
      const count = fdCount(pid, this.proc, this.fdSize);
      fds += count ?? 0;
      endCounts.set(pid, count);
      if (count !== null && count > (counts.get(pid) ?? Infinity)) grew = true;
    }
    if (grew) {
      this.sockets.setFdCounts(endCounts);
      await this.sockets.lookUpNewFds(y);
    }
    const sc = this.sockets.counts();
    this.stats.provisionalConnections = sc.provisional;
    const kernel = readKernelBytes(this.proc);
    if (this.closed) return null;
    this.stats.samples++;
    const sample: ResourceSample = {
      t: Date.now(),
      pid: this.pid,
      processes,
      rssBytes,
      threads,
      fds,
      cpuPercent: this.cpuPercent,
      connections: sc.established + sc.provisional,
      kernelBytesDelta: kernel === null ? 0 : kernel - this.kernelBase,
    };
    if (this.wantPss && this.lastPss !== undefined) sample.pssBytes = this.lastPss;
    return sample;
  }

  /** CPU ticks of the tree since the last read; false if the root's pid now belongs to another process. */
  private async readCpu(now: number, y: Yielder): Promise<boolean> {
    let ticks = 0;
    const marks = new Map<number, CpuMark>();
    for (const pid of this.members) {
      const st = readStat(pid, this.proc);
      if (!st) continue;
      if (pid === this.pid) {
        if (this.rootStart === null) this.rootStart = st.starttime;
        else if (st.starttime !== this.rootStart) return false;
      }
      const total = st.utime + st.stime;
      const prev = this.cpuMarks.get(pid);
      const same = prev !== undefined && prev.starttime === st.starttime;
      if (prev && !same) this.sockets.forget(pid); // pid reused: forget its fds
      ticks += same ? Math.max(0, total - prev.ticks) : total;
      marks.set(pid, { starttime: st.starttime, ticks: total });
      await y.maybe();
    }
    this.cpuMarks = marks;
    if (this.cpuAt !== null) {
      const dt = (now - this.cpuAt) / 1000;
      if (dt > 0) this.cpuPercent = Math.round((ticks / CLK_TCK / dt) * 1000) / 10;
    }
    this.cpuAt = now;
    return true;
  }

  /** Read the TCP tables: within this sample when that is cheap, else in the background. */
  private async readTcp(y: Yielder, now: number): Promise<void | 'deferred'> {
    if (this.parts.lastCost.tcp <= this.tcpForegroundMs) return this.sockets.readTcp(y, now);
    const own = new Yielder(); // its own CPU meter: what samples do meanwhile is not its cost
    const cost = own.meter();
    this.tcpReading = this.sockets
      .readTcp(own, now)
      .then(() => {
        if (!this.closed) this.parts.settle('tcp', cost());
      })
      .catch(() => {
        // unreadable now: the next read will tell
      })
      .finally(() => {
        this.tcpReading = null;
      });
    return 'deferred';
  }

  private isDue(part: Part, now: number): boolean {
    if (part === 'fds') return this.sockets.listingDue(now);
    if (part === 'tcp') return this.tcpReading === null && this.sockets.tcpDue(now, this.parts.lastCost.tcp);
    return this.wantPss && now - this.parts.lastRunAt.pss >= Math.max(PSS_MIN_INTERVAL_MS, PSS_COST_FACTOR * this.parts.lastCost.pss);
  }

  private async readPss(y: Yielder): Promise<void> {
    let total = 0;
    let any = false;
    for (const pid of this.members) {
      const text = readProcFile(`${this.proc}/${pid}/smaps_rollup`);
      const pss = text === null ? null : parseSmapsRollupPss(text);
      if (pss === null) {
        if (procExists(pid, this.proc)) {
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
