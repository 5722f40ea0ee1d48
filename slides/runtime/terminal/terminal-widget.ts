// A live terminal on a slide: xterm.js showing the runs of the source behind its id in the
// page's registry, with Run / Stop / Restart (Play / Pause on a replay). Its state is on the
// element as data-state (idle | starting | running | exited | error), which the presenter's
// scripts and the tests rely on. The source is bound to xterm by a SourceAddon; a source
// swapped in under the same id (a recording in place of a failed live run) is followed.
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';
import { describeExit } from '../../../shared/wire.js';
import type { DemoSource } from '../sources/demo-source.js';
import type { SourceRegistry } from '../sources/source-registry.js';
import type { DeckView, SlideWidget } from '../widgets/slide-widget.js';
import { SourceAddon } from './source-addon.js';
import { TerminalRenderer } from './renderer.js';
import { ReplayBar } from './replay-bar.js';
import { LiveSource } from '../sources/live-source.js';
import { allRecordings, onAllRecordings } from '../sources/recordings-switch.js';
import { fontToFit, MIN_FIT, type CellRatio, measureCell } from './fit-font.js';
import { TerminalKeys } from './terminal-keys.js';

export type TerminalState = 'idle' | 'starting' | 'running' | 'exited' | 'error';

const DIM = '\x1b[2m';
/** The smallest text a watched run is drawn in (device px). */
const MIN_WATCH_FONT_PX = 9;
const RED = '\x1b[31;1m';
const RESET = '\x1b[0m';

export interface TerminalWidgetOptions {
  title: string;
  fontSize: number;
  /** Show the final screen of the run as static HTML (print view, speaker-view previews). */
  still?: boolean;
  /** Show the run as soon as the source is ready, without freezing it (the speaker view's mirror). */
  showAtOnce?: boolean;
  /** Run / Stop / Restart shown (default); false: the bar only names the terminal. */
  controls?: boolean;
  /** A problem with the slide's markup, shown instead of a run. */
  problem?: string | undefined;
  /**
   * On a page that runs demos live: makes this terminal's recording, offered in place when
   * the live demo cannot run (no server, refused, crashed) and for the deck-wide switch; and
   * makes a live source again, for switching back.
   */
  recording?: () => DemoSource;
  live?: () => DemoSource;
  /** Called once the widget is destroyed. */
  onDestroy?: () => void;
  /** The rows its output needs (data-min-rows; MIN_FIT's otherwise). */
  minRows?: number | undefined;
  /** Leaving its slide does not stop its run (data-keep-running). */
  keepRunning?: boolean;
}

/** One measurement of the terminal font's cell per page. */
let cell: CellRatio | undefined;

function pad(el: HTMLElement, axis: 'x' | 'y'): number {
  const cs = getComputedStyle(el);
  return axis === 'x' ? parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight) : parseFloat(cs.paddingTop) + parseFloat(cs.paddingBottom);
}

/** The data attributes the widget sets on its element, removed again when it is destroyed. */
const OWN_DATA = ['state', 'renderer', 'paused', 'snapshot', 'fontSize', 'zoom', 'link', 'offer', 'source', 'watching', 'keyboard', 'left'] as const;

/** The deck's font for terminals at its largest, logical px: 18.4 px on screen at 1024×768 (scale 0.768). */
export const TERMINAL_FONT = 24;

/** Terminal text on a phone, CSS px on screen. */
const PHONE_TEXT_PX = 11.5;

const FONT_FAMILY = '"JetBrains Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace';

/** A live run that ended by crashing (not stopped, not Ctrl-C): its recording is worth offering. */
function crashed(end: { code: number | null; signal: string | null; reason: string }): boolean {
  if (end.reason !== 'exited') return false;
  if (end.signal) return end.signal !== 'SIGINT';
  return end.code !== 0 && end.code !== 130;
}

export class TerminalWidget implements SlideWidget {
  readonly term: Terminal;
  private readonly fit = new FitAddon();
  private readonly screen: HTMLElement;
  /** Inside the screen: where xterm draws, at device size (it undoes the deck's scale). */
  private readonly host: HTMLElement;
  private readonly keys: TerminalKeys;
  private view: DeckView = { scale: 1, zoom: 1 };
  /** The logical font the box was last fitted with (before zoom). */
  private fittedFont: number;
  /** A live run was stopped because the presenter left its slide. */
  private stoppedOnLeave = false;
  private readonly status: HTMLElement;
  private readonly buttons: Record<'run' | 'stop' | 'restart' | 'recording', HTMLButtonElement>;
  private readonly offSwitch: () => void;
  private readonly resizeObserver: ResizeObserver;
  private readonly renderer: TerminalRenderer;
  private readonly unfollow: () => void;
  private bound: DemoSource | undefined;
  private addon: SourceAddon | undefined;
  /** Between shown() and hidden(). */
  private onScreen = false;
  /** The bound source, once it has loaded what it needs (a recording). */
  private loaded: DemoSource | undefined;
  private state: TerminalState = 'idle';
  private replayBar: ReplayBar | undefined;
  private frozenText: string | undefined;
  private destroyed = false;

  constructor(
    readonly el: HTMLElement,
    /** Its id in the registry (the element's id). */
    readonly key: string,
    private readonly registry: SourceRegistry,
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
    const button = (action: 'run' | 'stop' | 'restart' | 'recording', label: string, hint: string) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = `lt-${action}`;
      b.dataset.action = action;
      b.textContent = label;
      b.title = hint;
      // A click on a button leaves the keyboard with the deck (a focused button would take Space).
      b.addEventListener('mousedown', (ev) => ev.preventDefault());
      b.addEventListener('click', (ev) => {
        ev.stopPropagation();
        b.blur();
        if (action === 'recording') this.useRecording(true);
        else this[action]();
      });
      return b;
    };
    this.buttons = {
      run: button('run', '▶ Run', 'Run the demo'),
      stop: button('stop', '■ Stop', 'Stop the demo and every process it started'),
      restart: button('restart', '↻ Restart', 'Stop and run again'),
      recording: button('recording', '▶ Recording (R)', 'Play the recording of this demo here instead (R)'),
    };
    this.buttons.recording.hidden = true;
    bar.append(title, this.status, this.buttons.recording, this.buttons.run, this.buttons.stop, this.buttons.restart);
    if (opts.controls === false) for (const b of Object.values(this.buttons)) b.hidden = true;
    this.screen = document.createElement('div');
    this.screen.className = 'lt-screen';
    this.host = document.createElement('div');
    this.host.className = 'lt-host';
    this.screen.append(this.host);
    el.append(bar, this.screen);

    this.fittedFont = opts.fontSize;
    this.term = new Terminal({
      fontSize: opts.fontSize,
      fontFamily: FONT_FAMILY,
      cursorBlink: false,
      scrollback: 2000,
      convertEol: false,
      allowProposedApi: false,
      theme: { background: '#101418', foreground: '#e8e6e3', cursor: '#e8e6e3' },
    });
    this.term.loadAddon(this.fit);
    this.term.open(this.host);
    this.keys = new TerminalKeys(this.term, el, () => this.bound?.acceptsInput === true && this.busy);
    this.renderer = new TerminalRenderer(this.term, (r) => {
      el.dataset.renderer = r;
      this.refit();
    });
    el.dataset.renderer = 'dom';
    this.refit();
    // A watched run larger than its box: its box follows the cursor's line down.
    this.term.onWriteParsed(() => {
      if (this.watching) this.keepCursorInView();
    });
    this.resizeObserver = new ResizeObserver(() => this.layout(this.view));
    this.resizeObserver.observe(this.screen);
    this.setState('idle');
    if (opts.problem) {
      this.fail(opts.problem);
      this.unfollow = () => {};
    } else this.unfollow = registry.follow(key, (source) => this.bind(source));
    // The deck-wide switch (D): every live terminal to its recording, and back.
    this.offSwitch = opts.recording && opts.live ? onAllRecordings((on) => (on ? this.useRecording(false) : this.useLive())) : () => {};
  }

  /** Whether it offers its recording now (a live demo that could not run): R or the button plays it. */
  get offersRecording(): boolean {
    return !this.buttons.recording.hidden;
  }

  private offerRecording(on: boolean): void {
    const can = on && !!this.opts.recording && this.bound?.provenance.kind === 'live';
    this.buttons.recording.hidden = !can;
    this.el.dataset.offer = can ? 'recording' : '';
    // Nothing runs here to type into: the keys go back to the deck, so R reaches it.
    if (can && document.activeElement instanceof HTMLElement && this.el.contains(document.activeElement)) document.activeElement.blur();
  }

  /** Shows this demo's recording in place of the live run (same demo and parameters); `play`: at once. */
  useRecording(play: boolean): void {
    if (!this.opts.recording || this.destroyed || this.bound?.provenance.kind === 'recording') return;
    this.registry.provide(this.key, this.opts.recording());
    if (play) this.run();
  }

  /** Back to the live demo (the deck-wide switch turned off). */
  useLive(): void {
    if (!this.opts.live || this.destroyed || this.bound?.provenance.kind !== 'recording') return;
    this.registry.provide(this.key, this.opts.live());
  }

  /** The source it shows now (scripts and tests type into it: `el.liveTerminal.source.input(…)`). */
  get source(): DemoSource | undefined {
    return this.bound;
  }

  /** The binding of its source to its terminal (the terminal benchmark reads and sets its options). */
  get sourceAddon(): SourceAddon | undefined {
    return this.addon;
  }

  private bind(source: DemoSource): () => void {
    this.bound = source;
    this.el.dataset.source = source.provenance.kind;
    this.offerRecording(false);
    this.setLink(undefined);
    const addon = new SourceAddon(source);
    this.addon = addon;
    this.term.loadAddon(addon);
    const offs = [
      source.on('reset', () => {
        if (this.state !== 'starting') this.setState('idle');
      }),
      source.on('run', () => {
        this.setLink(undefined);
        this.offerRecording(false);
        this.setState('running');
        this.drawFast();
        this.replayBar?.update();
        if (this.watching) this.refit(); // drawn at the presenter's size
      }),
      source.on('exit', (end) => {
        const ok = end.reason === 'exited' && end.code === 0;
        const left = this.stoppedOnLeave && end.reason === 'stopped';
        this.term.write(`\r\n${ok || left ? DIM : RED}── ${left ? 'stopped when you left the slide' : describeExit(end)} ──${RESET}\r\n`);
        this.setState('exited');
        this.offerRecording(crashed(end));
        this.keys.release();
        this.replayBar?.update();
        if (this.opts.still) this.term.write('', () => void this.freeze());
      }),
      source.on('error', (message) => {
        this.setLink(undefined);
        const offer = !!this.opts.recording && source.provenance.kind === 'live';
        this.term.write(`\r\n${RED}✗ ${message}${RESET}\r\n${offer ? `${DIM}Its recording can play here instead: press R, or ▶ Recording.${RESET}\r\n` : ''}`);
        this.setState('error');
        this.offerRecording(true);
        this.keys.release();
      }),
      source.on('suspended', (note) => this.setLink(note)),
    ];
    // Following a run already on: show where it stands.
    const now = source.current;
    if (now) this.setState(now.ended === undefined ? 'running' : 'error' in now.ended ? 'error' : 'exited');
    else this.setState('idle');
    void source.unavailable().then((why) => {
      if (this.bound !== source || this.destroyed) return;
      if (why) {
        if (this.state === 'idle') this.fail(why);
        return;
      }
      this.loaded = source;
      this.showCapabilities(source);
      if (this.opts.still || this.opts.showAtOnce) source.start({ cols: this.term.cols, rows: this.term.rows });
      // A run this terminal had before the page reloaded: taken back if the server still keeps it.
      else if (source instanceof LiveSource && this.state === 'idle' && !this.watching) {
        this.refit();
        if (source.resume({ cols: this.term.cols, rows: this.term.rows })) this.setState('starting');
      }
    });
    return () => {
      for (const off of offs) off();
      addon.dispose();
      if (this.addon === addon) this.addon = undefined;
      this.replayBar?.destroy();
      this.replayBar = undefined;
      if (this.bound === source) this.bound = this.loaded = undefined;
    };
  }

  /** A source that is ready says what it can do: a recording names itself, a replay adds its controls. */
  private showCapabilities(source: DemoSource): void {
    const recording = source.provenance.kind === 'recording';
    // The presenter's run, watched: nothing here drives it.
    const watching = this.watching;
    this.el.dataset.watching = String(watching);
    // (the recording button shows only when a recording is offered: see offerRecording)
    for (const b of [this.buttons.run, this.buttons.stop, this.buttons.restart]) b.hidden = watching || this.opts.controls === false;
    if (watching || this.opts.controls === false) this.buttons.recording.hidden = true;
    this.buttons.run.textContent = recording ? '▶ Play' : '▶ Run';
    this.buttons.run.title = recording ? 'Play the recording' : 'Run the demo';
    this.buttons.stop.textContent = recording ? '❚❚ Pause' : '■ Stop';
    this.buttons.stop.title = recording ? 'Pause the recording' : 'Stop the demo and every process it started';
    if (source.provenance.kind === 'recording') {
      this.replayBar = new ReplayBar(source.controls, source.provenance.recordedOn);
      this.el.append(this.replayBar.el);
    }
    this.setState(this.state);
    this.refit();
  }

  /** A calm note while the connection is down under a run that goes on (undefined: none). */
  private setLink(note: string | undefined): void {
    if (note) this.el.dataset.link = 'reconnecting';
    else delete this.el.dataset.link;
    this.setState(this.state);
  }

  private fail(why: string): void {
    this.term.write(`${DIM}${why}${RESET}\r\n`);
    this.setState('error');
    this.buttons.run.disabled = this.buttons.restart.disabled = true;
  }

  /** Replaces the terminal with static HTML of its screen: prints, and costs nothing to keep. */
  private async freeze(): Promise<void> {
    if (this.destroyed || this.frozenText !== undefined) return;
    const { SerializeAddon } = await import('@xterm/addon-serialize');
    if (this.destroyed) return;
    const serialize = new SerializeAddon();
    this.term.loadAddon(serialize);
    // The screen, not the scrollback: the end of the run, where its conclusion is.
    const html = serialize.serializeAsHTML({ includeGlobalBackground: true, scrollback: 0, onlySelection: false });
    const pre = new DOMParser().parseFromString(html, 'text/html').querySelector('pre');
    const snap = document.createElement('div');
    snap.className = 'lt-snapshot';
    if (pre) {
      // The size it was drawn at, in the slide's own pixels: the same rows fill the same box
      // (the serializer writes the device size of the live terminal on its inner block).
      const inner = (pre.firstElementChild as HTMLElement | null) ?? pre;
      inner.style.fontSize = `${this.fittedFont * this.view.zoom}px`;
      if (cell) inner.style.lineHeight = String(cell.height);
      snap.append(pre);
    }
    this.resizeObserver.disconnect();
    this.frozenText = this.text();
    this.screen.replaceChildren(snap);
    this.el.dataset.snapshot = 'true';
    for (const b of Object.values(this.buttons)) b.disabled = true;
    this.term.dispose();
  }

  /** The terminal's whole text (scrollback and screen), one line per line of output (a line
   *  wrapped over several rows is joined again): for tests and scripts. */
  text(): string {
    if (this.frozenText !== undefined) return this.frozenText;
    const buf = this.term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < buf.length; i++) {
      const row = buf.getLine(i);
      const text = row?.translateToString(true) ?? '';
      if (row?.isWrapped && lines.length) lines[lines.length - 1] += text;
      else lines.push(text);
    }
    return lines.join('\n').trimEnd();
  }

  get currentState(): TerminalState {
    return this.state;
  }

  /** It shows the presenter's run, read-only (an audience page, the speaker view). */
  private get watching(): boolean {
    const p = this.bound?.provenance;
    return p?.kind === 'live' && p.joined === 'watching';
  }

  get busy(): boolean {
    return this.state === 'starting' || this.state === 'running';
  }

  private setState(state: TerminalState): void {
    this.state = state;
    this.el.dataset.state = state;
    this.status.textContent = this.el.dataset.link
      ? 'reconnecting…'
      : this.watching
        ? { idle: 'live', starting: 'live', running: '● live: the presenter\'s run', exited: 'ended (live run)', error: 'reconnecting…' }[state]
        : { idle: 'ready', starting: 'starting…', running: 'running', exited: 'ended', error: 'error' }[state];
    const paused = state === 'running' && this.bound?.controls?.playing === false;
    this.el.dataset.paused = String(paused);
    const active = (state === 'starting' || state === 'running') && !paused;
    this.buttons.run.disabled = active;
    this.buttons.stop.disabled = !active;
    this.buttons.restart.disabled = state === 'idle';
  }

  // ---- the life cycle ------------------------------------------------------

  /**
   * reveal.js scales the whole slide with a CSS transform; a terminal drawn under it is blurry
   * and its mouse and selection land off target. So the host inside the screen undoes the
   * deck's scale and draws at device size, with a font scaled by the deck's scale. The font is
   * chosen from the box the slide gives: the largest up to the deck's terminal font at which
   * the box holds MIN_FIT columns and rows, times the presenter's zoom; the rows then fill
   * the box, measured by xterm itself at that font.
   */
  layout(view: DeckView): void {
    if (this.frozenText !== undefined || this.destroyed) return;
    const s = view.scale > 0 && Number.isFinite(view.scale) ? view.scale : 1;
    this.view = { scale: s, zoom: view.zoom };
    const [padX, padY] = [pad(this.screen, 'x'), pad(this.screen, 'y')];
    const style = this.host.style;
    style.transform = s === 1 ? '' : `scale(${1 / s})`;
    style.width = `calc((100% - ${padX}px) * ${s})`;
    style.height = `calc((100% - ${padY}px) * ${s})`;
    const box = { width: this.screen.clientWidth - padX, height: this.screen.clientHeight - padY };
    if (box.width <= 0 || box.height <= 0) return;
    cell ??= measureCell(FONT_FAMILY);
    const minRows = this.opts.minRows ?? MIN_FIT.rows;
    // A phone (reveal.js's scroll view scales the slide to ~0.3): text that reads there, in a box
    // its CSS makes tall enough for the rows.
    const scrollView = this.el.closest('.reveal-scroll') !== null;
    const cap = scrollView ? Math.max(this.opts.fontSize, PHONE_TEXT_PX / s) : this.opts.fontSize;
    let font = fontToFit(box, cell, cap, minRows);
    const holds = (f: number) => {
      this.setFont(f * s * view.zoom);
      const dims = this.fit.proposeDimensions();
      return !dims || (dims.cols >= MIN_FIT.cols && dims.rows >= minRows);
    };
    // xterm's cells are whole device pixels: where rounding cost a column or a row, the largest
    // font that still holds them (a few halvings between three quarters of it and it).
    if (view.zoom === 1 && !holds(font)) {
      let [lo, hi] = [font * 0.75, font];
      for (let i = 0; i < 6; i++) {
        const mid = (lo + hi) / 2;
        if (holds(mid)) lo = mid;
        else hi = mid;
      }
      font = Math.floor(lo * 100) / 100;
    }
    this.setFont(font * s * view.zoom);
    this.fittedFont = font;
    this.el.dataset.zoom = String(view.zoom);
    this.refit();
  }

  private setFont(size: number): void {
    const px = Math.floor(size * 100) / 100;
    if (this.term.options.fontSize !== px) this.term.options.fontSize = px;
    this.el.dataset.fontSize = String(px);
  }

  /**
   * Its slide is shown: it draws with WebGL. A recording waits until it plays: a replay's output
   * is a few lines a second, which the DOM renderer draws as well, and a demo slide of the online
   * talk opens without making a WebGL context (its shaders are a long task on a phone).
   */
  shown(): void {
    this.onScreen = true;
    this.drawFast();
  }

  private drawFast(): void {
    if (!this.onScreen || this.opts.still || this.frozenText !== undefined || this.destroyed) return;
    if (this.bound?.provenance.kind === 'recording' && this.state !== 'running') return;
    void this.renderer.useWebgl();
  }

  /**
   * Its slide is away: a live run is stopped (its whole process tree, as Stop does: the next
   * slide's demo must not measure a loaded machine), a replay pauses, the keyboard goes back
   * to the deck, and the WebGL context goes back to the browser (the DOM renderer keeps the screen).
   */
  hidden(): void {
    this.onScreen = false;
    this.keys.release();
    const source = this.bound;
    // (a watched run is the presenter's: leaving the slide here does not stop it)
    if (source && this.busy && !this.opts.keepRunning && !this.watching) {
      if (source.controls) {
        if (source.controls.playing) this.stop();
      } else {
        this.stoppedOnLeave = true;
        this.el.dataset.left = 'stopped';
        source.stop();
      }
    }
    this.renderer.release();
  }

  refit(): void {
    if (!this.screen.isConnected || this.screen.clientWidth === 0 || this.frozenText !== undefined || this.destroyed) return;
    // A replay fits like a live terminal: the samples print short lines, recorded at 80 columns.
    try {
      const size = this.watching ? this.bound?.current?.run.size : undefined;
      if (size) this.fitRunSize(size);
      else this.fit.fit(); // a resize reaches a running program through the SourceAddon
    } catch {
      // not laid out yet
    }
  }

  /**
   * A watched run draws at the presenter's columns and rows (its screen would wrap otherwise):
   * the font is scaled so that size fits the box, never above the slide's own size.
   */
  private fitRunSize({ cols, rows }: { cols: number; rows: number }): void {
    const base = Number(this.el.dataset.fontSize) || this.opts.fontSize;
    const font = this.term.options.fontSize ?? base;
    const dims = this.fit.proposeDimensions();
    if (dims && dims.cols > 0 && dims.rows > 0) {
      const k = Math.min(dims.cols / cols, dims.rows / rows);
      // Never smaller than a phone can read: a narrow screen scrolls sideways instead.
      const next = Math.max(MIN_WATCH_FONT_PX, Math.min(base, Math.floor(font * k * 10) / 10));
      if (Math.abs(next - font) >= 0.1) this.term.options.fontSize = next;
    }
    if (this.term.cols !== cols || this.term.rows !== rows) this.term.resize(cols, rows);
  }

  /** Shifts the drawn screen up so the cursor's line shows in the part of the box that is visible. */
  private keepCursorInView(): void {
    const xterm = this.term.element;
    const drawn = xterm?.querySelector<HTMLElement>('.xterm-screen');
    if (!xterm || !drawn) return;
    const box = this.el.getBoundingClientRect();
    const screen = this.screen.getBoundingClientRect();
    // Device px per px of the screen's own layout (the deck scales it; the widget undoes part of that).
    const perPx = this.screen.offsetHeight > 0 ? screen.height / this.screen.offsetHeight : 1;
    const visible = Math.max(0, (Math.min(box.bottom, screen.bottom) - screen.top) / perPx - 12);
    const rowHeight = drawn.offsetHeight / Math.max(1, this.term.rows);
    const cursorBottom = (this.term.buffer.active.cursorY + 1) * rowHeight;
    const shift = Math.max(0, Math.ceil(cursorBottom - visible));
    xterm.style.transform = shift > 0 ? `translateY(${-shift}px)` : '';
  }

  // ---- the buttons ---------------------------------------------------------

  run(): void {
    const source = this.bound;
    if (!source) return;
    if (this.loaded !== source) {
      // A recording still loading: it plays once it is there.
      void source.unavailable().then((why) => {
        if (!why && this.bound === source) this.run();
      });
      return;
    }
    const replay = source.controls;
    if (replay && this.state === 'running' && !replay.playing) {
      replay.resume();
      this.setState(this.state);
      this.replayBar?.update();
      return;
    }
    if (this.state === 'starting' || this.state === 'running') return;
    this.refit();
    this.stoppedOnLeave = false;
    delete this.el.dataset.left;
    this.setState('starting');
    source.start({ cols: this.term.cols, rows: this.term.rows });
    // A replay is playing by now: its buttons follow.
    this.setState(this.state);
    this.replayBar?.update();
    // The keyboard stays with the deck: a clicker's keys go on changing slides. A click in the
    // terminal gives it the keys (terminal-keys.ts).
  }

  stop(): void {
    const source = this.bound;
    const replay = source?.controls;
    if (replay) {
      replay.pause();
      this.setState(this.state);
      return;
    }
    if (this.state === 'starting' || this.state === 'running') source?.stop();
  }

  restart(): void {
    this.setState('idle');
    this.run();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.offSwitch();
    this.unfollow();
    this.registry.remove(this.key);
    this.keys.dispose();
    this.renderer.release();
    this.resizeObserver.disconnect();
    if (this.frozenText === undefined) this.term.dispose();
    this.el.replaceChildren();
    this.el.classList.remove('lt-mounted');
    for (const key of OWN_DATA) delete this.el.dataset[key];
    if (this.el.liveTerminal === this) delete this.el.liveTerminal;
    this.opts.onDestroy?.();
  }
}

declare global {
  interface HTMLElement {
    /** The mounted widget of a `.live-terminal` element, for anyone scripting the deck. */
    liveTerminal?: TerminalWidget;
  }
}
