/**
 * Resource sampler entry point: pick the platform sampler, tick it at a fixed rate,
 * and derive memory per connection.
 *
 *   const run = startSampling(child.pid, { hz: 4, onSample: (s) => send(s), onEnd: (r) => … });
 *   …
 *   await run.stop();
 */
import { DarwinSampler } from './darwin.js';
import { LinuxSampler } from './linux-sampler.js';
import type { ProcessSampler, ResourceSample, SamplerOptions } from './sample.js';

export type { ProcessSampler, ResourceSample, SamplerOptions } from './sample.js';
export { DarwinSampler } from './darwin.js';
export { LinuxSampler } from './linux-sampler.js';

/** A sampler for the process tree rooted at `pid`, for this platform (Linux or macOS). */
export function createSampler(pid: number, opts: SamplerOptions = {}): ProcessSampler {
  if (!Number.isSafeInteger(pid) || pid <= 0) throw new RangeError(`invalid pid ${pid}`);
  switch (process.platform) {
    case 'linux':
      return new LinuxSampler(pid, opts);
    case 'darwin':
      return new DarwinSampler(pid);
    default:
      throw new Error(`resource sampling is not supported on ${process.platform}`);
  }
}

/** Why a sampling run ended. */
export type SamplingEndReason =
  /** the followed process is gone */
  | 'exited'
  /** `stop()` was called */
  | 'stopped'
  /** the sampler or `onSample` threw; the error is passed along */
  | 'error';

export interface SamplingOptions {
  /** Samples per second (default 4, clamped to 0.1 … 50). */
  hz?: number;
  onSample: (sample: ResourceSample) => void;
  /** Called exactly once, when the run ends for any reason. */
  onEnd?: (reason: SamplingEndReason, error?: unknown) => void;
  /** Use this sampler instead of `createSampler(pid, samplerOptions)` (closed at the end). */
  sampler?: ProcessSampler;
  samplerOptions?: SamplerOptions;
}

export interface SamplingRun {
  /** Stop sampling (no more onSample after this resolves); resolves once the run has ended. */
  stop(): Promise<void>;
  /** Resolves with the end reason; never rejects. */
  readonly done: Promise<SamplingEndReason>;
}

/**
 * Sample the tree under `pid` at `hz`, first sample at once. Samples never overlap: if
 * one takes longer than the period, ticks are skipped rather than queued. Ends by
 * itself when the process is gone. Never throws from a timer; failures end the run
 * with reason 'error'.
 */
export function startSampling(pid: number, opts: SamplingOptions): SamplingRun {
  const hz = Math.min(Math.max(Number.isFinite(opts.hz) ? (opts.hz as number) : 4, 0.1), 50);
  const period = 1000 / hz;
  let sampler: ProcessSampler | null = null;
  let ended = false;
  let timer: NodeJS.Timeout | null = null;
  let wake: (() => void) | null = null;
  let resolveDone!: (r: SamplingEndReason) => void;
  const done = new Promise<SamplingEndReason>((resolve) => (resolveDone = resolve));

  const end = (reason: SamplingEndReason, error?: unknown): void => {
    if (ended) return;
    ended = true;
    if (timer) clearTimeout(timer);
    timer = null;
    try {
      sampler?.close();
    } catch {
      // closing is best effort
    }
    try {
      opts.onEnd?.(reason, error);
    } catch {
      // a throwing onEnd must not escape into a timer
    }
    resolveDone(reason);
  };

  const loop = async (): Promise<void> => {
    try {
      sampler = opts.sampler ?? createSampler(pid, opts.samplerOptions);
    } catch (error) {
      end('error', error);
      return;
    }
    const start = performance.now();
    let tick = 0;
    while (!ended) {
      let s: ResourceSample | null;
      try {
        s = await sampler.sample();
      } catch (error) {
        end('error', error);
        return;
      }
      if (ended) return;
      if (s === null) {
        end('exited');
        return;
      }
      try {
        opts.onSample(s);
      } catch (error) {
        end('error', error);
        return;
      }
      if (ended) return;
      // Next slot on the fixed grid that is still in the future (skip missed ticks).
      const now = performance.now();
      tick = Math.max(tick + 1, Math.ceil((now - start) / period));
      const delay = Math.max(0, start + tick * period - now);
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, delay);
      });
      wake = null;
      timer = null;
    }
  };
  const running = loop();

  return {
    done,
    async stop() {
      end('stopped');
      wake?.();
      await running;
    },
  };
}

/**
 * Memory per connection: (RSS of `current` − RSS of `baseline`) / (connections added).
 * Undefined when no connections were added (or they went down). Bytes per connection.
 */
export function perConnection(baseline: ResourceSample, current: ResourceSample): number | undefined {
  const added = current.connections - baseline.connections;
  if (!(added > 0)) return undefined;
  return (current.rssBytes - baseline.rssBytes) / added;
}
