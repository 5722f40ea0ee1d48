// A live terminal on a slide: xterm.js fed by a source, with Run / Stop / Restart.
// Its state is on the element as data-state (idle | starting | running | exited | error),
// which the presenter's scripts and the tests rely on.
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';
import { describeExit } from '../../../shared/wire.js';
import type { DemoSource } from '../sources/source.js';
import { useBestRenderer } from './renderer.js';
import { ReplayBar } from './replay-bar.js';

export type TerminalState = 'idle' | 'starting' | 'running' | 'exited' | 'error';

const DIM = '\x1b[2m';
const RED = '\x1b[31;1m';
const RESET = '\x1b[0m';
/** Acknowledge drawn output in batches: fewer messages, still well under the server's window. */
const ACK_BATCH = 8 * 1024;

export interface TerminalWidgetOptions {
  title: string;
  fontSize: number;
  /** Show the final screen of a replay as static HTML (print view, speaker-view previews). */
  snapshot?: boolean;
}

export class TerminalWidget {
  readonly term: Terminal;
  private readonly fit = new FitAddon();
  private readonly screen: HTMLElement;
  private readonly status: HTMLElement;
  private readonly buttons: Record<'run' | 'stop' | 'restart', HTMLButtonElement>;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly resizeObserver: ResizeObserver;
  private pendingAck = 0;
  private ackTimer: ReturnType<typeof setTimeout> | undefined;
  private state: TerminalState = 'idle';
  private replayBar: ReplayBar | undefined;

  constructor(
    readonly el: HTMLElement,
    readonly source: DemoSource,
    private readonly opts: TerminalWidgetOptions,
  ) {
    el.replaceChildren();
    el.classList.add('lt-mounted');
    const bar = document.createElement('div');
    bar.className = 'lt-bar';
    const title = document.createElement('span');
    title.className = 'lt-title';
    title.textContent = opts.title;
    this.status = document.createElement('span');
    this.status.className = 'lt-status';
    const button = (action: 'run' | 'stop' | 'restart', label: string, hint: string) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = `lt-${action}`;
      b.dataset.action = action;
      b.textContent = label;
      b.title = hint;
      b.addEventListener('click', (ev) => {
        ev.stopPropagation();
        this[action]();
      });
      return b;
    };
    this.buttons = {
      run: button('run', '▶ Run', 'Run the demo'),
      stop: button('stop', '■ Stop', 'Stop the demo and every process it started'),
      restart: button('restart', '↻ Restart', 'Stop and run again'),
    };
    bar.append(title, this.status, this.buttons.run, this.buttons.stop, this.buttons.restart);
    this.screen = document.createElement('div');
    this.screen.className = 'lt-screen';
    el.append(bar, this.screen);

    this.term = new Terminal({
      fontSize: opts.fontSize,
      fontFamily: '"JetBrains Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace',
      cursorBlink: false,
      scrollback: 2000,
      convertEol: false,
      allowProposedApi: false,
      theme: { background: '#101418', foreground: '#e8e6e3', cursor: '#e8e6e3' },
    });
    this.term.loadAddon(this.fit);
    this.term.open(this.screen);
    if (!opts.snapshot) {
      void useBestRenderer(this.term, (r) => (el.dataset.renderer = r)).then((r) => {
        el.dataset.renderer = r;
        this.refit();
      });
    } else el.dataset.renderer = 'dom';
    this.refit();
    this.term.onData((data) => {
      if (this.state === 'running') this.source.input(data);
    });
    this.resizeObserver = new ResizeObserver(() => this.refit());
    this.resizeObserver.observe(this.screen);

    this.unsubscribe.push(
      source.on('reset', () => {
        this.term.reset();
        this.setState('idle');
      }),
      source.on('started', () => this.setState('running')),
      source.on('output', (bytes) => this.term.write(bytes, () => this.acknowledge(bytes.byteLength))),
      source.on('exit', (msg) => {
        this.flushAck();
        const ok = msg.reason === 'exited' && msg.code === 0;
        this.term.write(`\r\n${ok ? DIM : RED}── ${describeExit(msg)} ──${RESET}\r\n`);
        this.setState('exited');
        this.replayBar?.update();
      }),
      source.on('error', (message) => {
        this.term.write(`\r\n${RED}✗ ${message}${RESET}\r\n`);
        this.setState('error');
      }),
    );
    this.setState('idle');
    void source.unavailable().then((why) => {
      if (why) {
        if (this.state !== 'idle') return;
        this.term.write(`${DIM}${why}${RESET}\r\n`);
        this.setState('error');
        this.buttons.run.disabled = this.buttons.restart.disabled = true;
        return;
      }
      if (source.replay) this.setUpReplay();
    });
  }

  private setUpReplay(): void {
    const replay = this.source.replay!;
    this.buttons.run.textContent = '▶ Play';
    this.buttons.run.title = 'Play the recording';
    this.buttons.stop.textContent = '❚❚ Pause';
    this.buttons.stop.title = 'Pause the recording';
    this.replayBar = new ReplayBar(replay);
    this.el.append(this.replayBar.el);
    this.refit();
    if (this.opts.snapshot) {
      replay.seek(replay.duration);
      this.term.write('', () => void this.freeze());
    }
  }

  /** Replaces the terminal with static HTML of its screen: prints, and costs nothing to keep. */
  private async freeze(): Promise<void> {
    const { SerializeAddon } = await import('@xterm/addon-serialize');
    const serialize = new SerializeAddon();
    this.term.loadAddon(serialize);
    const html = serialize.serializeAsHTML({ includeGlobalBackground: true });
    const pre = new DOMParser().parseFromString(html, 'text/html').querySelector('pre');
    const snap = document.createElement('div');
    snap.className = 'lt-snapshot';
    if (pre) snap.append(pre);
    this.resizeObserver.disconnect();
    this.screen.replaceChildren(snap);
    this.el.dataset.snapshot = 'true';
    this.frozenText = this.text();
    this.term.dispose();
  }

  private frozenText: string | undefined;

  /** The terminal's whole text (scrollback and screen), one line per row: for tests and scripts. */
  text(): string {
    if (this.frozenText !== undefined) return this.frozenText;
    const buf = this.term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < buf.length; i++) lines.push(buf.getLine(i)?.translateToString(true) ?? '');
    return lines.join('\n').trimEnd();
  }

  get currentState(): TerminalState {
    return this.state;
  }

  private setState(state: TerminalState): void {
    this.state = state;
    this.el.dataset.state = state;
    this.status.textContent = { idle: 'ready', starting: 'starting…', running: 'running', exited: 'ended', error: 'error' }[state];
    const paused = state === 'running' && this.source.replay?.playing === false;
    this.el.dataset.paused = String(paused);
    const active = (state === 'starting' || state === 'running') && !paused;
    this.buttons.run.disabled = active;
    this.buttons.stop.disabled = !active;
    this.buttons.restart.disabled = state === 'idle';
  }

  private acknowledge(bytes: number): void {
    this.pendingAck += bytes;
    if (this.pendingAck >= ACK_BATCH) this.flushAck();
    else this.ackTimer ??= setTimeout(() => this.flushAck(), 20);
  }

  private flushAck(): void {
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    if (this.pendingAck > 0) this.source.ack(this.pendingAck);
    this.pendingAck = 0;
  }

  /**
   * reveal.js scales the whole slide with a CSS transform; a terminal drawn under it is blurry
   * and its mouse and selection land off target. So the screen undoes the deck's scale and
   * draws at device size instead, with a font scaled by the deck's scale (and the presenter's
   * zoom for the back of the room).
   */
  applyScale(deckScale: number, zoom: number): void {
    if (this.frozenText !== undefined) return;
    const s = deckScale > 0 && Number.isFinite(deckScale) ? deckScale : 1;
    const style = this.screen.style;
    if (s === 1) {
      style.transform = style.width = style.height = '';
    } else {
      style.transformOrigin = '0 0';
      style.transform = `scale(${1 / s})`;
      style.width = `${100 * s}%`;
      style.height = `${100 * s}%`;
    }
    const size = Math.round(this.opts.fontSize * s * zoom * 10) / 10;
    if (this.term.options.fontSize !== size) this.term.options.fontSize = size;
    this.el.dataset.fontSize = String(size);
    this.el.dataset.zoom = String(zoom);
    this.refit();
  }

  refit(): void {
    if (!this.screen.isConnected || this.screen.clientWidth === 0 || this.frozenText !== undefined) return;
    // A replay fits like a live terminal: the samples print short lines, recorded at 80 columns.
    try {
      this.fit.fit();
    } catch {
      return; // not laid out yet
    }
    if (this.state === 'running' || this.state === 'starting') this.source.resize(this.term.cols, this.term.rows);
  }

  run(): void {
    const replay = this.source.replay;
    if (replay && this.state === 'running' && !replay.playing) {
      replay.resume();
      this.setState(this.state);
      this.replayBar?.update();
      return;
    }
    if (this.state === 'starting' || this.state === 'running') return;
    this.refit();
    this.term.reset();
    this.pendingAck = 0;
    this.setState('starting');
    this.source.start({ cols: this.term.cols, rows: this.term.rows });
    if (this.source.replay) {
      this.setState(this.state); // the replay started playing after its 'started' event
      this.replayBar?.update();
    } else this.term.focus();
  }

  stop(): void {
    const replay = this.source.replay;
    if (replay) {
      replay.pause();
      this.setState(this.state);
      return;
    }
    if (this.state === 'starting' || this.state === 'running') this.source.stop();
  }

  restart(): void {
    this.setState('idle');
    this.run();
  }

  destroy(): void {
    this.replayBar?.destroy();
    this.resizeObserver.disconnect();
    for (const off of this.unsubscribe) off();
    this.source.dispose();
    this.term.dispose();
  }
}
