// Follows a session's process under test with the resource sampler and turns samples into
// metrics messages: the root process, or the one in its tree the manifest names.
import { execFileSync } from 'node:child_process';
import { fdCount, readCmdline, readStatus } from '../metrics/procfs.js';
import { startSampling, perConnection, type SamplingRun, type ResourceSample } from '../metrics/index.js';
import type { MetricsMessage } from '../../shared/wire.js';
import { descendants, isAlive } from './process-tree.js';

export const DEFAULT_SAMPLE_HZ = 4;
/**
 * Memory per connection is shown only once this many connections were added: with a
 * handful, the program's own start-up and warm-up dominate and the quotient means nothing.
 */
export const MIN_CONNECTIONS_FOR_PER_CONNECTION = 20;

/** A sample of a process that holds no connections yet (fewer open files than the figure needs), read now. */
function quietStart(pid: number): ResourceSample | undefined {
  const st = readStatus(pid);
  const fds = fdCount(pid);
  if (!st || fds === null || fds >= MIN_CONNECTIONS_FOR_PER_CONNECTION) return undefined;
  // A server that starts workers: their start-up is not load; its first samples say where load starts.
  if (descendants(pid).length > 0) return undefined;
  return { t: Date.now(), pid, processes: 1, rssBytes: st.rssBytes, threads: st.threads, fds, cpuPercent: 0, connections: 0, kernelBytesDelta: 0 };
}

function commandLine(pid: number): string {
  try {
    if (process.platform === 'linux') return readCmdline(pid);
    return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' });
  } catch {
    return '';
  }
}

/** The first process of the tree (root included) whose command line contains `match`. */
export function findUnderTest(root: number, match: string): number | undefined {
  return [root, ...descendants(root)].find((pid) => commandLine(pid).includes(match));
}

export interface SessionMeterOptions {
  root: number;
  match: string | undefined;
  hz: number;
  onMetrics: (m: Omit<MetricsMessage, 'type' | 'session'>) => void;
}

export class SessionMeter {
  private run: SamplingRun | undefined;
  private finder: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly opts: SessionMeterOptions) {
    if (opts.match === undefined) this.follow(opts.root);
    else this.waitFor(opts.match);
  }

  /** The process under test may start a moment after the session: look for it until it does. */
  private waitFor(match: string): void {
    const look = () => {
      if (this.stopped || !isAlive(this.opts.root)) return;
      const pid = findUnderTest(this.opts.root, match);
      if (pid !== undefined) this.follow(pid);
      else this.finder = setTimeout(look, 100);
    };
    look();
  }

  private follow(pid: number): void {
    if (this.stopped) return;
    // The moment it is found, before its first sample (which can take long on a busy
    // machine, a big TCP table, and end after a fast ramp is over): a process with fewer
    // open files than the connections that make the figure meaningful holds no load yet, so
    // its memory now is where load starts. Without it, memory per connection of a ramp
    // that outran the first sample would never show.
    let baseline: ResourceSample | undefined = process.platform === 'linux' ? quietStart(pid) : undefined;
    const underTest = { pid, match: this.opts.match ?? null };
    this.run = startSampling(pid, {
      hz: this.opts.hz,
      onSample: (sample) => {
        // The baseline is the latest sample taken before load: the program has started and
        // holds no more connections than it ever did, so later growth is the load's. The
        // sampler may refresh its TCP table less often than its fd count, so a jump in open
        // files also says that load has begun, unless processes joined or left the group
        // followed: a server starting its workers opens files too, and their start-up
        // memory is not the load's.
        const base: ResourceSample =
          !baseline ||
          (sample.connections <= baseline.connections &&
            (sample.fds - baseline.fds < MIN_CONNECTIONS_FOR_PER_CONNECTION || sample.processes !== baseline.processes))
            ? (baseline = sample)
            : baseline;
        const added = sample.connections - base.connections;
        this.opts.onMetrics({
          sample,
          perConnectionBytes: added >= MIN_CONNECTIONS_FOR_PER_CONNECTION ? (perConnection(base, sample) ?? null) : null,
          kernelBytesSinceBaseline: sample.kernelBytesDelta - base.kernelBytesDelta,
          underTest,
        });
      },
    });
  }

  stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.finder);
    return this.run?.stop() ?? Promise.resolve();
  }
}
