// The page's one WebSocket to the demo server (the demo socket), shared by every live
// terminal on the page. Runs are multiplexed by an id the page picks (the wire's `session`);
// messages wait while the socket opens.
//
// Once a terminal has needed it, the socket stays up by itself: when it closes it is opened
// again with a short backoff (at once when the tab becomes visible again or the network comes
// back), and its state (link-state.ts shows it) says so. Each run on it is told when the socket
// closed under it, and each source may listen for the server's welcome to take its run back.
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

/**
 * idle: no terminal needed it yet; connecting: the first try; open: the server welcomed the
 * page; reconnecting: it was lost (or never reached) and the page tries again.
 */
export type LinkState = 'idle' | 'connecting' | 'open' | 'reconnecting';

/** What a live source needs of the socket its runs go over. */
export interface RunSocket {
  openRun(handler: RunHandler): number;
  closeRun(id: number): void;
  send(msg: ClientMessage): void;
  input(run: number, data: string): void;
  welcomed(): Promise<WelcomeMessage>;
  /** The server's welcome, or undefined once a try to reach it failed. */
  reachable(): Promise<WelcomeMessage | undefined>;
  readonly state: LinkState;
  /** Calls `listener` on each welcome from now on (each time the socket is back); returns what stops it. */
  onWelcome(listener: (w: WelcomeMessage) => void): () => void;
}

/** Backoff between tries while the page is visible: short, so the deck is back within about a second of the server. */
const RETRY_FIRST_MS = 250;
const RETRY_MOST_MS = 1000;
/** While the tab is hidden (a laptop asleep, another window): no hurry; it tries at once when shown. */
const RETRY_HIDDEN_MS = 10_000;

export class DemoSocket implements RunSocket {
  private ws: WebSocket | undefined;
  private readonly queue: (string | Uint8Array)[] = [];
  private readonly handlers = new Map<number, RunHandler>();
  private nextId = 1;
  private retryMs = RETRY_FIRST_MS;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private linkState: LinkState = 'idle';
  private readonly stateListeners = new Set<(s: LinkState) => void>();
  private readonly welcomeListeners = new Set<(w: WelcomeMessage) => void>();
  welcome: WelcomeMessage | undefined;
  private welcomeWaiters: ((w: WelcomeMessage) => void)[] = [];
  private reachWaiters: ((w: WelcomeMessage | undefined) => void)[] = [];
  private readonly navListeners = new Set<(nav: NavState) => void>();
  private readonly closeListeners = new Set<(reason: string, code: number) => void>();
  private readonly openListeners = new Set<() => void>();

  constructor(private readonly url: string) {
    if (typeof document !== 'undefined') {
      document.addEventListener('visibilitychange', () => {
        if (document.visibilityState === 'visible') this.retryNow();
      });
      addEventListener('online', () => this.retryNow());
    }
  }

  get state(): LinkState {
    return this.linkState;
  }

  /** Calls `listener` with the state now and on each change; returns what stops it. */
  onState(listener: (s: LinkState) => void): () => void {
    this.stateListeners.add(listener);
    listener(this.linkState);
    return () => this.stateListeners.delete(listener);
  }

  onWelcome(listener: (w: WelcomeMessage) => void): () => void {
    this.welcomeListeners.add(listener);
    return () => this.welcomeListeners.delete(listener);
  }

  private setState(s: LinkState): void {
    if (s === this.linkState) return;
    this.linkState = s;
    for (const l of this.stateListeners) l(s);
  }

  /** The server's list of demos and limits, once connected. */
  welcomed(): Promise<WelcomeMessage> {
    if (this.welcome) return Promise.resolve(this.welcome);
    this.ensureOpen();
    return new Promise((r) => this.welcomeWaiters.push(r));
  }

  reachable(): Promise<WelcomeMessage | undefined> {
    if (this.welcome) return Promise.resolve(this.welcome);
    if (this.linkState === 'reconnecting') return Promise.resolve(undefined);
    this.ensureOpen();
    return new Promise((r) => this.reachWaiters.push(r));
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

  /** Opens the socket now, with nothing to send yet (an audience page); like every page's, it is reopened after every close, backing off. */
  stayOpen(): void {
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

  /** The tab is visible again, or the network is back: try now rather than at the next backoff. */
  private retryNow(): void {
    if (this.linkState !== 'reconnecting' || this.ws) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.retryMs = RETRY_FIRST_MS;
    this.ensureOpen();
  }

  private ensureOpen(): void {
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.linkState === 'idle') this.setState('connecting');
    const ws = new WebSocket(this.url, PROTOCOL);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => {
      for (const data of this.queue.splice(0)) ws.send(data);
      for (const l of this.openListeners) l();
    };
    ws.onmessage = (ev) => {
      if (this.ws === ws) this.onMessage(ev.data as ArrayBuffer | string);
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      // A server that refuses the socket (too many open) says why in the close reason.
      const why = ev.reason ? `the demo server closed this page's socket: ${ev.reason}` : 'the page lost the demo server (is `npm start` still running?)';
      this.ws = undefined;
      this.welcome = undefined;
      // What waited to be sent belonged to runs that are told now; none of it is sent later.
      this.queue.length = 0;
      const handlers = [...this.handlers.values()];
      this.handlers.clear();
      this.setState('reconnecting');
      for (const r of this.reachWaiters.splice(0)) r(undefined);
      for (const h of handlers) h.lost(why);
      for (const l of this.closeListeners) l(ev.reason, ev.code);
      this.scheduleRetry();
    };
  }

  private scheduleRetry(): void {
    if (this.retryTimer !== undefined || this.ws) return;
    const hidden = typeof document !== 'undefined' && document.visibilityState === 'hidden';
    const wait = hidden ? RETRY_HIDDEN_MS : this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MOST_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.ensureOpen();
    }, wait);
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
      this.retryMs = RETRY_FIRST_MS;
      this.setState('open');
      for (const w of this.welcomeWaiters.splice(0)) w(msg);
      for (const r of this.reachWaiters.splice(0)) r(msg);
      for (const l of [...this.welcomeListeners]) l(msg);
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
