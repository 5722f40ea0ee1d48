// Live resource meters beside one terminal, or two side by side on the same axes (compare).
// Big current numbers for the room (only the figures the demo's manifest says its point rests
// on: shared/meter-spec.ts), a chart that makes the point (memory against connections held
// for the idle-connection demos, a figure over time elsewhere), and the latest reading on each
// column's element as data attributes (data-rss-bytes, data-threads, data-fds,
// data-cpu-percent, data-connections, data-per-connection-bytes…) for tests and scripts.
//
// When a run ends (its exit, or the step its manifest names as the start of the tear-down),
// a column keeps the last reading taken before that, and says it is the final reading: the
// figures of a process closing its sockets are not the demo's point.
import type { MeterReading } from '../../../shared/sample.js';
import type { DemoSource } from '../sources/demo-source.js';
import type { SourceRegistry } from '../sources/source-registry.js';
import type { DeckView, SlideWidget } from '../widgets/slide-widget.js';
import { formatBytes, formatCount, formatPercent, formatRatio } from '../../../shared/format.js';
import { DEFAULT_METER_SPEC, METER_SPECS_ELEMENT, meterSpecFor, type Chart, type Figure, type MeterSpec, type MeterSpecDecl } from '../../../shared/meter-spec.js';
import { MEASURED_EVENT, type Measured } from '../measured-figures.js';
import { MeterChart, type ChartAxis } from './meter-chart.js';

export interface MeterInput {
  label: string;
  /** The terminal whose runs this column shows: its id in the registry. */
  terminal: string;
}

const COLORS = ['#f5c542', '#5ab0ff'];

let specs: Record<string, MeterSpecDecl> | undefined;
/** Every demo's meter declaration, from the page's JSON block (written by the build). */
function specOf(demo: string, variant: string | undefined, params: Record<string, unknown>): MeterSpec {
  if (!specs) {
    try {
      specs = JSON.parse(document.getElementById(METER_SPECS_ELEMENT)?.textContent || '{}') as Record<string, MeterSpecDecl>;
    } catch {
      specs = {};
    }
  }
  return meterSpecFor(specs[demo], { ...params, variant });
}

const TILES: Record<Figure, { name: string; note: string }> = {
  rss: { name: 'memory', note: 'resident set size of the process under test' },
  perConnection: { name: 'per connection', note: 'memory added ÷ connections added since load began' },
  threads: { name: 'threads', note: '' },
  processes: { name: 'processes', note: 'processes of the server under test' },
  fds: { name: 'open files', note: 'file descriptors' },
  cpu: { name: 'CPU', note: '% of one core' },
  connections: { name: 'connections', note: 'established TCP connections of the process under test' },
};

class Column {
  readonly el: HTMLElement;
  /** The chart's points, [x, y], in the spec's terms. */
  readonly points: [number, number][] = [];
  latest: MeterReading | undefined;
  spec: MeterSpec = DEFAULT_METER_SPEC;
  /** What runs in this column: set when a run starts. */
  run: { demo: string; variant: string; live: boolean } | undefined;
  /** Set once the run's final reading is on screen: later readings are not shown. */
  final: string | undefined;
  private t0 = 0;
  private tiles: Partial<Record<Figure, HTMLElement>> = {};
  private readonly head: HTMLElement;
  private readonly grid: HTMLElement;

  constructor(
    readonly label: string,
    color: string,
    initial: MeterSpec,
  ) {
    this.el = document.createElement('div');
    this.el.className = 'lm-column';
    this.el.style.setProperty('--lm-color', color);
    const head = (this.head = document.createElement('div'));
    head.className = 'lm-label';
    head.textContent = label;
    this.grid = document.createElement('div');
    this.grid.className = 'lm-tiles';
    this.el.append(head, this.grid);
    this.el.dataset.state = 'idle';
    this.setSpec(initial);
  }

  /** The figures this demo's point rests on, one tile each; no others. */
  setSpec(spec: MeterSpec): void {
    this.spec = spec;
    this.tiles = {};
    this.grid.replaceChildren();
    this.grid.style.setProperty('--lm-tiles', String(spec.figures.length));
    for (const key of spec.figures) {
      const tile = document.createElement('div');
      tile.className = `lm-tile lm-${key === 'perConnection' ? 'perConn' : key}`;
      tile.title = key === 'perConnection' ? `${TILES[key].note}; shown once ${formatCount(spec.perConnectionFrom)} connections are held` : TILES[key].note;
      const value = document.createElement('div');
      value.className = 'lm-value';
      const caption = document.createElement('div');
      caption.className = 'lm-caption';
      caption.textContent = TILES[key].name;
      tile.append(value, caption);
      this.grid.append(tile);
      this.tiles[key] = value;
    }
    this.el.dataset.figures = spec.figures.join(' ');
    this.blank();
  }

  private blank(): void {
    for (const [key, v] of Object.entries(this.tiles)) {
      v.textContent = key === 'perConnection' ? '' : '—';
      v.classList.toggle('lm-pending', key === 'perConnection');
    }
    const note = this.tiles.perConnection;
    if (note) note.textContent = `from ${formatCount(this.spec.perConnectionFrom)}`;
  }

  reset(): void {
    this.points.length = 0;
    this.latest = undefined;
    this.final = undefined;
    this.t0 = 0;
    this.head.textContent = this.label;
    this.blank();
    const d = this.el.dataset;
    for (const k of ['rssBytes', 'threads', 'processes', 'fds', 'cpuPercent', 'connections', 'perConnectionBytes', 'kernelBytesSinceBaseline', 'final']) delete d[k];
    d.samples = '0';
    d.state = 'running';
  }

  /** Memory per connection, where it means something: once enough connections are held. */
  perConnection(m: MeterReading | undefined = this.latest): number | null {
    if (!m || m.perConnectionBytes === null || !this.spec.figures.includes('perConnection')) return null;
    return m.sample.connections >= this.spec.perConnectionFrom ? m.perConnectionBytes : null;
  }

  add(m: MeterReading): boolean {
    if (this.final !== undefined) return false;
    const s = m.sample;
    if (this.points.length === 0) this.t0 = s.t;
    this.points.push(pointOf(this.spec.chart, m, (s.t - this.t0) / 1000));
    this.latest = m;
    const per = this.perConnection(m);
    const text: Record<Figure, string> = {
      rss: formatBytes(s.rssBytes),
      perConnection: per === null ? `from ${formatCount(this.spec.perConnectionFrom)}` : formatBytes(per),
      threads: formatCount(s.threads),
      processes: formatCount(s.processes),
      fds: formatCount(s.fds),
      cpu: formatPercent(s.cpuPercent),
      connections: formatCount(s.connections),
    };
    for (const [key, v] of Object.entries(this.tiles) as [Figure, HTMLElement][]) {
      v.textContent = text[key];
      v.classList.toggle('lm-pending', key === 'perConnection' && per === null);
    }
    const d = this.el.dataset;
    d.rssBytes = String(s.rssBytes);
    d.threads = String(s.threads);
    d.processes = String(s.processes);
    d.fds = String(s.fds);
    d.cpuPercent = s.cpuPercent.toFixed(1);
    d.connections = String(s.connections);
    d.perConnectionBytes = per === null ? '' : String(Math.round(per));
    d.kernelBytesSinceBaseline = String(m.kernelBytesSinceBaseline);
    d.samples = String(this.points.length);
    return true;
  }

  /** The run's point is over (its tear-down began, or it ended): keep the last reading, and say so. */
  finish(why: string): void {
    if (this.final !== undefined) return;
    this.final = why;
    this.el.dataset.state = 'ended';
    if (!this.latest) return;
    this.el.dataset.final = why;
    this.head.textContent = `${this.label} · final reading`;
    this.head.title = `the last reading ${why}`;
  }
}

function pointOf(chart: Chart, m: MeterReading, seconds: number): [number, number] {
  const s = m.sample;
  switch (chart) {
    case 'memory-vs-connections':
      return [s.connections, s.rssBytes / 2 ** 20];
    case 'memory-over-time':
      return [seconds, s.rssBytes / 2 ** 20];
    case 'cpu-over-time':
      return [seconds, s.cpuPercent];
    case 'threads-over-time':
      return [seconds, s.threads];
    case 'connections-over-time':
      return [seconds, s.connections];
  }
}

const SECONDS: ChartAxis = { title: 'over time, seconds →', format: (v) => `${v}`, atLeast: 5 };
const MIB = (v: number) => `${v} MiB`;
const AXES: Record<Chart, { x: ChartAxis; y: ChartAxis; end: (m: MeterReading) => string; empty: string }> = {
  'memory-vs-connections': {
    x: { title: 'against connections held →', format: (v) => (v >= 1000 && v % 1000 === 0 ? `${v / 1000}k` : formatCount(v)), atLeast: 1000 },
    y: { title: '↑ memory (RSS)', format: MIB, atLeast: 20 },
    end: (m) => formatBytes(m.sample.rssBytes),
    empty: 'memory against connections held',
  },
  'memory-over-time': { x: SECONDS, y: { title: '↑ memory (RSS)', format: MIB, atLeast: 10 }, end: (m) => formatBytes(m.sample.rssBytes), empty: 'memory over time' },
  'cpu-over-time': { x: SECONDS, y: { title: '↑ CPU, % of one core', format: (v) => `${v} %`, atLeast: 100 }, end: (m) => formatPercent(m.sample.cpuPercent), empty: 'CPU over time' },
  'threads-over-time': { x: SECONDS, y: { title: '↑ threads', format: (v) => formatCount(v), atLeast: 4 }, end: (m) => formatCount(m.sample.threads), empty: 'threads over time' },
  'connections-over-time': { x: SECONDS, y: { title: '↑ connections', format: (v) => formatCount(v), atLeast: 10 }, end: (m) => formatCount(m.sample.connections), empty: 'connections over time' },
};

/** The chart's text, in slide pixels: as large as the terminals' text (20 px), more with Z. */
const CHART_FONT = 20;

export class MeterWidget implements SlideWidget {
  readonly busy = false;
  private readonly columns: Column[];
  private readonly chart: MeterChart;
  private readonly chartEl: HTMLElement;
  private readonly footer: HTMLElement;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly resizeObserver: ResizeObserver;
  private redrawQueued = false;
  private zoom = 1;
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
    this.columns = inputs.map((inp, i) => {
      const req = registry.get(inp.terminal)?.request;
      const spec = req ? specOf(req.demo, req.variant, req.params ?? {}) : DEFAULT_METER_SPEC;
      return new Column(inp.label, COLORS[i % COLORS.length]!, spec);
    });
    const cols = document.createElement('div');
    cols.className = 'lm-columns';
    cols.append(...this.columns.map((c) => c.el));
    this.chartEl = document.createElement('div');
    this.chartEl.className = 'lm-chart';
    if (el.dataset.chartHeight) this.chartEl.style.minHeight = `${Number(el.dataset.chartHeight)}px`;
    this.footer = document.createElement('div');
    this.footer.className = 'lm-footer';
    el.append(cols, this.chartEl, this.footer);
    this.chart = new MeterChart(this.chartEl, CHART_FONT);
    this.resizeObserver = new ResizeObserver(() => this.chart.resize());
    this.resizeObserver.observe(this.chartEl);

    inputs.forEach((inp, i) => {
      const col = this.columns[i]!;
      this.unsubscribe.push(registry.follow(inp.terminal, (source) => this.follow(source, col, inputs.length === 1)));
    });
    this.redraw();
  }

  /** A column shows the runs of one source: from the reading it has now (it may be mid-run), then each new one. */
  private follow(source: DemoSource, col: Column, only: boolean): () => void {
    const sync = () => {
      if (only) {
        for (const k of Object.keys(this.el.dataset)) if (!this.slideData.has(k)) delete this.el.dataset[k];
        Object.assign(this.el.dataset, col.el.dataset);
      }
      this.queueRedraw();
    };
    const reading = (m: MeterReading) => {
      if (!col.add(m)) return;
      const per = col.perConnection(m);
      if (col.run?.live && per !== null) {
        // The deck's "measured here" figures follow live runs.
        const detail: Measured = { demo: col.run.demo, variant: col.run.variant, perConnectionBytes: per, source: 'live' };
        document.dispatchEvent(new CustomEvent(MEASURED_EVENT, { detail }));
      }
      sync();
    };
    const begin = (run: { demo: string; variant: string; params: Record<string, unknown>; provenance: { kind: string } }) => {
      col.setSpec(specOf(run.demo, run.variant, run.params));
      col.reset();
      col.run = { demo: run.demo, variant: run.variant, live: run.provenance.kind === 'live' };
    };
    const now = source.current;
    if (now) {
      begin(now.run);
      // Readings and markers in the order they came, for the final reading.
      const finalAt = col.spec.finalBefore ? now.markers.find((mk) => mk.label === col.spec.finalBefore) : undefined;
      const first = now.readingsTotal - now.readings.length;
      for (const [i, m] of now.readings.entries()) {
        if (finalAt && first + i >= finalAt.readingsBefore) break;
        reading(m);
      }
      if (finalAt) col.finish(`before “${finalAt.label}”`);
      if (now.ended) col.finish('before the run ended');
      sync();
    }
    const offs = [
      source.on('run', (run) => {
        begin(run);
        sync();
      }),
      source.on('reset', () => {
        col.reset();
        sync();
      }),
      source.on('metrics', reading),
      source.on('marker', (mk) => {
        if (mk.label === col.spec.finalBefore) {
          col.finish(`before “${mk.label}”`);
          sync();
        }
      }),
      source.on('exit', () => {
        col.finish('before the run ended');
        sync();
      }),
      source.on('error', () => {
        col.finish('before the run ended');
        sync();
      }),
    ];
    return () => {
      for (const off of offs) off();
    };
  }

  private queueRedraw(): void {
    if (this.redrawQueued) return;
    this.redrawQueued = true;
    requestAnimationFrame(() => {
      this.redrawQueued = false;
      this.redraw();
    });
  }

  private redraw(): void {
    // One chart for both columns, on the same axes: the first column's kind decides it.
    const chart = this.columns[0]!.spec.chart;
    const axes = AXES[chart];
    const title = this.columns[0]!.spec.chartTitle;
    const y = title ? { ...axes.y, title: `↑ ${title}` } : axes.y;
    const lines = this.columns
      .filter((c) => c.spec.chart === chart)
      .map((c, i) => ({ color: COLORS[i % COLORS.length]!, points: c.points, endLabel: c.latest ? axes.end(c.latest) : '' }));
    const running = this.columns.some((c) => c.el.dataset.state !== 'idle');
    this.chart.draw(axes.x, y, lines, running ? 'waiting for the first reading' : 'no run yet');
    this.el.dataset.chart = chart;
    this.updateFooter();
  }

  private updateFooter(): void {
    const parts: string[] = [];
    const [a, b] = this.columns;
    const footer = new Set(a?.spec.footer ?? []);
    if (a && b && footer.has('ratio')) {
      const pa = a.perConnection();
      const pb = b.perConnection();
      const ratio = pa && pb ? pa / pb : null;
      this.el.dataset.ratio = ratio === null ? '' : ratio.toFixed(2);
      const final = a.final !== undefined && b.final !== undefined ? ' <em>(final readings)</em>' : '';
      parts.push(
        ratio === null
          ? `memory per connection, ${a.label} ÷ ${b.label}: <em>once both hold ${formatCount(a.spec.perConnectionFrom)} connections</em>`
          : `memory per connection, ${a.label} ÷ ${b.label}: <strong>${formatRatio(ratio)}</strong>${final}`,
      );
    } else delete this.el.dataset.ratio;
    if (footer.has('kernel')) {
      const kernel = this.columns.map((c) => c.latest?.kernelBytesSinceBaseline).find((k) => k !== undefined);
      parts.push(`<span title="Idle sockets and thread stacks cost kernel memory, which RSS does not count. Slab + KernelStack + PageTables of the whole machine, since load began.">kernel memory, machine-wide: ${formatBytes(kernel, true)}</span>`);
    }
    this.footer.innerHTML = parts.join('<span class="lm-sep"> · </span>');
    this.footer.hidden = parts.length === 0;
  }

  // ---- the life cycle ------------------------------------------------------

  layout({ zoom }: DeckView): void {
    // Z enlarges the meters with the terminals: the numbers and the chart's text.
    this.zoom = zoom;
    this.el.style.setProperty('--lm-zoom', String(zoom));
    this.el.dataset.zoom = String(zoom);
    this.chart.resize(CHART_FONT * Math.min(zoom, 1.3));
  }

  shown(): void {
    this.chart.resize(CHART_FONT * Math.min(this.zoom, 1.3));
  }

  hidden(): void {}

  destroy(): void {
    this.resizeObserver.disconnect();
    for (const off of this.unsubscribe.splice(0)) off();
    this.chart.destroy();
    this.el.replaceChildren();
    this.el.classList.remove('lm-mounted', 'lm-compare');
    this.el.style.removeProperty('--lm-zoom');
    for (const key of Object.keys(this.el.dataset)) if (!this.slideData.has(key)) delete this.el.dataset[key];
  }
}
