// Folds a run's meter readings into the figures a summary shows: the CLI's table, the
// recorder's report.
import type { MetricsMessage, ExitMessage } from '../../shared/wire.js';

/** Why the CLI stopped a run that had not ended by itself. */
export type StopCause = 'ctrl-c' | 'max-seconds' | 'point-made' | 'signal';

export interface RunSummary {
  demo: string;
  variant: string;
  elapsedSeconds: number;
  exit: Pick<ExitMessage, 'code' | 'signal' | 'reason'>;
  samples: number;
  peakRssBytes: number | null;
  peakThreads: number | null;
  peakFds: number | null;
  peakConnections: number | null;
  meanCpuPercent: number | null;
  peakCpuPercent: number | null;
  /** The last memory-per-connection figure of the run, when connections were added. */
  perConnectionBytes: number | null;
  /** Set when the CLI stopped it: Ctrl-C, its time bound, its point made, or a signal. */
  stoppedBy?: StopCause;
}

export class SummaryBuilder {
  private n = 0;
  private cpuSum = 0;
  private readonly s: Omit<RunSummary, 'elapsedSeconds' | 'exit' | 'samples' | 'meanCpuPercent'> = {
    demo: '',
    variant: '',
    peakRssBytes: null,
    peakThreads: null,
    peakFds: null,
    peakConnections: null,
    peakCpuPercent: null,
    perConnectionBytes: null,
  };
  private readonly started = Date.now();

  constructor(demo: string, variant: string) {
    this.s.demo = demo;
    this.s.variant = variant;
  }

  add(m: Pick<MetricsMessage, 'sample' | 'perConnectionBytes'>): void {
    const max = (a: number | null, b: number) => (a === null ? b : Math.max(a, b));
    const x = m.sample;
    this.n++;
    this.cpuSum += x.cpuPercent;
    this.s.peakRssBytes = max(this.s.peakRssBytes, x.rssBytes);
    this.s.peakThreads = max(this.s.peakThreads, x.threads);
    this.s.peakFds = max(this.s.peakFds, x.fds);
    this.s.peakConnections = max(this.s.peakConnections, x.connections);
    this.s.peakCpuPercent = max(this.s.peakCpuPercent, x.cpuPercent);
    if (m.perConnectionBytes !== null) this.s.perConnectionBytes = m.perConnectionBytes;
  }

  finish(exit: RunSummary['exit']): RunSummary {
    return {
      ...this.s,
      elapsedSeconds: (Date.now() - this.started) / 1000,
      exit,
      samples: this.n,
      // The first sample has no interval behind it, so it carries no CPU figure.
      meanCpuPercent: this.n > 1 ? this.cpuSum / (this.n - 1) : null,
    };
  }
}
