// A source that plays back a real recording (asciicast v2 + metrics track) as the same run
// events a live run gives, with play/pause, speed and seek.
import { parseRecording, recordingPaths, type Recording } from '../../../shared/recording.js';
import { SourceBase, type DemoRequest, type DemoSource, type ReplayControls } from './demo-source.js';
import type { Marker, Provenance, RunEnd } from './run-events.js';

const TICK_MS = 33;

/** Recording files fetched so far, by URL: a live terminal's recording is fetched ahead, so it plays even once the demo server is gone. */
const fetched = new Map<string, Promise<string>>();

function fetchText(url: string): Promise<string> {
  let text = fetched.get(url);
  if (!text) {
    text = fetch(url).then((res) => {
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return res.text();
    });
    fetched.set(url, text);
    text.catch(() => fetched.delete(url)); // a later try may find it
  }
  return text;
}

function recordingUrls(request: DemoRequest, baseUrl: string): string[] {
  const paths = recordingPaths(request.variant ?? 'default', request.params);
  const base = `${baseUrl}recordings/${request.demo}/`;
  // '@', '=' and ',' are fine in a path; escaping them makes some static servers miss the file.
  return [paths.cast, paths.metrics].map((p) => base + encodeURI(p));
}

/** Fetches a run's recording from the site: recordings/<demo>/<variant>[@params].cast and .metrics.jsonl. */
async function fetchRecording(request: DemoRequest, baseUrl: string): Promise<Recording> {
  const [cast, metrics] = await Promise.all(recordingUrls(request, baseUrl).map(fetchText));
  return parseRecording(cast!, metrics!);
}

let index: Promise<Set<string>> | undefined;

/**
 * Fetches a recording now, to have it at hand if the live demo fails later: only one the
 * site lists (recordings/index.json), so a demo without a recording costs no failed request.
 */
export function prefetchRecording(request: DemoRequest, baseUrl: string): void {
  index ??= fetch(`${baseUrl}recordings/index.json`)
    .then((r) => (r.ok ? (r.json() as Promise<string[]>) : []))
    .then((list) => new Set(list.map((f) => `${baseUrl}recordings/${encodeURI(f)}`)))
    .catch(() => new Set<string>());
  void index.then((have) => {
    for (const url of recordingUrls(request, baseUrl)) if (have.has(url)) fetchText(url).catch(() => undefined);
  });
}

export class ReplaySource extends SourceBase implements DemoSource, ReplayControls {
  readonly acceptsInput = false;
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
    request: DemoRequest,
    private readonly baseUrl: string,
  ) {
    super(request);
  }

  get provenance(): Provenance {
    return { kind: 'recording', recordedOn: this.recording?.header.what_is_async.recordedOn };
  }

  get controls(): ReplayControls | undefined {
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
    try {
      this.recording = await fetchRecording(this.request, this.baseUrl);
    } catch (err) {
      const { demo, variant } = this.request;
      this.loadError = `No recording of "${demo}${variant ? ` · ${variant}` : ''}" in this build (${(err as Error).message}). Record it with: npm run record -- ${demo}`;
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
  get markers(): Marker[] {
    return this.rec.events.filter((e) => e[1] === 'm').map(([at, , label]) => ({ at, label }));
  }

  start(): void {
    if (!this.recording) return;
    this.seek(0);
    this.resume();
  }

  /** Stop: the replay halts where it is, and ends like a stopped run. */
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

  /** Jumps to `seconds`: the screen and meters start over and are rebuilt up to there. */
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
      const h = r.header;
      const { demo, variant, params } = h.what_is_async;
      this.emit('run', { demo, variant, params, size: { cols: h.width, rows: h.height }, provenance: this.provenance });
    }
    // Output of one tick goes out in one write (fewer, larger writes draw faster); a step
    // marker goes out after the output before it.
    let text = '';
    const flush = () => {
      if (text) this.emit('output', new TextEncoder().encode(text));
      text = '';
    };
    // Readings and markers in the order they were recorded, however far one tick goes (a seek
    // or a snapshot): the meters' final reading is the last one before a step.
    const metricsUpTo = (until: number) => {
      while (this.nextMetric < r.metrics.length && r.metrics[this.nextMetric]!.t <= until) {
        const { sample, perConnectionBytes, kernelBytesSinceBaseline } = r.metrics[this.nextMetric++]!;
        this.emit('metrics', { sample, perConnectionBytes, kernelBytesSinceBaseline });
      }
    };
    while (this.nextEvent < r.events.length && r.events[this.nextEvent]![0] <= to) {
      const [at, kind, data] = r.events[this.nextEvent++]!;
      if (kind === 'o') text += data;
      else if (kind === 'm') {
        flush();
        metricsUpTo(at);
        this.emit('marker', { label: data, at });
      }
    }
    flush();
    metricsUpTo(to);
    this.pos = Math.min(to, r.duration);
    if (this.pos >= r.duration && !this.finished) {
      this.pause();
      this.finish(r.exit ?? { code: 0, signal: null, reason: 'exited' });
    }
  }

  private finish({ code, signal, reason }: RunEnd): void {
    this.finished = true;
    this.emit('exit', { code, signal, reason });
  }

  input(): void {}
  resize(): void {}
  ack(): void {}

  override dispose(): void {
    this.pause();
    super.dispose();
  }
}

/**
 * A recording's final screen and meters, at once (the print view, the speaker view's
 * previews): a replay that jumps to its end when started, with nothing to control.
 */
export class SnapshotSource extends ReplaySource {
  override get controls(): undefined {
    return undefined;
  }

  override start(): void {
    if (super.controls) this.seek(this.duration);
  }
}
