// What a demo's meters show (demo.json "meters"): the figures its point rests on, the chart
// that makes the point, and the moment its final reading is taken. A figure a demo does not
// declare is not shown (memory per connection means nothing for 100 short requests).
// Read by the server's manifest schema (validation) and by the deck (which figures to draw).

export const FIGURES = ['rss', 'perConnection', 'threads', 'processes', 'fds', 'cpu', 'connections'] as const;
export type Figure = (typeof FIGURES)[number];

/** What the chart plots against what: memory against connections held, or a figure over time. */
export const CHARTS = ['memory-vs-connections', 'memory-over-time', 'cpu-over-time', 'threads-over-time', 'connections-over-time'] as const;
export type Chart = (typeof CHARTS)[number];

/** Under a side-by-side pair: the ratio of the two columns' memory per connection; the machine's kernel memory. */
export const FOOTERS = ['ratio', 'kernel'] as const;
export type Footer = (typeof FOOTERS)[number];

export interface MeterSpec {
  figures: Figure[];
  chart: Chart;
  footer: Footer[];
  /**
   * The label of the demo's step (demo.json "steps") after which the process tears down: the
   * final reading is the last one taken before it. Without it, the last one before the exit.
   */
  finalBefore?: string | undefined;
  /** Memory per connection is shown once at least this many connections are held. */
  perConnectionFrom: number;
  /** The chart's y axis, where the demo's figure needs saying what it counts (pizza: clients and the oven). */
  chartTitle?: string | undefined;
}

/** The manifest's form: a spec, and the same for runs whose parameters match (`when`). */
export interface MeterSpecDecl extends Partial<MeterSpec> {
  cases?: (Partial<MeterSpec> & { when: Record<string, string | number | boolean> })[] | undefined;
}

/** For a demo that declares nothing: every figure, over time (how the meters looked before). */
export const DEFAULT_METER_SPEC: MeterSpec = {
  figures: ['rss', 'threads', 'fds', 'cpu', 'connections'],
  chart: 'memory-over-time',
  footer: [],
  perConnectionFrom: 100,
};

/** The spec for one run: the declaration, then the first case whose `when` its parameters match. */
export function meterSpecFor(decl: MeterSpecDecl | undefined, params: Record<string, unknown>): MeterSpec {
  if (!decl) return DEFAULT_METER_SPEC;
  const { cases, ...base } = decl;
  const hit = cases?.find((c) => Object.entries(c.when).every(([k, v]) => params[k] === v));
  const { when: _when, ...over } = hit ?? { when: {} };
  return { ...DEFAULT_METER_SPEC, ...base, ...over };
}

/** The id of the page's JSON block of every demo's declaration, by demo id. */
export const METER_SPECS_ELEMENT = 'demo-meter-specs';
