// One page's WebSocket (the page socket; "connection" in this talk means a TCP connection):
// validates every message, and multiplexes the page's demo runs by the ids the page chose.
// For each run it started, the page is the run's pace-setter: its acknowledgements, and its
// socket's real backpressure (socket-sender.ts), pause the run's PTY. A bad message gets an
// error naming the problem; the socket and the other runs go on.
import type { WebSocket, RawData } from 'ws';
import {
  Op,
  PROTOCOL,
  MAX_CLIENT_PAYLOAD,
  decodeFrame,
  encodeFrame,
  type AttachMessage,
  type ServerMessage,
  type StartMessage,
} from '../../shared/wire.js';
import { parseClientMessage } from '../protocol/validate.js';
import { shortText } from '../protocol/short-text.js';
import { demoSummaries, type Registry } from '../registry/registry.js';
import type { IncidentLog } from '../http/incident-log.js';
import { planLaunch } from './demo-launcher.js';
import { SocketSender } from './socket-sender.js';
import { MAX_QUEUED_INPUT } from './pty-input-writer.js';
import type { RunRegistry } from '../run/run-registry.js';
import type { DemoRun } from '../run/demo-run.js';
import type { FlowWindow, RunConsumer } from '../run/run-consumer.js';
import { DEFAULT_BATCHING, OutputBatcher, type OutputBatching } from './output-batcher.js';
import type { ConsumerEvent } from '../run/run-events.js';
import type { RunOwner } from '../run/run-ownership.js';
import { snapshotOf } from '../run/run-snapshot.js';
import { WatchSessions } from '../audience/watch-sessions.js';
import { WatchHub } from '../audience/watch-hub.js';
import { NavRelay } from '../audience/nav-relay.js';

/** Longest error message sent: it names the problem, never repeats a large input. */
const MAX_ERROR_CHARS = 300;
const RED = '\x1b[31m';
const RESET = '\x1b[0m';

/** A run this page holds (it started it, or took it back), under the id the page gave it, and its subscription. */
interface PageRun {
  run: DemoRun;
  consumer: RunConsumer;
  owner: RunOwner;
  output: OutputBatcher;
}

/** How a run's output reaches the page: the page's window as its pace-setter, and frame batching. */
export interface PagePipeline {
  window: FlowWindow;
  batching: OutputBatching;
}
/**
 * A page's window as the pace-setter of its runs. The page draws once a frame whatever has come
 * (slides/runtime/terminal/source-addon.ts), so more bytes in flight mean more bytes per frame
 * drawn; LOW at half of HIGH resumes the PTY while the page still has output to draw, so it never
 * waits for the pipe to refill. Ctrl-C's prompt comes after what is in flight, so the window is
 * what the page draws in 150 ms (128 KiB at least, 384 KiB at most): a slow renderer is not
 * given more than it draws quickly. (Measured in bench/terminal.ts; 128/16 KiB fixed before.)
 */
export const PAGE_WINDOW: FlowWindow = { high: 128 * 1024, low: 64 * 1024, grow: { ms: 150, max: 384 * 1024 } };
export const DEFAULT_PIPELINE: PagePipeline = { window: PAGE_WINDOW, batching: DEFAULT_BATCHING };

export class PageSocket {
  private readonly runs = new Map<number, PageRun>();
  /** Runs whose input queue overflowed: told once, until input fits again. */
  private readonly overflowing = new Set<number>();
  private readonly out: SocketSender;
  /** Runs of other pages this one follows read-only (the speaker view's current-slide pane). */
  private readonly watches: WatchSessions;
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly registry: Registry,
    private readonly running: RunRegistry,
    private readonly sampleHz: number,
    private readonly incidents: IncidentLog,
    private readonly log: (line: string) => void = (line) => console.error(line),
    private readonly pipeline: PagePipeline = DEFAULT_PIPELINE,
    /** Who watches the terminals this page runs demos in, and where the audience hears the presenter is. */
    private readonly follow: { watches: WatchHub; nav: NavRelay } = { watches: new WatchHub(), nav: new NavRelay() },
  ) {
    this.out = new SocketSender(ws, {
      onCongestion: (congested) => {
        for (const { consumer } of this.runs.values()) consumer.setCongested(congested);
        this.watches.setCongested(congested);
      },
      onOverrun: (queued) =>
        this.log(`demo server: closed a page's WebSocket: it stopped reading (${Math.round(queued / 1024)} KiB unread) while it kept sending`),
    });
    const out = this.out;
    this.watches = new WatchSessions(
      follow.watches,
      {
        send: (msg, droppable) => this.out.send(JSON.stringify(msg), droppable),
        frame: (frame) => this.out.send(frame),
        get congested() {
          return out.isCongested;
        },
      },
    );
    ws.on('message', (data, isBinary) => {
      try {
        this.onMessage(data, isBinary);
      } catch (err) {
        // A bug of ours: logged with what caused it; the page gets a plain error and goes on.
        this.incidents.record(err, `a WebSocket ${isBinary ? 'binary frame' : `message ${shortText(rawText(data))}`}`);
        this.error('the demo server failed on this message (an internal error, logged on the server); the page socket goes on');
      }
    });
    ws.on('close', () => this.close('disconnected'));
    ws.on('error', () => this.close('disconnected'));
    this.send({
      type: 'welcome',
      protocol: PROTOCOL,
      demos: demoSummaries(registry),
      limits: { sessionsPerPage: running.perPage, maxPayload: MAX_CLIENT_PAYLOAD },
    });
  }

  /** Runs this page started that have not ended yet. */
  get runCount(): number {
    return this.runs.size;
  }

  private send(msg: ServerMessage): void {
    this.out.send(JSON.stringify(msg), msg.type === 'metrics');
  }

  private error(message: string, session?: number): void {
    this.send({ type: 'error', message: shortText(message, MAX_ERROR_CHARS), ...(session !== undefined ? { session } : {}) });
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (isBinary) return this.onBinary(buf);
    const parsed = parseClientMessage(buf.toString('utf8'));
    if (!parsed.ok) return this.error(parsed.error, parsed.session);
    const msg = parsed.message;
    if (msg.type === 'start') return this.start(msg);
    if (msg.type === 'attach') return this.attach(msg);
    if (msg.type === 'nav') return this.follow.nav.moved(msg);
    if (msg.type === 'watch') {
      if (this.runs.has(msg.session)) return this.error(`session ${msg.session} is one of this page's runs; watch under a new id`, msg.session);
      const why = this.watches.watch(msg.session, msg.terminal);
      return why ? this.error(why, msg.session) : undefined;
    }
    if (msg.type === 'unwatch') return this.watches.unwatch(msg.session);
    if (this.watches.has(msg.session)) {
      if (msg.type !== 'ack') return this.error(`session ${msg.session} watches another page's run: it cannot stop or resize it`, msg.session);
      const r = this.watches.ack(msg.session, msg.bytes);
      if (!r.ok) this.error(`ack of ${msg.bytes} bytes refused: only ${r.unacknowledged} bytes were sent and not yet acknowledged`, msg.session);
      return;
    }
    const mine = this.runs.get(msg.session);
    if (!mine) return this.error(`no running session ${msg.session}`, msg.session);
    switch (msg.type) {
      case 'stop':
        void mine.run.stop('stopped');
        break;
      case 'resize':
        mine.run.resize(msg.cols, msg.rows);
        break;
      case 'ack': {
        const r = mine.consumer.ack(msg.bytes);
        if (!r.ok) {
          this.error(`ack of ${msg.bytes} bytes refused: only ${r.unacknowledged} bytes were sent and not yet acknowledged; acknowledge only output you have drawn`, msg.session);
        }
        break;
      }
    }
  }

  private onBinary(buf: Buffer): void {
    const frame = decodeFrame(buf);
    if (!frame) return this.error('bad binary frame: shorter than its 5-byte header (opcode, session id)');
    if (frame.op !== Op.input) return this.error(`bad binary frame: unknown opcode ${frame.op}; clients send only input (${Op.input})`);
    if (this.watches.has(frame.session)) return this.error(`session ${frame.session} watches another page's run: it cannot type into it`, frame.session);
    const mine = this.runs.get(frame.session);
    if (!mine) return this.error(`no running session ${frame.session}`, frame.session);
    const { run } = mine;
    const r = run.write(frame.payload);
    if (r.ok) {
      this.overflowing.delete(frame.session);
      if (r.dropped) run.notice(`\r\n${RED}[demo server: interrupt sent; ${r.dropped} bytes of input the program had not read yet were dropped]${RESET}\r\n`);
      return;
    }
    if (this.overflowing.has(frame.session)) return;
    this.overflowing.add(frame.session);
    const mib = MAX_QUEUED_INPUT / (1024 * 1024);
    const why = `input dropped: ${r.queued} bytes already wait for the program to read them (at most ${mib} MiB may wait); type or paste again once it has read them`;
    run.notice(`\r\n${RED}✗ demo server: ${why}${RESET}\r\n`);
    this.error(why, frame.session);
  }

  private start(msg: StartMessage): void {
    if (this.closed) return;
    const id = msg.session;
    if (this.watches.has(id)) return this.error(`session ${id} watches a terminal; start under a new id`, id);
    if (this.runs.has(id)) return this.error(`session ${id} is already running; stop it or use a new id`, id);
    const refusal = this.running.refusal(this.runs.size);
    if (refusal) return this.error(refusal, id);
    const launch = planLaunch(this.registry, msg);
    if (!launch.ok) return this.error(launch.message, id);
    const { plan } = launch;
    let run: DemoRun;
    try {
      run = this.running.start({
        plan,
        cols: msg.cols,
        rows: msg.rows,
        sampleHz: this.sampleHz,
        onPtyError: (err) => this.incidents.record(err, `the PTY of demo "${plan.demo}"`),
        onConsumerError: (err) => this.incidents.record(err, `forwarding demo "${plan.demo}" to a page`),
      });
    } catch (err) {
      return this.error(`could not start demo "${plan.demo}": ${(err as Error).message}`, id);
    }
    const output = this.outputFor(id);
    const consumer = run.subscribe((e) => this.forward(id, output, e), { role: 'pace-setter', window: this.pipeline.window });
    const owner = this.ownerOf(id, run);
    this.runs.set(id, { run, consumer, owner, output });
    if (this.out.isCongested) consumer.setCongested(true);
    const secret = this.running.owners.issue(run, owner);
    this.send({
      type: 'started',
      session: id,
      demo: plan.demo,
      variant: plan.variant,
      pid: run.pid,
      argv: plan.argv,
      params: plan.params,
      timeLimitSeconds: plan.timeLimitSeconds,
      runId: run.id,
      secret,
      graceSeconds: this.running.owners.graceSeconds,
    });
    // Whoever watches this terminal (the audience, the speaker view) follows this run now.
    if (msg.terminal) this.follow.watches.started(msg.terminal, run);
  }

  /** This page's hold on run `id`: let go when the same page, reloaded or reconnected, takes the run over. */
  private ownerOf(id: number, run: DemoRun): RunOwner {
    const owner: RunOwner = {
      release: () => {
        const mine = this.runs.get(id);
        if (mine?.run !== run) return;
        this.runs.delete(id);
        mine.consumer.close();
        mine.output.close();
        this.error('this demo run was taken over by a newer connection of the page that started it', id);
      },
    };
    return owner;
  }

  /**
   * Takes back a run this page started before its socket dropped or it reloaded: the page
   * becomes its pace-setter again, gets the screen as it is now (serialized, whatever the
   * program printed meanwhile), the meter readings so far, and then the live events.
   */
  private attach(msg: AttachMessage): void {
    if (this.closed) return;
    const id = msg.session;
    if (this.watches.has(id)) return this.error(`session ${id} watches a terminal; attach under a new id`, id);
    if (this.runs.has(id)) return this.error(`session ${id} is already running; use a new id`, id);
    if (this.runs.size >= this.running.perPage) return this.error(this.running.refusal(this.runs.size)!, id);
    const placeholder: { owner?: RunOwner } = {};
    const owner: RunOwner = { release: () => placeholder.owner?.release() };
    const run = this.running.owners.claim(msg.runId, msg.secret, owner);
    if (!run) return this.error('that demo run is gone: it ended, its grace period passed, or the demo server restarted', id);
    placeholder.owner = this.ownerOf(id, run);
    // What the page gets first: the readings and steps so far, and the screen at the same point.
    const readings = run.metricsHistory;
    const markers = [...run.markers];
    let told = false;
    const tell = (screen: { data: string; cols: number; rows: number }) => {
      told = true;
      this.send({ type: 'attached', session: id, snapshot: snapshotOf(run, { screen, readings, markers }), readOnly: false });
    };
    const output = this.outputFor(id);
    const consumer = run.subscribe((e) => {
      if (!told && e.type === 'screen') return tell(e);
      this.forward(id, output, e);
    }, { role: 'pace-setter', window: this.pipeline.window });
    // Nothing printed yet: there is no screen to wait for.
    if (!told) tell({ data: '', cols: msg.cols, rows: msg.rows });
    this.runs.set(id, { run, consumer, owner, output });
    if (this.out.isCongested) consumer.setCongested(true);
    run.resize(msg.cols, msg.rows);
  }

  /** Output frames of run `id` to this page, gathered as its pipeline says. */
  private outputFor(id: number): OutputBatcher {
    return new OutputBatcher((bytes) => this.out.send(encodeFrame(Op.output, id, bytes)), this.pipeline.batching);
  }

  /** A run's event, as the wire says it. */
  private forward(id: number, output: OutputBatcher, e: ConsumerEvent): void {
    if (e.type === 'output') return output.push(e.bytes);
    output.flush(); // what the run said before this goes first
    switch (e.type) {
      case 'screen':
        // (A page that joins a running demo; this page only follows runs it started, from their start.)
        this.out.send(encodeFrame(Op.output, id, Buffer.from(e.data)));
        break;
      case 'metrics':
        this.send({ type: 'metrics', session: id, ...e.reading });
        break;
      case 'marker':
        this.send({ type: 'marker', session: id, label: e.label });
        break;
      case 'exit':
        output.close();
        this.runs.delete(id);
        this.overflowing.delete(id);
        this.send({ type: 'exit', session: id, ...e.exit });
        break;
    }
  }

  /**
   * The page went away (its runs wait their grace period for it to come back, then stop), or
   * the server shuts down (they stop now). Resolves when the runs it stopped are gone.
   */
  close(reason: 'disconnected' | 'shutdown'): Promise<void> {
    if (this.closed && reason === 'disconnected') return Promise.resolve();
    this.closed = true;
    this.watches.close();
    const mine = [...this.runs.values()];
    if (reason === 'disconnected') {
      this.runs.clear();
      for (const { run, consumer, owner, output } of mine) {
        consumer.close();
        output.close();
        this.running.owners.abandon(run, owner);
      }
      return Promise.resolve();
    }
    return Promise.all(mine.map(({ run }) => run.stop(reason))).then(() => undefined);
  }
}

function rawText(data: RawData): string {
  const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
  return buf.subarray(0, 200).toString('utf8');
}
