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

/**
 * What a meter shows at one moment: a sample of the process under test and what is derived
 * from the run so far. Live runs send it in a metrics message; recordings keep it, one a line.
 */
export interface MeterReading {
  sample: ResourceSample;
  /**
   * RSS added per connection added since the baseline (the latest sample before load);
   * null until enough connections were added for the quotient to mean something.
   */
  perConnectionBytes: number | null;
  /** Machine-wide kernel memory (Slab + KernelStack + PageTables) added since the baseline. */
  kernelBytesSinceBaseline: number;
}
