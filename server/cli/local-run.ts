// Runs one demo variant in a PTY in this process, with the same launch plan, PTY session
// and meters the demo server uses: for `run`, `compare` and `record`.
import type { LaunchPlan } from '../session/demo-launcher.js';
import { PtySession } from '../session/pty-session.js';
import { SessionMeter } from '../session/session-meter.js';
import type { MetricsMessage, ExitMessage } from '../../shared/wire.js';
import { SummaryBuilder, type RunSummary } from './run-summary.js';

export interface LocalRunOptions {
  plan: LaunchPlan;
  cols: number;
  rows: number;
  sampleHz: number;
  /** Called with each chunk of output; call `done` once it is written so more may follow. */
  onOutput: (bytes: Buffer, done: () => void) => void;
  onMetrics?: (m: Omit<MetricsMessage, 'type' | 'session'>) => void;
  onExit?: (exit: Pick<ExitMessage, 'code' | 'signal' | 'reason'>) => void;
}

export interface LocalRun {
  session: PtySession;
  /** Resolves when the demo has ended and its whole process tree is gone. */
  finished: Promise<RunSummary>;
  stop(): Promise<RunSummary>;
  /**
   * Stops it as Ctrl-C in its terminal would, so it may print its closing lines, then ends
   * whatever is left after `graceMs`. The run ends as "stopped" even if the demo exits by itself.
   */
  interrupt(graceMs?: number): Promise<RunSummary>;
}

/** How long a demo gets to finish by itself after Ctrl-C before its process tree is ended. */
export const INTERRUPT_GRACE_MS = 1000;

export function runLocal(opts: LocalRunOptions): LocalRun {
  const summary = new SummaryBuilder(opts.plan.demo, opts.plan.variant);
  let meter: SessionMeter | undefined;
  let interrupted = false;
  let resolve!: (s: RunSummary) => void;
  const finished = new Promise<RunSummary>((r) => (resolve = r));
  const session = new PtySession({
    argv: opts.plan.argv,
    cwd: opts.plan.cwd,
    env: opts.plan.env,
    cols: opts.cols,
    rows: opts.rows,
    timeLimitMs: opts.plan.timeLimitSeconds * 1000,
    onOutput: (bytes) => opts.onOutput(bytes, () => session.ack(bytes.byteLength)),
    onExit: (exited) => {
      const exit = interrupted && exited.reason === 'exited' ? { ...exited, reason: 'stopped' as const } : exited;
      void (meter?.stop() ?? Promise.resolve()).then(() => {
        opts.onExit?.(exit);
        resolve(summary.finish(exit));
      });
    },
  });
  meter = new SessionMeter({
    root: session.pid,
    match: opts.plan.underTest?.match,
    hz: opts.sampleHz,
    onMetrics: (m) => {
      summary.add(m);
      opts.onMetrics?.(m);
    },
  });
  return {
    session,
    finished,
    // The meters stop first: a run ends with its last live reading, not with its teardown
    // (a server group's workers take seconds to close 100,000 sockets, while its first
    // process, the one followed, waits for them).
    stop: () => (meter?.stop() ?? Promise.resolve()).then(() => session.stop('stopped')).then(() => finished),
    interrupt: (graceMs = INTERRUPT_GRACE_MS) => {
      if (!interrupted) {
        interrupted = true;
        void meter?.stop();
        session.write('\x03');
        setTimeout(() => void session.stop('stopped'), graceMs).unref();
      }
      return finished;
    },
  };
}
