// The meters' chart, drawn as SVG at the size the slide gives it: one or two lines on the same
// axes (so side by side the slopes compare directly), a labelled y axis with at least three
// ticks, a labelled x axis, and each line's last value written beside its end. Text is in the
// slide's own pixels, so it scales with the deck like the slide's body text.
const SVG = 'http://www.w3.org/2000/svg';

export interface ChartAxis {
  title: string;
  /** A tick's label. */
  format(v: number): string;
  /** The axis reaches at least this far, whatever the data (e.g. 100 % CPU). */
  atLeast: number;
}

export interface ChartLine {
  color: string;
  points: readonly (readonly [number, number])[];
  /** Written beside the line's last point: its value, as the tiles print it. */
  endLabel: string;
}

/** 0, step, 2·step… up past `max`, with a step of 1, 2, 2.5 or 5 × 10^k: about `count` ticks. */
export function niceTicks(max: number, count = 4, integer = false): number[] {
  const top = max > 0 && Number.isFinite(max) ? max : 1;
  const raw = top / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  if (integer) step = Math.max(1, Math.ceil(step));
  const ticks: number[] = [];
  for (let v = 0; v < top + step * 0.999; v += step) ticks.push(Number(v.toPrecision(12)));
  while (ticks.length < 3) ticks.push(Number((ticks.length * step).toPrecision(12)));
  return ticks;
}

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

export class MeterChart {
  readonly svg: SVGSVGElement;
  private width = 0;
  private height = 0;
  private last: { x: ChartAxis; y: ChartAxis; lines: ChartLine[]; empty: string } | undefined;

  constructor(
    private readonly host: HTMLElement,
    private fontPx = 20,
  ) {
    this.svg = document.createElementNS(SVG, 'svg');
    this.svg.setAttribute('class', 'lm-svg');
    this.svg.setAttribute('role', 'img');
    host.append(this.svg);
  }

  /** The slide's size for it changed (a resize, Z): measure again and redraw. */
  resize(fontPx = this.fontPx): void {
    this.fontPx = fontPx;
    const w = this.host.clientWidth;
    const h = this.host.clientHeight;
    if (w === this.width && h === this.height && this.last) return this.redraw();
    this.width = w;
    this.height = h;
    this.redraw();
  }

  draw(x: ChartAxis, y: ChartAxis, lines: ChartLine[], empty: string): void {
    this.last = { x, y, lines, empty };
    this.redraw();
  }

  private redraw(): void {
    const d = this.last;
    const { width: w, height: h } = this;
    this.svg.replaceChildren();
    if (!d || w < 40 || h < 40) return;
    // What the chart says, for a screen reader: its axes and each line's last value.
    const ends = d.lines.filter((l) => l.points.length > 0).map((l) => l.endLabel);
    this.svg.setAttribute('aria-label', `${d.y.title.replace(/^↑ /, '')} ${d.x.title.replace(/ →$/, '')}${ends.length ? `: ${ends.join(', ')}` : `: ${d.empty}`}`);
    this.svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
    this.svg.setAttribute('width', String(w));
    this.svg.setAttribute('height', String(h));
    const f = this.fontPx;
    const all = d.lines.flatMap((l) => l.points);
    const xMax = Math.max(d.x.atLeast, ...all.map((p) => p[0]));
    const yMax = Math.max(d.y.atLeast, ...all.map((p) => p[1]));
    // Fewer ticks where the plot is short: about one per 2.2 lines of text, never under three.
    const yTicks = niceTicks(yMax * 1.04, Math.max(2, Math.min(5, Math.floor(h / (f * 2.6)))));
    const yLabels = yTicks.map((t) => d.y.format(t));
    const charW = f * 0.58;
    const left = Math.ceil(Math.max(...yLabels.map((s) => s.length)) * charW) + 12;
    const endW = Math.ceil(Math.max(0, ...d.lines.map((l) => l.endLabel.length)) * charW * 1.08) + 14;
    // The axes' titles share the top row ("memory (RSS) … against connections held"), so the
    // plot keeps every pixel below it but the tick labels'.
    const top = Math.round(f * 1.7);
    const bottom = Math.round(f * 1.5);
    const pw = Math.max(10, w - left - endW - 6);
    const ph = Math.max(10, h - top - bottom);
    const xTicks = niceTicks(xMax, Math.max(2, Math.min(6, Math.floor(pw / (f * 5)))));
    const xTop = xTicks[xTicks.length - 1]!;
    const yTop = yTicks[yTicks.length - 1]!;
    const sx = (v: number) => left + (v / xTop) * pw;
    const sy = (v: number) => top + ph - (v / yTop) * ph;

    const grid = el('g', { class: 'lm-grid' });
    for (const [i, t] of yTicks.entries()) {
      const yy = sy(t);
      grid.append(el('line', { x1: left, x2: left + pw, y1: yy, y2: yy }));
      this.svg.append(el('text', { class: 'lm-tick lm-ytick', x: left - 8, y: yy + f * 0.35, 'text-anchor': 'end', 'font-size': f }, yLabels[i]!));
    }
    for (const t of xTicks) {
      const xx = sx(t);
      grid.append(el('line', { x1: xx, x2: xx, y1: top + ph, y2: top + ph + 6 }));
      this.svg.append(el('text', { class: 'lm-tick lm-xtick', x: xx, y: top + ph + f * 1.2, 'text-anchor': 'middle', 'font-size': f }, d.x.format(t)));
    }
    grid.append(el('line', { class: 'lm-axis', x1: left, x2: left + pw, y1: top + ph, y2: top + ph }));
    grid.append(el('line', { class: 'lm-axis', x1: left, x2: left, y1: top, y2: top + ph }));
    this.svg.prepend(grid);
    this.svg.append(el('text', { class: 'lm-axis-title lm-ytitle', x: 0, y: f * 1.0, 'text-anchor': 'start', 'font-size': f }, d.y.title));
    this.svg.append(el('text', { class: 'lm-axis-title lm-xtitle', x: left + pw, y: f * 1.0, 'text-anchor': 'end', 'font-size': f }, d.x.title));

    if (all.length === 0) {
      this.svg.append(el('text', { class: 'lm-empty', x: left + pw / 2, y: top + ph / 2, 'text-anchor': 'middle', 'font-size': f }, d.empty));
      return;
    }
    // Each line's end label beside its last point, pushed apart where two would overlap.
    const endsAt = d.lines
      .filter((l) => l.points.length > 0)
      .map((l) => ({ l, y: sy(l.points[l.points.length - 1]![1]) }))
      .sort((a, b) => a.y - b.y);
    for (let i = 1; i < endsAt.length; i++) endsAt[i]!.y = Math.max(endsAt[i]!.y, endsAt[i - 1]!.y + f * 1.1);
    for (const line of d.lines) {
      if (line.points.length === 0) continue;
      const path = line.points.map((p, i) => `${i ? 'L' : 'M'}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join('');
      this.svg.append(el('path', { class: 'lm-line', d: path, stroke: line.color }));
      const lastPt = line.points[line.points.length - 1]!;
      this.svg.append(el('circle', { cx: sx(lastPt[0]), cy: sy(lastPt[1]), r: 5, fill: line.color }));
    }
    for (const { l, y } of endsAt) {
      const lastPt = l.points[l.points.length - 1]!;
      this.svg.append(el('text', { class: 'lm-end', x: Math.min(sx(lastPt[0]) + 10, w - endW + 6), y: y + f * 0.35, fill: l.color, 'font-size': f }, l.endLabel));
    }
  }

  destroy(): void {
    this.svg.remove();
  }
}
