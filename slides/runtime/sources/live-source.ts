// A source backed by a real PTY on the demo server: the wire's messages for one run, told
// as run events.
import type { ServerMessage } from '../../../shared/wire.js';
import { SourceBase, type DemoRequest, type DemoSource } from './demo-source.js';
import type { Provenance } from './run-events.js';
import { pageSocket, type RunSocket } from './demo-socket.js';

export class LiveSource extends SourceBase implements DemoSource {
  readonly provenance: Provenance = { kind: 'live' };
  readonly controls = undefined;
  readonly acceptsInput = true;
  /** The wire id of the run this source follows now; undefined when none is on. */
  private runId: number | undefined;

  constructor(
    request: DemoRequest,
    private readonly socket: RunSocket = pageSocket(),
    /** The slide's terminal id: whoever watches that terminal (the audience, the speaker view) follows these runs. */
    private readonly terminal?: string,
  ) {
    super(request);
  }

  start({ cols, rows }: { cols: number; rows: number }): void {
    this.stop(); // a restart: the old run's late messages are dropped below
    let running = false;
    let startedAt = 0;
    const id = this.socket.openRun({
      message: (msg) => {
        if (msg.type === 'error' && running) {
          // A complaint about a running run (a late resize, say) does not end it.
          console.warn(`demo server, run ${id}: ${msg.message}`);
          return;
        }
        if (msg.type === 'exit' || msg.type === 'error') this.socket.closeRun(id);
        if (this.runId !== id) return;
        if (msg.type === 'started') {
          running = true;
          startedAt = performance.now();
        }
        this.tell(msg, cols, rows, startedAt);
      },
      output: (bytes) => {
        if (this.runId === id) this.emit('output', bytes);
      },
      lost: (reason) => {
        if (this.runId !== id) return;
        this.runId = undefined;
        this.emit('error', reason);
      },
    });
    this.runId = id;
    this.emit('reset', undefined);
    this.socket.send({
      type: 'start',
      session: id,
      demo: this.request.demo,
      ...(this.request.variant ? { variant: this.request.variant } : {}),
      ...(this.request.params ? { params: this.request.params } : {}),
      cols,
      rows,
      ...(this.terminal ? { terminal: this.terminal } : {}),
    });
  }

  /** One server message of the current run, as a run event. */
  private tell(msg: ServerMessage, cols: number, rows: number, startedAt: number): void {
    switch (msg.type) {
      case 'started':
        this.emit('run', {
          demo: msg.demo,
          variant: msg.variant,
          params: msg.params,
          size: { cols, rows },
          provenance: this.provenance,
          timeLimitSeconds: msg.timeLimitSeconds,
        });
        return;
      case 'metrics':
        this.emit('metrics', { sample: msg.sample, perConnectionBytes: msg.perConnectionBytes, kernelBytesSinceBaseline: msg.kernelBytesSinceBaseline });
        return;
      case 'marker':
        this.emit('marker', { label: msg.label, at: (performance.now() - startedAt) / 1000 });
        return;
      case 'exit':
        this.runId = undefined;
        this.emit('exit', { code: msg.code, signal: msg.signal, reason: msg.reason });
        return;
      case 'error':
        this.runId = undefined;
        this.emit('error', msg.message);
        return;
      case 'welcome':
        return;
    }
  }

  stop(): void {
    if (this.runId !== undefined) this.socket.send({ type: 'stop', session: this.runId });
  }

  input(data: string): void {
    if (this.runId !== undefined) this.socket.input(this.runId, data);
  }

  resize(cols: number, rows: number): void {
    if (this.runId !== undefined) this.socket.send({ type: 'resize', session: this.runId, cols, rows });
  }

  ack(bytes: number): void {
    if (this.runId !== undefined && bytes > 0) this.socket.send({ type: 'ack', session: this.runId, bytes });
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  async unavailable(): Promise<string | undefined> {
    const { demos } = await this.socket.welcomed();
    const demo = demos.find((d) => d.id === this.request.demo);
    if (!demo) return `The demo "${this.request.demo}" is not there yet: this server knows ${demos.map((d) => d.id).join(', ')}.`;
    if (this.request.variant && !demo.variants.some((v) => v.id === this.request.variant)) {
      return `The demo "${demo.id}" has no variant "${this.request.variant}" yet: it has ${demo.variants.map((v) => v.id).join(', ')}.`;
    }
    return undefined;
  }

  override dispose(): void {
    this.stop();
    if (this.runId !== undefined) this.socket.closeRun(this.runId);
    this.runId = undefined;
    super.dispose();
  }
}
