// Records one real run of a demo variant: its terminal as asciicast v2 and its meters as a
// metrics track, both on the run's own clock. The recorder is the run's pace-setter: it
// acknowledges each chunk once it has it, so a flood is recorded as fast as it comes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fingerprint } from './source-fingerprint.js';
import type { Demo } from '../registry/registry.js';
import { planLaunch } from '../session/demo-launcher.js';
import { DemoRun } from '../run/demo-run.js';
import { SummaryBuilder, type RunSummary } from '../run/run-summary.js';
import type { CastEvent, CastHeader, ExitRecord, MetricsHeader, MetricsRecord, RecordedOn } from '../../shared/recording.js';
import { recordingPaths } from '../../shared/recording.js';

export interface RecordResult {
  castFile: string;
  metricsFile: string;
  events: number;
  samples: number;
  seconds: number;
  summary: RunSummary;
}

export async function recordVariant(
  demo: Demo,
  variant: string,
  opts: {
    sampleHz: number;
    recordedOn: RecordedOn;
    /** Parameters a slide sets: recorded under their own file name; otherwise the manifest's recording parameters. */
    slideParams?: Record<string, number | boolean | string> | undefined;
    outDir?: string;
    onProgress?: (seconds: number, events: number) => void;
  },
): Promise<RecordResult> {
  const m = demo.manifest;
  const rec = m.recording;
  const launch = planLaunch(new Map([[m.id, demo]]), { demo: m.id, variant, params: opts.slideParams ?? rec.params });
  if (!launch.ok) throw new Error(launch.message);
  const plan = launch.plan;
  const sources = fingerprint(dirname(demo.dir), m.id); // what this run is made from, read before it starts

  const run = new DemoRun({ plan, cols: rec.cols, rows: rec.rows, sampleHz: opts.sampleHz });
  const now = () => Math.round(run.now()) / 1000;
  const seconds = (at: number) => Math.round(at) / 1000;
  const events: CastEvent[] = [];
  const metrics: MetricsRecord[] = [];
  const meters = new SummaryBuilder(m.id, variant);
  const decoder = new TextDecoder('utf-8'); // streaming: a character split across reads stays whole
  let resolveExit!: (exit: RunSummary['exit']) => void;
  const exited = new Promise<RunSummary['exit']>((r) => (resolveExit = r));
  const self = run.subscribe(
    (e) => {
      switch (e.type) {
        case 'output': {
          const text = decoder.decode(e.bytes, { stream: true });
          if (text) events.push([seconds(e.at), 'o', text]);
          self.ack(e.bytes.byteLength);
          break;
        }
        case 'marker':
          events.push([seconds(e.at), 'm', e.label]);
          break;
        case 'metrics': {
          const x = e.reading;
          meters.add(x);
          metrics.push({ t: seconds(e.at), type: 'metrics', sample: x.sample, perConnectionBytes: x.perConnectionBytes, kernelBytesSinceBaseline: x.kernelBytesSinceBaseline });
          break;
        }
        case 'exit':
          resolveExit(e.exit);
          break;
        case 'screen':
          break; // it follows from the start
      }
    },
    { role: 'pace-setter' },
  );
  const typing = rec.input.map(({ at, data }) =>
    setTimeout(() => {
      events.push([now(), 'i', data]);
      run.write(data);
    }, at * 1000),
  );
  const progress = setInterval(() => opts.onProgress?.(now(), events.length), 1000);
  const limit = setTimeout(() => {
    events.push([now(), 'm', 'recording length reached: stopped']);
    void run.stop();
  }, rec.maxSeconds * 1000);
  let runExit: RunSummary['exit'];
  try {
    runExit = await exited;
  } finally {
    clearTimeout(limit);
    clearInterval(progress);
    typing.forEach(clearTimeout);
  }
  const summary = meters.finish(runExit);
  const tail = decoder.decode();
  if (tail) events.push([now(), 'o', tail]);
  const exit: ExitRecord = { t: now(), type: 'exit', ...summary.exit };

  const outDir = opts.outDir ?? join(demo.dir, 'recordings');
  mkdirSync(outDir, { recursive: true });
  const paths = recordingPaths(variant, opts.slideParams);
  const header: CastHeader = {
    version: 2,
    width: rec.cols,
    height: rec.rows,
    timestamp: Math.floor(Date.now() / 1000),
    duration: exit.t,
    title: `${m.title} · ${m.variants[variant]!.title}`,
    env: { TERM: 'xterm-256color' },
    what_is_async: { demo: m.id, variant, params: plan.params, recordedOn: opts.recordedOn, sources },
  };
  const metricsHeader: MetricsHeader = { version: 1, demo: m.id, variant, hz: opts.sampleHz, recordedOn: opts.recordedOn };
  const castFile = join(outDir, paths.cast);
  const metricsFile = join(outDir, paths.metrics);
  writeFileSync(castFile, [header, ...events].map((e) => JSON.stringify(e)).join('\n') + '\n');
  writeFileSync(metricsFile, [metricsHeader, ...metrics, exit].map((e) => JSON.stringify(e)).join('\n') + '\n');
  return { castFile, metricsFile, events: events.length, samples: metrics.length, seconds: exit.t, summary };
}
