// The page's one WebSocket to the demo server (the demo socket), shared by every live
// terminal on the page. Runs are multiplexed by an id the page picks (the wire's `session`);
// messages wait while the socket (re)opens.
import {
  PROTOCOL,
  WS_PATH,
  MAX_CLIENT_PAYLOAD,
  Op,
  decodeFrame,
  encodeFrame,
  type ClientMessage,
  type NavState,
  type ServerMessage,
  type WelcomeMessage,
} from '../../../shared/wire.js';

/** What one run hears from the socket. */
export interface RunHandler {
  message(msg: ServerMessage): void;
  output(bytes: Uint8Array): void;
  /** The socket closed under the run. */
  lost(reason: string): void;
}

/** What a live source needs of the socket its runs go over. */
export interface RunSocket {
  openRun(handler: RunHandler): number;
  closeRun(id: number): void;
  send(msg: ClientMessage): void;
  input(run: number, data: string): void;
  welcomed(): Promise<WelcomeMessage>;
}

export class DemoSocket implements RunSocket {
  private ws: WebSocket | undefined;
  private readonly queue: (string | Uint8Array)[] = [];
  private readonly handlers = new Map<number, RunHandler>();
  private nextId = 1;
  private retryMs = 500;
  welcome: WelcomeMessage | undefined;
  private welcomeWaiters: ((w: WelcomeMessage) => void)[] = [];
  private readonly navListeners = new Set<(nav: NavState) => void>();
  private readonly closeListeners = new Set<(reason: string, code: number) => void>();
  private readonly openListeners = new Set<() => void>();
  /** Reopen after every close, backing off (an audience page, which has nothing to send). */
  private keepOpen = false;

  constructor(private readonly url: string) {}

  /** The server's list of demos and limits, once connected. */
  welcomed(): Promise<WelcomeMessage> {
    if (this.welcome) return Promise.resolve(this.welcome);
    this.ensureOpen();
    return new Promise((r) => this.welcomeWaiters.push(r));
  }

  /** The server's URL for this page: same host, token carried over from the page's URL. */
  static forPage(loc: Location = location): DemoSocket {
    const scheme = loc.protocol === 'https:' ? 'wss' : 'ws';
    const token = new URLSearchParams(loc.search).get('token');
    return new DemoSocket(`${scheme}://${loc.host}${WS_PATH}${token ? `?token=${encodeURIComponent(token)}` : ''}`);
  }

  /** Where the presenter is (an audience page hears it on connecting and on every change). */
  onNav(listener: (nav: NavState) => void): () => void {
    this.navListeners.add(listener);
    return () => this.navListeners.delete(listener);
  }

  /** The socket closed (the server's reason, if it gave one) / opened. */
  onClose(listener: (reason: string, code: number) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  onOpen(listener: () => void): () => void {
    this.openListeners.add(listener);
    return () => this.openListeners.delete(listener);
  }

  /** Keeps the socket open from now on: reopened after every close, backing off. */
  stayOpen(): void {
    this.keepOpen = true;
    this.ensureOpen();
  }

  /** A new run's id, whose messages go to `handler` until closeRun. */
  openRun(handler: RunHandler): number {
    const id = this.nextId++;
    this.handlers.set(id, handler);
    this.ensureOpen();
    return id;
  }

  closeRun(id: number): void {
    this.handlers.delete(id);
  }

  send(msg: ClientMessage): void {
    this.sendRaw(JSON.stringify(msg));
  }

  /** Keys or a paste for a run, in frames the server accepts (a large paste is split). */
  input(run: number, data: string): void {
    const bytes = new TextEncoder().encode(data);
    const most = (this.welcome?.limits.maxPayload ?? MAX_CLIENT_PAYLOAD) - 5; // minus the frame header
    for (let at = 0; at < bytes.byteLength; at += most) {
      this.sendRaw(encodeFrame(Op.input, run, bytes.subarray(at, at + most)));
    }
  }

  private sendRaw(data: string | Uint8Array): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(data);
    else {
      this.queue.push(data);
      this.ensureOpen();
    }
  }

  private ensureOpen(): void {
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) return;
    const ws = new WebSocket(this.url, PROTOCOL);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => {
      this.retryMs = 500;
      for (const data of this.queue.splice(0)) ws.send(data);
      for (const l of this.openListeners) l();
    };
    ws.onmessage = (ev) => this.onMessage(ev.data as ArrayBuffer | string);
    ws.onclose = (ev) => {
      const hadQueue = this.queue.length > 0;
      // A server that refuses the socket (too many open) says why in the close reason.
      const why = ev.reason ? `the demo server closed this page's socket: ${ev.reason}` : 'the page lost the demo server (is `npm start` still running?)';
      const lost = [...this.handlers.values()];
      this.handlers.clear();
      this.ws = undefined;
      for (const h of lost) h.lost(why);
      for (const l of this.closeListeners) l(ev.reason, ev.code);
      if ((hadQueue || this.keepOpen) && !this.ws) {
        // Something still waits to be sent: try again, backing off.
        setTimeout(() => this.ensureOpen(), this.retryMs);
        this.retryMs = Math.min(this.retryMs * 2, 8000);
      }
    };
  }

  private onMessage(data: ArrayBuffer | string): void {
    if (typeof data !== 'string') {
      const frame = decodeFrame(new Uint8Array(data));
      if (frame?.op === Op.output) this.handlers.get(frame.session)?.output(frame.payload);
      return;
    }
    const msg = JSON.parse(data) as ServerMessage;
    if (msg.type === 'welcome') {
      this.welcome = msg;
      for (const w of this.welcomeWaiters.splice(0)) w(msg);
      return;
    }
    if (msg.type === 'nav') {
      for (const l of this.navListeners) l(msg);
      return;
    }
    if (msg.type === 'error' && msg.session === undefined) {
      console.warn(`demo server: ${msg.message}`);
      return;
    }
    this.handlers.get(msg.session!)?.message(msg);
  }
}

let shared: DemoSocket | undefined;
/** The page's demo socket, opened when a live terminal first needs it. */
export function pageSocket(): DemoSocket {
  return (shared ??= DemoSocket.forPage());
}
