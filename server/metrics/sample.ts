// The sampler's interfaces, on the server side; the sample itself is shared with the browser.
import type { ResourceSample } from '../../shared/sample.js';

export type { ResourceSample };

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
