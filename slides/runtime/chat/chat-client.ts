// The browser client of the WebSocket chat demo, beside its terminal on the slide:
//   <div class="ws-chat-client" data-terminal="ws-chat-room"></div>
// Live, it is a real WebSocket to the Python server the terminal runs (ws://127.0.0.1:PORT,
// the URL read from the server's first line), and reconnects by itself whenever that server
// goes away: after 0.5 s, 1 s, 1.5 s, then every 2 s while the demo runs. In a replay (the
// static site) it shows what the recorded server relayed, and when it restarted, from the
// recording's own output. Its state is on the element: data-state (waiting | connecting |
// open | retrying | stopped | replay), data-opens (connections made so far) and
// data-messages (messages shown). It follows the terminal's runs through the page's registry;
// whether a run is live or recorded is the run's provenance.
import { attributesOf, readChatClient } from '../../../shared/slide-markup.js';
import type { DemoSource } from '../sources/demo-source.js';
import type { SourceRegistry } from '../sources/source-registry.js';
import type { SlideWidget } from '../widgets/slide-widget.js';
import './chat-client.css';

type State = 'waiting' | 'connecting' | 'open' | 'retrying' | 'stopped' | 'replay';

const URL_LINE = /ws:\/\/(127\.0\.0\.1|localhost):(\d{1,5})/;
const RELAYED = /^\[[\d.]+s\] » (.*?)\s{3}\(to \d+/;
const CLOSE_NAMES: Record<number, string> = {
  1000: 'closed normally',
  1001: 'server going away',
  1006: 'connection lost',
  1012: 'service restart',
};
const MAX_SHOWN = 60;
const BACKOFF_S = [0.5, 1, 1.5, 2];

export class ChatClientWidget implements SlideWidget {
  private readonly log: HTMLOListElement;
  private readonly title: HTMLElement;
  private readonly status: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly send: HTMLButtonElement;
  private readonly unfollow: () => void;
  private decoder = new TextDecoder();
  /** Whether the terminal's source runs the server live here (else: a recording of it). */
  private live = false;
  private partial = '';
  private ws: WebSocket | undefined;
  private url: string | undefined;
  private running = false;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private opens = 0;
  private messages = 0;

  constructor(
    readonly el: HTMLElement,
    terminal: string,
    registry: SourceRegistry,
  ) {
    el.replaceChildren();
    el.classList.add('wc-mounted');
    const head = document.createElement('div');
    head.className = 'wc-head';
    this.title = document.createElement('span');
    this.title.className = 'wc-title';
    this.status = document.createElement('span');
    this.status.className = 'wc-status';
    this.status.setAttribute('role', 'status');
    head.append(this.title, this.status);
    this.log = document.createElement('ol');
    this.log.className = 'wc-log';
    this.log.setAttribute('aria-live', 'polite');
    const form = document.createElement('form');
    form.className = 'wc-form';
    this.input = document.createElement('input');
    this.input.type = 'text';
    this.input.maxLength = 200;
    this.input.setAttribute('aria-label', 'Message to the chat room');
    this.send = document.createElement('button');
    this.send.type = 'submit';
    this.send.textContent = 'Send';
    form.append(this.input, this.send);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.say(this.input.value);
    });
    // Keys typed here are the message's, not the deck's (→ would change the slide).
    this.input.addEventListener('keydown', (ev) => ev.stopPropagation());
    el.append(head, this.log, form);

    this.unfollow = registry.follow(terminal, (source) => this.follow(source));
  }

  private follow(source: DemoSource): () => void {
    this.live = source.provenance.kind === 'live';
    this.decoder = new TextDecoder();
    this.partial = '';
    this.title.textContent = this.live ? 'this browser, a WebSocket client' : 'the browser client (replay)';
    if (this.live) {
      this.input.placeholder = 'type a message, press Enter';
      this.setState('waiting', 'waiting for the server: press ▶ Run');
    } else {
      this.input.placeholder = 'replay: live, this sends over a real WebSocket';
      this.input.disabled = this.send.disabled = true;
      this.setState('replay', 'replay: press ▶ Play on the terminal');
    }
    const offs = [
      source.on('run', () => this.serverStarted()),
      source.on('output', (bytes) => this.serverPrinted(this.decoder.decode(bytes, { stream: true }))),
      source.on('exit', () => this.serverStopped()),
      source.on('error', () => this.serverStopped()),
      // A replay that starts over starts its log over; live, the log goes on across restarts,
      // as the page's socket reconnects across them.
      source.on('reset', () => this.live || this.clear()),
    ];
    return () => {
      for (const off of offs) off();
      this.serverStopped();
    };
  }

  private setState(state: State, text: string): void {
    this.el.dataset.state = state;
    this.status.textContent = text;
    const connected = state === 'open';
    if (this.live) this.input.disabled = this.send.disabled = !connected;
  }

  private show(text: string, kind: 'them' | 'me' | 'note'): void {
    const li = document.createElement('li');
    li.className = `wc-${kind}`;
    li.textContent = text;
    this.log.append(li);
    while (this.log.childElementCount > MAX_SHOWN) this.log.firstElementChild?.remove();
    this.log.scrollTop = this.log.scrollHeight;
    if (kind === 'them') this.el.dataset.messages = String(++this.messages);
  }

  private clear(): void {
    this.log.replaceChildren();
    this.partial = '';
    this.messages = 0;
    this.el.dataset.messages = '0';
    if (!this.live) this.setState('replay', 'replay: press ▶ Play on the terminal');
  }

  // ---- what the terminal's server says ------------------------------------

  private serverStarted(): void {
    this.running = true;
    this.attempt = 0;
    if (this.live) this.setState('waiting', 'server starting…');
  }

  private serverStopped(): void {
    this.running = false;
    clearTimeout(this.retryTimer);
    if (this.live) {
      if (this.ws?.readyState !== WebSocket.OPEN) this.setState('stopped', 'server stopped: ▶ Run starts it, and I reconnect');
    } else this.setState('replay', 'replay ended: the recorded server stopped');
  }

  private serverPrinted(text: string): void {
    const lines = (this.partial + text).split(/\r?\n/);
    this.partial = lines.pop() ?? '';
    for (const raw of lines) {
      // eslint-disable-next-line no-control-regex
      const line = raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
      const url = URL_LINE.exec(line);
      if (url && /listening|WebSocket chat on/.test(line)) {
        this.url = `ws://127.0.0.1:${url[2]}/`;
        if (this.live) this.connectSoon(0);
        else this.setState('replay', line.includes('again') ? 'replay: connected again' : 'replay: connected');
      } else if (!this.live) {
        this.replayLine(line);
      }
    }
  }

  /** A replay has no socket: the recorded server's own lines say what a client saw. */
  private replayLine(line: string): void {
    const relayed = RELAYED.exec(line);
    if (relayed) return this.show(relayed[1]!, 'them');
    if (/server: restarting/.test(line)) {
      this.show('closed by the server: 1012 (service restart)', 'note');
      this.setState('replay', 'replay: reconnecting by itself…');
    } else if (/closed after/.test(line)) {
      this.setState('replay', 'replay ended: the recorded server stopped');
    }
  }

  // ---- the live socket ----------------------------------------------------

  private connectSoon(seconds: number): void {
    clearTimeout(this.retryTimer);
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) return; // connecting or open
    this.retryTimer = setTimeout(() => this.connect(), seconds * 1000);
  }

  private connect(): void {
    if (!this.running || !this.url || !this.el.isConnected) return;
    this.setState('connecting', `connecting to ${this.url.replace(/\/$/, '')}…`);
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.el.dataset.opens = String(++this.opens);
      this.setState('open', `● connected to ${this.url!.replace(/\/$/, '')}`);
      if (this.opens > 1) this.show('reconnected', 'note');
    };
    ws.onmessage = (ev) => this.show(String(ev.data), 'them');
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      const why = CLOSE_NAMES[ev.code] ?? `code ${ev.code}`;
      if (this.opens > 0 && ev.code !== 1006) this.show(`closed by the server: ${ev.code} (${why})`, 'note');
      if (!this.running) {
        this.setState('stopped', 'server stopped: ▶ Run starts it, and I reconnect');
        return;
      }
      const wait = BACKOFF_S[Math.min(this.attempt++, BACKOFF_S.length - 1)]!;
      this.setState('retrying', `○ ${why}: reconnecting in ${wait} s`);
      this.connectSoon(wait);
    };
  }

  private say(text: string): void {
    const line = text.trim();
    if (!line || this.ws?.readyState !== WebSocket.OPEN) return;
    this.ws.send(`browser: ${line}`);
    this.show(`you: ${line}`, 'me');
    this.input.value = '';
  }

  // ---- the life cycle ------------------------------------------------------

  get busy(): boolean {
    return false;
  }

  layout(): void {}
  shown(): void {}
  hidden(): void {}

  destroy(): void {
    this.unfollow();
    clearTimeout(this.retryTimer);
    this.running = false;
    this.ws?.close(1000);
    this.ws = undefined;
    this.el.replaceChildren();
    this.el.classList.remove('wc-mounted');
    for (const key of ['state', 'opens', 'messages']) delete this.el.dataset[key];
  }
}

export function mountChatClient(el: HTMLElement, registry: SourceRegistry): ChatClientWidget | undefined {
  const { terminal } = readChatClient(attributesOf(el));
  if (!document.getElementById(terminal)?.classList.contains('live-terminal')) {
    el.textContent = `chat client: no live terminal with id "${terminal}"`;
    el.dataset.state = 'error';
    return undefined;
  }
  return new ChatClientWidget(el, terminal, registry);
}
