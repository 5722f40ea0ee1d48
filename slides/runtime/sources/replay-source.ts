// A source that plays back a real recording (asciicast v2 + metrics track) through the same
// events as a live session, with play/pause, speed and seek.
import { parseRecording, recordingPaths, type Recording } from '../../../shared/recording.js';
import { Emitter, type DemoRequest, type DemoSource, type ReplayControls, type SourceEvents } from './source.js';

const TICK_MS = 33;

function label(r: Recording): string {
  const on = r.header.what_is_async.recordedOn;
  return `recorded on ${on.date.slice(0, 10)} · ${on.os.replace(/ \(.*\)$/, '')}, ${on.machine}, Python ${on.python}`;
}

export class ReplaySource extends Emitter<SourceEvents> implements DemoSource, ReplayControls {
  private recording: Recording | undefined;
  private loading: Promise<void> | undefined;
  private loadError: string | undefined;
  private pos = 0;
  private nextEvent = 0;
  private nextMetric = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private wallStart = 0;
  private posStart = 0;
  private started = false;
  private finished = false;
  speed = 1;

  constructor(
    private readonly request: DemoRequest,
    private readonly baseUrl: string,
  ) {
    super();
  }

  get replay(): ReplayControls | undefined {
    return this.recording ? this : undefined;
  }

  private get rec(): Recording {
    if (!this.recording) throw new Error('recording not loaded');
    return this.recording;
  }

  ready(): Promise<void> {
    return (this.loading ??= this.load());
  }

  private async load(): Promise<void> {
    const variant = this.request.variant ?? 'default';
    const paths = recordingPaths(variant, this.request.params);
    const base = `${this.baseUrl}recordings/${this.request.demo}/`;
    try {
      const [cast, metrics] = await Promise.all(
        [paths.cast, paths.metrics].map(async (p) => {
          // '@', '=' and ',' are fine in a path; escaping them makes some static servers miss the file.
          const res = await fetch(base + encodeURI(p));
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
          return res.text();
        }),
      );
      this.recording = parseRecording(cast!, metrics!);
    } catch (err) {
      this.loadError = `No recording of "${this.request.demo}${this.request.variant ? ` · ${this.request.variant}` : ''}" in this build (${(err as Error).message}). Record it with: npm run record -- ${this.request.demo}`;
    }
  }

  async unavailable(): Promise<string | undefined> {
    await this.ready();
    return this.loadError;
  }

  get duration(): number {
    return this.rec.duration;
  }
  get position(): number {
    return this.pos;
  }
  get playing(): boolean {
    return this.timer !== undefined;
  }
  get markers(): { t: number; label: string }[] {
    return this.rec.events.filter((e) => e[1] === 'm').map(([t, , label]) => ({ t, label }));
  }
  get recordedLabel(): string {
    return label(this.rec);
  }

  start(): void {
    if (!this.recording) return;
    this.seek(0);
    this.resume();
  }

  /** Stop: the replay halts where it is, and ends like a stopped session. */
  stop(): void {
    if (!this.started || this.finished) return;
    this.pause();
    this.finish({ code: null, signal: null, reason: 'stopped' });
  }

  pause(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  resume(): void {
    if (!this.recording || this.timer !== undefined) return;
    if (this.finished) this.seek(0);
    this.wallStart = performance.now();
    this.posStart = this.pos;
    this.timer = setInterval(() => this.advance(this.posStart + ((performance.now() - this.wallStart) / 1000) * this.speed), TICK_MS);
  }

  setSpeed(speed: number): void {
    this.posStart = this.pos;
    this.wallStart = performance.now();
    this.speed = speed;
  }

  /** Jumps to `seconds`: the screen and meters are rebuilt from the start up to there. */
  seek(seconds: number): void {
    const r = this.rec;
    this.pos = 0;
    this.nextEvent = this.nextMetric = 0;
    this.finished = false;
    this.started = false;
    this.emit('reset', undefined);
    this.posStart = 0;
    this.wallStart = performance.now();
    this.advance(Math.max(0, Math.min(seconds, r.duration)));
    this.posStart = this.pos;
  }

  private advance(to: number): void {
    const r = this.rec;
    if (!this.started) {
      this.started = true;
      const h = r.header.what_is_async;
      this.emit('started', { type: 'started', session: 0, demo: h.demo, variant: h.variant, pid: 0, argv: [], params: h.params, timeLimitSeconds: 0 });
    }
    // Output of one tick goes out in one write: fewer, larger writes draw faster.
    let text = '';
    while (this.nextEvent < r.events.length && r.events[this.nextEvent]![0] <= to) {
      const [, kind, data] = r.events[this.nextEvent++]!;
      if (kind === 'o') text += data;
    }
    if (text) this.emit('output', new TextEncoder().encode(text));
    while (this.nextMetric < r.metrics.length && r.metrics[this.nextMetric]!.t <= to) {
      const m = r.metrics[this.nextMetric++]!;
      this.emit('metrics', { type: 'metrics', session: 0, sample: m.sample, perConnectionBytes: m.perConnectionBytes, kernelBytesSinceBaseline: m.kernelBytesSinceBaseline, underTest: { pid: m.sample.pid, match: null } });
    }
    this.pos = Math.min(to, r.duration);
    if (this.pos >= r.duration && !this.finished) {
      this.pause();
      this.finish(r.exit ?? { code: 0, signal: null, reason: 'exited' });
    }
  }

  private finish(exit: { code: number | null; signal: string | null; reason: 'exited' | 'stopped' | 'timeout' | 'disconnected' | 'shutdown' }): void {
    this.finished = true;
    this.emit('exit', { type: 'exit', session: 0, code: exit.code, signal: exit.signal, reason: exit.reason });
  }

  input(): void {}
  resize(): void {}
  ack(): void {}

  dispose(): void {
    this.pause();
    this.clear();
  }
}
