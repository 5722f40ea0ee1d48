// Live resource meters beside one terminal, or two side by side on the same axes (compare).
// Big current numbers for the room, a time series for the story, and the latest sample on
// each column's element as data attributes (data-rss-bytes, data-threads, data-fds,
// data-cpu-percent, data-connections) for tests and scripts.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { MeterReading } from '../../../shared/sample.js';
import type { DemoSource } from '../sources/demo-source.js';
import type { SourceRegistry } from '../sources/source-registry.js';
import type { DeckView, SlideWidget } from '../widgets/slide-widget.js';
import { formatBytes, formatCount, formatPercent, formatRatio } from '../../../shared/format.js';
import { MEASURED_EVENT, type Measured } from '../measured-figures.js';

export interface MeterInput {
  label: string;
  /** The terminal whose runs this column shows: its id in the registry. */
  terminal: string;
}

const COLORS = ['#f5c542', '#5ab0ff'];


interface Tile {
  value: HTMLElement;
}

class Column {
  readonly el: HTMLElement;
  readonly xs: number[] = [];
  readonly rss: number[] = [];
  readonly conns: number[] = [];
  latest: MeterReading | undefined;
  /** What runs in this column: set when a run starts. */
  run: { demo: string; variant: string; live: boolean } | undefined;
  private t0 = 0;
  private readonly tiles: Record<string, Tile> = {};
  private readonly head: HTMLElement;

  constructor(
    readonly label: string,
    color: string,
  ) {
    this.el = document.createElement('div');
    this.el.className = 'lm-column';
    this.el.style.setProperty('--lm-color', color);
    const head = (this.head = document.createElement('div'));
    head.className = 'lm-label';
    head.textContent = label;
    const grid = document.createElement('div');
    grid.className = 'lm-tiles';
    for (const [key, name, note] of [
      ['rss', 'memory', 'resident'],
      ['perConn', 'per connection', 'memory added ÷ connections added'],
      ['threads', 'threads', ''],
      ['fds', 'open files', 'file descriptors'],
      ['cpu', 'CPU', 'of one core'],
      ['conns', 'connections', 'established TCP'],
    ] as const) {
      const tile = document.createElement('div');
      tile.className = `lm-tile lm-${key}`;
      tile.title = note;
      const value = document.createElement('div');
      value.className = 'lm-value';
      value.textContent = '—';
      const caption = document.createElement('div');
      caption.className = 'lm-caption';
      caption.textContent = name;
      tile.append(value, caption);
      grid.append(tile);
      this.tiles[key] = { value };
    }
    this.el.append(head, grid);
    this.el.dataset.state = 'idle';
  }

  reset(): void {
    this.xs.length = this.rss.length = this.conns.length = 0;
    this.latest = undefined;
    this.t0 = 0;
    this.head.textContent = this.label;
    for (const t of Object.values(this.tiles)) t.value.textContent = '—';
    this.el.dataset.state = 'running';
  }

  add(m: MeterReading): void {
    const s = m.sample;
    if (this.xs.length === 0) this.t0 = s.t;
    this.xs.push((s.t - this.t0) / 1000);
    this.rss.push(s.rssBytes / 2 ** 20);
    this.conns.push(s.connections);
    this.latest = m;
    this.tiles.rss!.value.textContent = formatBytes(s.rssBytes);
    this.tiles.perConn!.value.textContent = formatBytes(m.perConnectionBytes);
    this.tiles.threads!.value.textContent = formatCount(s.threads);
    this.tiles.fds!.value.textContent = formatCount(s.fds);
    this.tiles.cpu!.value.textContent = formatPercent(s.cpuPercent);
    this.tiles.conns!.value.textContent = formatCount(s.connections);
    // A group of processes (a server on several processes) is summed: say how many.
    this.head.textContent = s.processes > 1 ? `${this.label} · ${formatCount(s.processes)} processes` : this.label;
    const d = this.el.dataset;
    d.rssBytes = String(s.rssBytes);
    d.threads = String(s.threads);
    d.fds = String(s.fds);
    d.cpuPercent = s.cpuPercent.toFixed(1);
    d.connections = String(s.connections);
    d.perConnectionBytes = m.perConnectionBytes === null ? '' : String(Math.round(m.perConnectionBytes));
    d.kernelBytesSinceBaseline = String(m.kernelBytesSinceBaseline);
    d.samples = String(this.xs.length);
  }
}

export class MeterWidget implements SlideWidget {
  readonly busy = false;
  private readonly columns: Column[];
  private readonly plot: uPlot;
  private readonly chartEl: HTMLElement;
  private readonly footer: HTMLElement;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly resizeObserver: ResizeObserver;
  private redrawQueued = false;
  /** The data attributes the slide wrote: the widget's own readings go with it. */
  private readonly slideData: Set<string>;

  constructor(
    readonly el: HTMLElement,
    inputs: MeterInput[],
    registry: SourceRegistry,
  ) {
    this.slideData = new Set(Object.keys(el.dataset));
    el.replaceChildren();
    el.classList.add('lm-mounted');
    if (inputs.length > 1) el.classList.add('lm-compare');
    this.columns = inputs.map((inp, i) => new Column(inp.label, COLORS[i % COLORS.length]!));
    const cols = document.createElement('div');
    cols.className = 'lm-columns';
    cols.append(...this.columns.map((c) => c.el));
    this.chartEl = document.createElement('div');
    this.chartEl.className = 'lm-chart';
    this.footer = document.createElement('div');
    this.footer.className = 'lm-footer';
    el.append(cols, this.chartEl, this.footer);

    const series: uPlot.Series[] = [{ label: 's' }];
    this.columns.forEach((c, i) => {
      series.push({ label: `${c.label}: memory`, stroke: COLORS[i], width: 3, scale: 'mem', points: { show: false }, value: (_u, v) => (v == null ? '—' : `${v.toFixed(1)} MiB`) });
      series.push({ label: `${c.label}: connections`, stroke: COLORS[i], width: 2, dash: [8, 6], scale: 'n', points: { show: false }, value: (_u, v) => formatCount(v) });
    });
    const axisStyle = { stroke: '#d8dde3', grid: { stroke: '#2c343c', width: 1 }, ticks: { stroke: '#2c343c' }, font: '16px system-ui, sans-serif', size: 56 };
    this.plot = new uPlot(
      {
        width: Math.max(200, this.chartEl.clientWidth || 600),
        height: Number(el.dataset.chartHeight ?? 200),
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: false }, mem: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] }, n: { range: (_u, _min, max) => [0, Math.max(10, max * 1.1)] } },
        series,
        axes: [
          { ...axisStyle, values: (_u, ticks) => ticks.map((t) => `${t}s`) },
          { ...axisStyle, scale: 'mem', values: (_u, ticks) => ticks.map((t) => `${t} MiB`), size: 90 },
          { ...axisStyle, scale: 'n', side: 1, grid: { show: false }, values: (_u, ticks) => ticks.map((t) => formatCount(t)), size: 70 },
        ],
      },
      this.data(),
      this.chartEl,
    );
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(this.chartEl);

    inputs.forEach((inp, i) => {
      const col = this.columns[i]!;
      this.unsubscribe.push(registry.follow(inp.terminal, (source) => this.follow(source, col, inputs.length === 1)));
    });
    this.updateFooter();
  }

  /** A column shows the runs of one source: from the reading it has now (it may be mid-run), then each new one. */
  private follow(source: DemoSource, col: Column, only: boolean): () => void {
    const reading = (m: MeterReading) => {
      col.add(m);
      if (col.run?.live && m.perConnectionBytes !== null) {
        // The deck's "measured here" figures follow live runs.
        const detail: Measured = { demo: col.run.demo, variant: col.run.variant, perConnectionBytes: m.perConnectionBytes, source: 'live' };
        document.dispatchEvent(new CustomEvent(MEASURED_EVENT, { detail }));
      }
      if (only) Object.assign(this.el.dataset, col.el.dataset);
      this.queueRedraw();
    };
    const now = source.current;
    if (now) {
      col.reset();
      col.run = { demo: now.run.demo, variant: now.run.variant, live: now.run.provenance.kind === 'live' };
      for (const m of now.readings) reading(m);
      if (now.ended) col.el.dataset.state = 'ended';
    }
    const offs = [
      source.on('run', (run) => {
        col.reset();
        col.run = { demo: run.demo, variant: run.variant, live: run.provenance.kind === 'live' };
        this.queueRedraw();
      }),
      source.on('reset', () => {
        col.reset();
        this.queueRedraw();
      }),
      source.on('metrics', reading),
      source.on('exit', () => (col.el.dataset.state = 'ended')),
      source.on('error', () => (col.el.dataset.state = 'ended')),
    ];
    return () => {
      for (const off of offs) off();
    };
  }

  private data(): uPlot.AlignedData {
    const tables = this.columns.map((c) => [c.xs, c.rss, c.conns] as uPlot.AlignedData);
    if (tables.every((t) => t[0].length === 0)) return [[], ...this.columns.flatMap(() => [[], []])] as uPlot.AlignedData;
    return uPlot.join(tables);
  }

  private queueRedraw(): void {
    if (this.redrawQueued) return;
    this.redrawQueued = true;
    requestAnimationFrame(() => {
      this.redrawQueued = false;
      this.plot.setData(this.data());
      this.updateFooter();
    });
  }

  private updateFooter(): void {
    const parts: string[] = [];
    const [a, b] = this.columns;
    if (a && b) {
      const pa = a.latest?.perConnectionBytes;
      const pb = b.latest?.perConnectionBytes;
      const ratio = pa && pb ? pa / pb : null;
      this.el.dataset.ratio = ratio === null ? '' : ratio.toFixed(2);
      parts.push(`memory per connection, ${a.label} ÷ ${b.label}: <strong>${formatRatio(ratio)}</strong>`);
    }
    const kernel = this.columns.map((c) => c.latest?.kernelBytesSinceBaseline).find((k) => k !== undefined);
    parts.push(`<span title="Idle sockets and thread stacks cost kernel memory, which RSS does not count. Slab + KernelStack + PageTables of the whole machine, since load began.">kernel memory, machine-wide: ${formatBytes(kernel, true)}</span>`);
    this.footer.innerHTML = parts.join('<span class="lm-sep"> · </span>');
  }

  private resize(): void {
    const w = this.chartEl.clientWidth;
    if (w > 0) this.plot.setSize({ width: w, height: this.plot.height });
  }

  // ---- the life cycle ------------------------------------------------------

  layout(_view: DeckView): void {
    this.resize();
  }

  shown(): void {
    this.resize();
  }

  hidden(): void {}

  destroy(): void {
    this.resizeObserver.disconnect();
    for (const off of this.unsubscribe.splice(0)) off();
    this.plot.destroy();
    this.el.replaceChildren();
    this.el.classList.remove('lm-mounted', 'lm-compare');
    for (const key of Object.keys(this.el.dataset)) if (!this.slideData.has(key)) delete this.el.dataset[key];
  }
}
