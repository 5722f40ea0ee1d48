// A source backed by a real PTY on the demo server: the wire's messages for one run, told
// as run events.
//
// A run outlives a dropped socket or a page reload: the server keeps it for its grace period,
// and this source takes it back with the run's id and secret (kept in sessionStorage under the
// terminal's id, so a reloaded page finds them) as soon as the socket is back. Meanwhile it
// says it is `suspended`; taken back, it tells the run again from where it stands (the screen
// as it is, the readings so far). A run that did not survive is told as an error naming it lost.
import type { AttachedMessage, ServerMessage } from '../../../shared/wire.js';
import { SourceBase, type DemoRequest, type DemoSource } from './demo-source.js';
import type { Provenance } from './run-events.js';
import { pageSocket, type RunSocket } from './demo-socket.js';

/** What the page keeps to take a run back: the server's names for it, and what it runs. */
interface HeldRun {
  runId: string;
  secret: string;
  request: DemoRequest;
}

const STORE_PREFIX = 'what-is-async.run.';

function storage(): Storage | undefined {
  try {
    return typeof sessionStorage === 'undefined' ? undefined : sessionStorage;
  } catch {
    return undefined; // storage blocked: runs still survive a dropped socket, not a reload
  }
}

const sameRequest = (a: DemoRequest, b: DemoRequest) =>
  a.demo === b.demo && (a.variant ?? '') === (b.variant ?? '') && JSON.stringify(a.params ?? {}) === JSON.stringify(b.params ?? {});

export const LOST_RUN = 'The demo that was running was lost';

export class LiveSource extends SourceBase implements DemoSource {
  readonly controls = undefined;
  readonly acceptsInput = true;
  private joined: 'started' | 'reattached' = 'started';
  /** The wire id of the run this source follows now; undefined when none is on. */
  private runId: number | undefined;
  /** The run on the server this source holds (started and not ended), for taking it back. */
  private held: HeldRun | undefined;
  /** The socket dropped under the held run: it is taken back once the server welcomes the page again. */
  private suspended = false;
  private stopWanted = false;
  private size = { cols: 80, rows: 24 };
  private readonly offWelcome: () => void;

  constructor(
    request: DemoRequest,
    private readonly socket: RunSocket = pageSocket(),
    /** The slide's terminal id: where a reloaded page finds the run to take back, and what watchers of that terminal (the audience, the speaker view) follow. */
    private readonly terminal?: string,
  ) {
    super(request);
    this.offWelcome = socket.onWelcome(() => {
      if (this.suspended && this.held) this.attach(this.held);
    });
  }

  get provenance(): Provenance {
    return { kind: 'live', joined: this.joined };
  }

  private get storeKey(): string | undefined {
    return this.terminal ? STORE_PREFIX + this.terminal : undefined;
  }

  private keep(held: HeldRun | undefined): void {
    this.held = held;
    const key = this.storeKey;
    if (!key) return;
    if (held) storage()?.setItem(key, JSON.stringify(held));
    else storage()?.removeItem(key);
  }

  /**
   * Takes back the run this terminal had before the page reloaded, if the page kept one for
   * the same demo: true when it tries (the run's events follow, or an error if it is gone).
   */
  resume(size: { cols: number; rows: number }): boolean {
    const key = this.storeKey;
    const text = key ? storage()?.getItem(key) : undefined;
    if (!text || this.runId !== undefined) return false;
    let held: HeldRun;
    try {
      held = JSON.parse(text) as HeldRun;
    } catch {
      storage()?.removeItem(key!);
      return false;
    }
    if (typeof held?.runId !== 'string' || typeof held.secret !== 'string' || !held.request || !sameRequest(held.request, this.request)) {
      storage()?.removeItem(key!);
      return false;
    }
    this.size = size;
    this.held = held;
    this.attach(held);
    return true;
  }

  start({ cols, rows }: { cols: number; rows: number }): void {
    this.stop(); // a restart: the old run's late messages are dropped below
    this.suspended = false;
    this.keep(undefined);
    this.size = { cols, rows };
    this.joined = 'started';
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
          this.keep({ runId: msg.runId, secret: msg.secret, request: this.request });
        }
        this.tell(msg, startedAt);
      },
      output: (bytes) => {
        if (this.runId === id) this.emit('output', bytes);
      },
      lost: (reason) => this.lost(id, running, reason),
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

  /** The socket closed under run `id`: a run that is on waits to be taken back; a start that was not answered failed. */
  private lost(id: number, running: boolean, reason: string): void {
    if (this.runId !== id) return;
    this.runId = undefined;
    if (running && this.held) {
      this.suspended = true;
      this.emit('suspended', 'reconnecting…');
      return;
    }
    this.keep(undefined);
    this.emit('error', reason);
  }

  /** Asks the server for the held run under a new wire id. */
  private attach(held: HeldRun): void {
    this.suspended = false;
    let attached = false;
    let startedAt = performance.now();
    const id = this.socket.openRun({
      message: (msg) => {
        if (msg.type === 'error' && attached) {
          console.warn(`demo server, run ${id}: ${msg.message}`);
          return;
        }
        if (msg.type === 'exit' || msg.type === 'error') this.socket.closeRun(id);
        if (this.runId !== id) return;
        if (msg.type === 'attached') {
          attached = true;
          startedAt = performance.now() - (Date.now() - msg.snapshot.startedAt);
          this.joined = 'reattached';
          this.tellAttached(msg);
          if (this.stopWanted) this.stop();
          return;
        }
        if (msg.type === 'error') {
          // Gone: it ended while the page was away, its grace period passed, or the server restarted.
          this.runId = undefined;
          this.keep(undefined);
          console.warn(`demo server, run ${id}: ${msg.message}`);
          this.emit('error', `${LOST_RUN}: the demo server no longer has it (it restarted, or the run ended while the page was away).`);
          return;
        }
        this.tell(msg, startedAt);
      },
      output: (bytes) => {
        if (this.runId === id) this.emit('output', bytes);
      },
      lost: (reason) => this.lost(id, attached, reason),
    });
    this.runId = id;
    this.socket.send({ type: 'attach', session: id, runId: held.runId, secret: held.secret, ...this.size });
  }

  /** The run as it stands, told as a run from its start: its screen, its readings and steps so far. */
  private tellAttached({ snapshot: s }: AttachedMessage): void {
    this.emit('reset', undefined);
    this.emit('run', {
      demo: s.demo,
      variant: s.variant,
      params: s.params,
      size: { cols: s.screen.cols, rows: s.screen.rows },
      provenance: this.provenance,
      timeLimitSeconds: s.timeLimitSeconds,
    });
    for (const r of s.readings) this.emit('metrics', { sample: r.sample, perConnectionBytes: r.perConnectionBytes, kernelBytesSinceBaseline: r.kernelBytesSinceBaseline });
    for (const m of s.markers) this.emit('marker', { label: m.label, at: m.at / 1000 });
    // The screen counts as output: drawn, it is acknowledged like any other.
    if (s.screen.data) this.emit('output', new TextEncoder().encode(s.screen.data));
  }

  /** One server message of the current run, as a run event. */
  private tell(msg: ServerMessage, startedAt: number): void {
    switch (msg.type) {
      case 'started':
        this.emit('run', {
          demo: msg.demo,
          variant: msg.variant,
          params: msg.params,
          size: { ...this.size },
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
        this.keep(undefined);
        this.emit('exit', { code: msg.code, signal: msg.signal, reason: msg.reason });
        return;
      case 'error':
        this.runId = undefined;
        this.keep(undefined);
        this.emit('error', msg.message);
        return;
      case 'welcome':
      case 'attached':
        return;
    }
  }

  stop(): void {
    if (this.runId !== undefined) {
      this.stopWanted = false;
      this.socket.send({ type: 'stop', session: this.runId });
    } else if (this.suspended) this.stopWanted = true; // sent once the run is back
  }

  input(data: string): void {
    if (this.runId !== undefined) this.socket.input(this.runId, data);
  }

  resize(cols: number, rows: number): void {
    this.size = { cols, rows };
    if (this.runId !== undefined) this.socket.send({ type: 'resize', session: this.runId, cols, rows });
  }

  ack(bytes: number): void {
    if (this.runId !== undefined && bytes > 0) this.socket.send({ type: 'ack', session: this.runId, bytes });
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  async unavailable(): Promise<string | undefined> {
    // No server now: nothing to say yet (Run says it, and offers the recording).
    const welcome = await this.socket.reachable();
    if (!welcome) return undefined;
    const { demos } = welcome;
    const demo = demos.find((d) => d.id === this.request.demo);
    if (!demo) return `The demo "${this.request.demo}" is not there yet: this server knows ${demos.map((d) => d.id).join(', ')}.`;
    if (this.request.variant && !demo.variants.some((v) => v.id === this.request.variant)) {
      return `The demo "${demo.id}" has no variant "${this.request.variant}" yet: it has ${demo.variants.map((v) => v.id).join(', ')}.`;
    }
    return undefined;
  }

  /** Ends its run (a terminal destroyed, a switch to the recording): the server stops it now, not after a grace period. */
  override dispose(): void {
    this.offWelcome();
    this.stop();
    this.suspended = false;
    this.keep(undefined);
    if (this.runId !== undefined) this.socket.closeRun(this.runId);
    this.runId = undefined;
    super.dispose();
  }
}
