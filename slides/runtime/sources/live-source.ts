// A source backed by a real PTY on the demo server.
import { Emitter, type DemoRequest, type DemoSource, type SourceEvents } from './source.js';
import { pageConnection, type DemoConnection } from './demo-connection.js';

export class LiveSource extends Emitter<SourceEvents> implements DemoSource {
  private session: number | undefined;

  constructor(
    private readonly request: DemoRequest,
    private readonly conn: DemoConnection = pageConnection(),
  ) {
    super();
  }

  start({ cols, rows }: { cols: number; rows: number }): void {
    this.stop(); // a restart: the old session's late events are dropped below
    let running = false;
    const id = this.conn.newSession({
      message: (msg) => {
        if (msg.type === 'error' && running) {
          // A complaint about a running session (a late resize, say) does not end it.
          console.warn(`demo server, session ${id}: ${msg.message}`);
          return;
        }
        if (msg.type === 'started') running = true;
        // A step the run reached: it does not end the session (nothing shows it live yet).
        if (msg.type === 'marker') return;
        if (msg.type === 'metrics') {
          if (this.session === id) this.emit('metrics', msg);
          return;
        }
        const current = this.session === id;
        if (msg.type === 'exit' || msg.type === 'error') this.finish(id);
        if (!current) return;
        if (msg.type !== 'started') this.session = undefined;
        if (msg.type === 'started') this.emit('started', msg);
        else if (msg.type === 'exit') this.emit('exit', msg);
        else if (msg.type === 'error') this.emit('error', msg.message);
      },
      output: (bytes) => {
        if (this.session === id) this.emit('output', bytes);
      },
      lost: (reason) => {
        if (this.session !== id) return;
        this.session = undefined;
        this.emit('error', reason);
      },
    });
    this.session = id;
    this.conn.send({
      type: 'start',
      session: id,
      demo: this.request.demo,
      ...(this.request.variant ? { variant: this.request.variant } : {}),
      ...(this.request.params ? { params: this.request.params } : {}),
      cols,
      rows,
    });
  }

  private finish(id: number): void {
    this.conn.endSession(id);
  }

  stop(): void {
    if (this.session !== undefined) this.conn.send({ type: 'stop', session: this.session });
  }

  input(data: string): void {
    if (this.session !== undefined) this.conn.input(this.session, data);
  }

  resize(cols: number, rows: number): void {
    if (this.session !== undefined) this.conn.send({ type: 'resize', session: this.session, cols, rows });
  }

  ack(bytes: number): void {
    if (this.session !== undefined && bytes > 0) this.conn.send({ type: 'ack', session: this.session, bytes });
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  async unavailable(): Promise<string | undefined> {
    const { demos } = await this.conn.welcomed();
    const demo = demos.find((d) => d.id === this.request.demo);
    if (!demo) return `The demo "${this.request.demo}" is not there yet: this server knows ${demos.map((d) => d.id).join(', ')}.`;
    if (this.request.variant && !demo.variants.some((v) => v.id === this.request.variant)) {
      return `The demo "${demo.id}" has no variant "${this.request.variant}" yet: it has ${demo.variants.map((v) => v.id).join(', ')}.`;
    }
    return undefined;
  }

  dispose(): void {
    this.stop();
    if (this.session !== undefined) this.conn.endSession(this.session);
    this.clear();
  }
}
