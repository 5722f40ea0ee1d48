// An audience page's WebSocket: it watches the presenter's runs and hears where the presenter
// is, nothing more. It holds no reference to the run registry or the launcher: a start, stop,
// resize, keystroke or nav from it is refused by its type, whatever else it carries. Its sends
// are bounded tighter than the presenter's (there may be hundreds of them), and a page that
// falls behind is resynced from the run's screen (watch-sessions.ts), never buffered for.
import type { WebSocket, RawData } from 'ws';
import { MAX_SESSION_ID, PROTOCOL, type DemoSummary, type ServerMessage } from '../../shared/wire.js';
import { AUDIENCE_TYPES, parseClientMessage } from '../protocol/validate.js';
import { shortText } from '../protocol/short-text.js';
import type { IncidentLog } from '../http/incident-log.js';
import { SocketSender } from '../session/socket-sender.js';
import { WatchSessions } from './watch-sessions.js';
import type { WatchHub } from './watch-hub.js';
import type { NavRelay } from './nav-relay.js';

/** Largest frame an audience page may send: its messages are a few dozen bytes. */
export const AUDIENCE_MAX_PAYLOAD = 4 * 1024;
/** What may wait for one audience page before its runs count it as behind, and before it is dropped. */
export const AUDIENCE_HIGH_WATER = 64 * 1024;
export const AUDIENCE_LOW_WATER = 16 * 1024;
export const AUDIENCE_MAX_UNREAD = 512 * 1024;
const MAX_ERROR_CHARS = 300;
/** Errors told to one page at most: a page that keeps sending what is refused is not answered forever. */
const MAX_ERRORS = 64;

const PLAIN_ACK = /^\{"type":"ack","session":(\d{1,10}),"bytes":(\d{1,10})\}$/;

/** `{"type":"ack","session":N,"bytes":M}` exactly, in range; anything else goes to the full parser. */
function plainAck(text: string): { session: number; bytes: number } | undefined {
  const m = PLAIN_ACK.exec(text);
  if (!m) return undefined;
  const session = Number(m[1]);
  const bytes = Number(m[2]);
  return session >= 1 && session <= MAX_SESSION_ID && bytes <= 2 ** 32 ? { session, bytes } : undefined;
}

export const REFUSED_INPUT = 'input refused: an audience page only watches the presenter\'s demos; it cannot type into one';

export class AudienceSocket {
  private readonly out: SocketSender;
  private readonly watches: WatchSessions;
  private readonly unlisten: () => void;
  private errors = 0;
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    demos: DemoSummary[],
    hub: WatchHub,
    nav: NavRelay,
    private readonly incidents: IncidentLog,
  ) {
    this.out = new SocketSender(ws, {
      highWater: AUDIENCE_HIGH_WATER,
      lowWater: AUDIENCE_LOW_WATER,
      maxUnread: AUDIENCE_MAX_UNREAD,
      onCongestion: (congested) => this.watches.setCongested(congested),
      onOverrun: () => undefined, // dropped: it will reconnect and be sent the screen
    });
    this.watches = new WatchSessions(
      hub,
      {
        send: (msg, droppable) => this.send(msg, droppable),
        frame: (frame) => this.out.send(frame),
        get congested() {
          return out.isCongested;
        },
      },
    );
    const out = this.out;
    ws.on('message', (data, isBinary) => {
      try {
        this.onMessage(data, isBinary);
      } catch (err) {
        this.incidents.record(err, `an audience ${isBinary ? 'binary frame' : 'message'}`);
        this.error('the demo server failed on this message (an internal error, logged on the server)');
      }
    });
    ws.on('close', () => this.close());
    ws.on('error', () => this.close());
    this.send({ type: 'welcome', protocol: PROTOCOL, demos, limits: { sessionsPerPage: 0, maxPayload: AUDIENCE_MAX_PAYLOAD }, role: 'audience' });
    this.unlisten = nav.add({ nav: (text) => this.out.send(text) });
  }

  get watchCount(): number {
    return this.watches.size;
  }

  private send(msg: ServerMessage, droppable = false): void {
    this.out.send(JSON.stringify(msg), droppable);
  }

  private error(message: string, session?: number): void {
    if (++this.errors > MAX_ERRORS) return;
    this.send({ type: 'error', message: shortText(message, MAX_ERROR_CHARS), ...(session !== undefined ? { session } : {}) });
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.closed) return;
    if (isBinary) return this.error(REFUSED_INPUT);
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    const text = buf.toString('utf8');
    // Acks are most of what an audience sends (hundreds of pages, a few a second each): a
    // strict check of their one exact shape first, the full parser for anything else.
    const ack = plainAck(text);
    if (ack) {
      const r = this.watches.ack(ack.session, ack.bytes);
      if (!r.ok) this.error(`ack of ${ack.bytes} bytes refused: only ${r.unacknowledged} bytes were sent and not yet acknowledged`, ack.session);
      return;
    }
    const parsed = parseClientMessage(text, AUDIENCE_TYPES);
    if (!parsed.ok) return this.error(parsed.error, parsed.session);
    const msg = parsed.message;
    switch (msg.type) {
      case 'watch': {
        const why = this.watches.watch(msg.session, msg.terminal);
        if (why) this.error(why, msg.session);
        return;
      }
      case 'unwatch':
        return this.watches.unwatch(msg.session);
      case 'ack': {
        const r = this.watches.ack(msg.session, msg.bytes);
        if (!r.ok) this.error(`ack of ${msg.bytes} bytes refused: only ${r.unacknowledged} bytes were sent and not yet acknowledged`, msg.session);
        return;
      }
      default:
        // parseClientMessage lets only the audience's types through; this is a second wall.
        return this.error(`"${msg.type}" refused: an audience page only watches`);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unlisten();
    this.watches.close();
  }
}
