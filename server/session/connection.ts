// One page's WebSocket: validates every message and multiplexes its sessions.
// A bad message gets an error naming the problem; the connection and other sessions go on.
import type { WebSocket, RawData } from 'ws';
import {
  Op,
  PROTOCOL,
  MAX_CLIENT_PAYLOAD,
  decodeFrame,
  encodeFrame,
  type ServerMessage,
  type StartMessage,
} from '../../shared/wire.js';
import { parseClientMessage } from '../protocol/validate.js';
import { shortText } from '../protocol/short-text.js';
import type { Registry } from '../registry/registry.js';
import type { IncidentLog } from '../http/incident-log.js';
import { planLaunch } from './demo-launcher.js';
import { PtySession } from './pty-session.js';
import type { SessionLimits } from './session-limits.js';
import { SessionMeter } from './session-meter.js';
import { SocketSender } from './socket-sender.js';
import { MAX_QUEUED_INPUT } from './pty-input-writer.js';

/** Longest error message sent: it names the problem, never repeats a large input. */
const MAX_ERROR_CHARS = 300;
const RED = '\x1b[31m';
const RESET = '\x1b[0m';

export class Connection {
  private readonly sessions = new Map<number, PtySession>();
  /** Sessions whose input queue overflowed: told once, until input fits again. */
  private readonly overflowing = new Set<number>();
  private readonly out: SocketSender;
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly registry: Registry,
    private readonly limits: SessionLimits,
    private readonly sampleHz: number,
    private readonly incidents: IncidentLog,
    private readonly log: (line: string) => void = (line) => console.error(line),
  ) {
    this.out = new SocketSender(ws, {
      onCongestion: (congested) => {
        for (const s of this.sessions.values()) {
          if (congested) s.hold('socket');
          else s.release('socket');
        }
      },
      onOverrun: (queued) =>
        this.log(`demo server: closed a page's WebSocket: it stopped reading (${Math.round(queued / 1024)} KiB unread) while it kept sending`),
    });
    ws.on('message', (data, isBinary) => {
      try {
        this.onMessage(data, isBinary);
      } catch (err) {
        // A bug of ours: logged with what caused it; the page gets a plain error and goes on.
        this.incidents.record(err, `a WebSocket ${isBinary ? 'binary frame' : `message ${shortText(rawText(data))}`}`);
        this.error('the demo server failed on this message (an internal error, logged on the server); the connection goes on');
      }
    });
    ws.on('close', () => this.close('disconnected'));
    ws.on('error', () => this.close('disconnected'));
    this.send({
      type: 'welcome',
      protocol: PROTOCOL,
      demos: [...registry.values()].map(({ manifest: m }) => ({
        id: m.id,
        title: m.title,
        point: m.point,
        interactive: m.interactive,
        defaultVariant: m.defaultVariant ?? Object.keys(m.variants)[0]!,
        variants: Object.entries(m.variants).map(([id, v]) => ({ id, title: v.title })),
      })),
      limits: { sessionsPerPage: limits.perConnection, maxPayload: MAX_CLIENT_PAYLOAD },
    });
  }

  get sessionCount(): number {
    return this.sessions.size;
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
    const session = this.sessions.get(msg.session);
    if (!session) return this.error(`no running session ${msg.session}`, msg.session);
    switch (msg.type) {
      case 'stop':
        void session.stop('stopped');
        break;
      case 'resize':
        session.resize(msg.cols, msg.rows);
        break;
      case 'ack': {
        const r = session.ack(msg.bytes);
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
    const session = this.sessions.get(frame.session);
    if (!session) return this.error(`no running session ${frame.session}`, frame.session);
    const r = session.write(frame.payload);
    if (r.ok) {
      this.overflowing.delete(frame.session);
      if (r.dropped) session.notice(`\r\n${RED}[demo server: interrupt sent; ${r.dropped} bytes of input the program had not read yet were dropped]${RESET}\r\n`);
      return;
    }
    if (this.overflowing.has(frame.session)) return;
    this.overflowing.add(frame.session);
    const mib = MAX_QUEUED_INPUT / (1024 * 1024);
    const why = `input dropped: ${r.queued} bytes already wait for the program to read them (at most ${mib} MiB may wait); type or paste again once it has read them`;
    session.notice(`\r\n${RED}✗ demo server: ${why}${RESET}\r\n`);
    this.error(why, frame.session);
  }

  private start(msg: StartMessage): void {
    if (this.closed) return;
    if (this.sessions.has(msg.session)) return this.error(`session ${msg.session} is already running; stop it or use a new id`, msg.session);
    const refusal = this.limits.refusal(this.sessions.size);
    if (refusal) return this.error(refusal, msg.session);
    const launch = planLaunch(this.registry, msg);
    if (!launch.ok) return this.error(launch.message, msg.session);
    const { plan } = launch;
    let session: PtySession;
    let meter: SessionMeter | undefined;
    try {
      session = new PtySession({
        argv: plan.argv,
        cwd: plan.cwd,
        env: plan.env,
        cols: msg.cols,
        rows: msg.rows,
        timeLimitMs: plan.timeLimitSeconds * 1000,
        onOutput: (bytes) => {
          this.out.send(encodeFrame(Op.output, msg.session, bytes));
        },
        onPtyError: (err) => this.incidents.record(err, `the PTY of demo "${plan.demo}"`),
        onExit: (exit) => {
          void meter?.stop();
          this.sessions.delete(msg.session);
          this.overflowing.delete(msg.session);
          this.limits.release();
          this.send({ type: 'exit', session: msg.session, ...exit });
        },
      });
    } catch (err) {
      return this.error(`could not start demo "${plan.demo}": ${(err as Error).message}`, msg.session);
    }
    this.limits.acquire();
    this.sessions.set(msg.session, session);
    if (this.out.isCongested) session.hold('socket');
    this.send({
      type: 'started',
      session: msg.session,
      demo: plan.demo,
      variant: plan.variant,
      pid: session.pid,
      argv: plan.argv,
      params: plan.params,
      timeLimitSeconds: plan.timeLimitSeconds,
    });
    if (this.sampleHz > 0) {
      meter = new SessionMeter({
        root: session.pid,
        match: plan.underTest?.match,
        hz: this.sampleHz,
        onMetrics: (m) => {
          if (this.sessions.get(msg.session) === session) this.send({ type: 'metrics', session: msg.session, ...m });
        },
      });
    }
  }

  /** Ends every session of this page; resolves when their processes are gone. */
  close(reason: 'disconnected' | 'shutdown'): Promise<void> {
    this.closed = true;
    return Promise.all([...this.sessions.values()].map((s) => s.stop(reason))).then(() => undefined);
  }
}

function rawText(data: RawData): string {
  const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
  return buf.subarray(0, 200).toString('utf8');
}
