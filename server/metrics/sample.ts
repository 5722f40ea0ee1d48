/**
 * Resource-meter types: what the sampler reports about the process tree under test.
 *
 * One `ResourceSample` describes the whole tree (the followed root pid plus all its
 * descendants) at one instant. Counts and byte sizes are sums over the tree, except
 * `connections` (distinct sockets: a socket inherited by two processes counts once)
 * and `kernelBytesDelta` (machine-wide, see there).
 */
export interface ResourceSample {
  /** Wall-clock time of the sample, ms since the Unix epoch. */
  t: number;
  /** Root of the followed tree (the pid the sampler was created for). */
  pid: number;
  /** Number of processes in the tree (root included). */
  processes: number;
  /** Resident set size summed over the tree, bytes. Shared pages count once per process. */
  rssBytes: number;
  /**
   * Proportional set size summed over the tree, bytes (Linux `smaps_rollup`; shared pages
   * are split between the processes sharing them, so the sum is not inflated by fork).
   * Absent where unreadable (other platforms, permissions). Walking the page tables is
   * expensive, so the Linux sampler refreshes it at most once a second (less often for
   * huge address spaces, e.g. every ~2 s at 10k threads) and repeats the last value.
   */
  pssBytes?: number;
  /** Threads summed over the tree. */
  threads: number;
  /** Open file descriptors summed over the tree. */
  fds: number;
  /**
   * CPU use of the tree over the interval since the previous sample, in % of ONE core
   * (100 = one core busy; a multi-threaded tree can exceed 100). 0 on the first sample.
   * Linux reads CPU time less often when that read is expensive (the kernel sums it over
   * every thread: every ~3rd sample at 10k threads) and repeats the value in between.
   */
  cpuPercent: number;
  /**
   * TCP sockets in state ESTABLISHED owned by the tree (IPv4 and IPv6), each socket once.
   * A connection whose both ends live in the tree (e.g. a process talking to its own
   * listener over loopback) counts twice: two sockets. Linux: a new TCP socket counts at
   * once, provisionally (accepted and connected sockets are ESTABLISHED), and is
   * confirmed or dropped when the TCP tables are next read, which happens within a CPU
   * budget: with hundreds of sockets in the namespace every sample, with tens of
   * thousands every few seconds (see SamplerOptions.costBudget).
   */
  connections: number;
  /**
   * MACHINE-WIDE, not per tree: change in kernel memory since the sampler was created,
   * bytes. Linux: Slab + KernelStack + PageTables from /proc/meminfo (the demo's socket
   * and file structures, thread stacks and page tables show up here, but so does
   * everything else the machine does). macOS: change in wired memory (vm_stat) since
   * the first sample, a rougher proxy. May be negative.
   */
  kernelBytesDelta: number;
}

/** Follows one process tree; one instance per followed root. */
export interface ProcessSampler {
  /** The followed root pid. */
  readonly pid: number;
  /**
   * Take one sample. Resolves to null once the root process is gone (exited, zombie, or
   * its pid reused); never rejects because a process of the tree exited mid-sample.
   */
  sample(): Promise<ResourceSample | null>;
  /** Release caches; further `sample()` calls resolve to null. */
  close(): void;
}

export interface SamplerOptions {
  /**
   * Linux: collect `pssBytes` (default true). The page-table walk is budgeted (see
   * `costBudget`), so a 10k-thread process gets PSS refreshed less often.
   */
  pss?: boolean;
  /**
   * Linux: fraction of one core that the expensive, optional parts of sampling (mapping
   * fds to sockets by listing fd directories, reading the TCP tables, PSS) may use on
   * average, together; they run less often to stay under it. Default 0.02 (2 %). One
   * read of the TCP tables costs ~30-150 ms of CPU at 10-30k rows (the whole network
   * namespace counts, TIME_WAIT rows of earlier runs too), so at the default it happens
   * every few seconds then; raise the budget (e.g. 0.05) to confirm counts sooner.
   * Threads, fds, RSS, CPU and looking up sockets behind new fds are not budgeted.
   */
  costBudget?: number;
  /**
   * Linux: a TCP table read whose last run cost more than this many ms of CPU goes on in
   * the background, and samples keep coming meanwhile (default 50; at 100k connections
   * a read costs ~1 s).
   */
  tcpForegroundMs?: number;
  /** Linux: procfs mount point (default "/proc"); for tests. */
  procRoot?: string;
}

/**
 * Wraps a sampler's `take` so calls made while one is running share its result: a slow
 * sample is never started twice at once.
 */
export function singleFlight<T>(take: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | null = null;
  return () =>
    (inFlight ??= take().finally(() => {
      inFlight = null;
    }));
}
