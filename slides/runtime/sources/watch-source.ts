// The presenter's live run, followed read-only (an audience page, the speaker view's current
// slide): the same run events a live source gives, from the run's snapshot on `attached` (its
// screen now, its meters' history, its steps) and then what follows. It starts, stops, types
// and resizes nothing; it acknowledges what its terminal drew, so the server knows when it
// has caught up (a viewer that falls behind is sent the screen again, never a backlog).
import type { AttachedMessage, ServerMessage } from '../../../shared/wire.js';
import { SourceBase, type DemoRequest, type DemoSource } from './demo-source.js';
import type { Provenance } from './run-events.js';
import type { RunSocket } from './demo-socket.js';

export class WatchSource extends SourceBase implements DemoSource {
  readonly provenance: Provenance = { kind: 'live', joined: 'watching' };
  readonly controls = undefined;
  readonly acceptsInput = false;
  /** The run's terminal size: a watching terminal draws at it, whatever its box. */
  size: { cols: number; rows: number } | undefined;
  private startedAt = 0;
  private following = false;

  constructor(
    request: DemoRequest,
    private readonly socket: RunSocket,
    /** The wire session of the watch; undefined while there is none (the socket is away). */
    public session: number | undefined,
  ) {
    super(request);
  }

  /** A run to follow: its screen and history now, its events from here on. */
  attached({ snapshot: s }: AttachedMessage): void {
    this.size = { cols: s.screen.cols, rows: s.screen.rows };
    this.startedAt = performance.now() - (Date.now() - s.startedAt);
    this.following = true;
    this.emit('reset', undefined);
    this.emit('run', {
      demo: s.demo,
      variant: s.variant,
      params: s.params,
      size: { ...this.size },
      provenance: this.provenance,
      timeLimitSeconds: s.timeLimitSeconds,
    });
    if (s.screen.data) this.emit('output', new TextEncoder().encode(s.screen.data));
    for (const r of s.readings) this.emit('metrics', r);
    for (const m of s.markers) this.emit('marker', { label: m.label, at: m.at / 1000 });
    if (s.exit) {
      this.following = false;
      this.emit('exit', s.exit);
    }
  }

  /** A message of the watched run. */
  message(msg: ServerMessage): void {
    switch (msg.type) {
      case 'attached':
        return this.attached(msg);
      case 'metrics':
        if (this.following) this.emit('metrics', { sample: msg.sample, perConnectionBytes: msg.perConnectionBytes, kernelBytesSinceBaseline: msg.kernelBytesSinceBaseline });
        return;
      case 'marker':
        if (this.following) this.emit('marker', { label: msg.label, at: (performance.now() - this.startedAt) / 1000 });
        return;
      case 'exit':
        if (!this.following) return;
        this.following = false;
        this.emit('exit', { code: msg.code, signal: msg.signal, reason: msg.reason });
        return;
      case 'error':
        console.warn(`demo server, watch ${msg.session}: ${msg.message}`);
        return;
    }
  }

  output(bytes: Uint8Array): void {
    if (this.following) this.emit('output', bytes);
  }

  /** The socket went away under a run: it says so; the watch is made again when the socket is back. */
  lost(): void {
    this.session = undefined;
    if (!this.following) return;
    this.following = false;
    this.emit('error', 'lost the demo server for a moment: reconnecting…');
  }

  // Read-only: a watcher never drives the run.
  start(): void {}
  stop(): void {}
  input(): void {}
  resize(): void {}

  ack(bytes: number): void {
    if (this.session !== undefined && bytes > 0) this.socket.send({ type: 'ack', session: this.session, bytes });
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  unavailable(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }
}
