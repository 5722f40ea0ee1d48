// Recordings of real demo runs: what the static site replays through the same widgets.
// Per variant, two files in demos/<id>/recordings/:
//   <variant>.cast          asciicast v2 (plays in asciinema's own tools): a JSON header line,
//                           then [seconds, "o" | "i" | "r" | "m", data] events
//   <variant>.metrics.jsonl a JSON header line, then one metrics record a line on the same
//                           clock, and a final exit record
// Dependency-free: the browser parses these too.
import type { MeterReading } from './sample.js';
import type { ExitMessage } from './wire.js';

export interface RecordedOn {
  machine: string;
  os: string;
  cpu: string;
  cores: number;
  memoryBytes: number;
  python: string;
  node: string;
  date: string;
}

export interface CastHeader {
  version: 2;
  width: number;
  height: number;
  timestamp: number;
  duration?: number;
  title: string;
  env: { TERM: string; SHELL?: string };
  /** Our own fields; asciinema ignores keys it does not know. */
  what_is_async: {
    demo: string;
    variant: string;
    params: Record<string, number | boolean | string>;
    recordedOn: RecordedOn;
    /**
     * What the run was made from: each source file of its demo (path under demos/) and the
     * first 16 hex digits of its SHA-256. Absent in recordings made before it was added.
     */
    sources?: Record<string, string>;
  };
}

export type CastEvent = [number, 'o' | 'i' | 'r' | 'm', string];

export interface MetricsHeader {
  version: 1;
  demo: string;
  variant: string;
  hz: number;
  recordedOn: RecordedOn;
}

export interface MetricsRecord extends MeterReading {
  t: number;
  type: 'metrics';
}

export interface ExitRecord extends Pick<ExitMessage, 'code' | 'signal' | 'reason'> {
  t: number;
  type: 'exit';
}

export interface Recording {
  header: CastHeader;
  events: CastEvent[];
  metrics: MetricsRecord[];
  exit: ExitRecord | undefined;
  /** Seconds from start to the last event or record. */
  duration: number;
}

/**
 * A recording's file name: the variant, and the parameters a slide set, if any (a slide that
 * runs pizza with 10 clients replays a run with 10 clients): `asyncio@clients=10`.
 */
export function recordingKey(variant: string, params?: Record<string, number | boolean | string>): string {
  const keys = Object.keys(params ?? {}).sort();
  return keys.length ? `${variant}@${keys.map((k) => `${k}=${String(params![k])}`).join(',')}` : variant;
}

export function recordingPaths(variant: string, params?: Record<string, number | boolean | string>): { cast: string; metrics: string } {
  const key = recordingKey(variant, params);
  return { cast: `${key}.cast`, metrics: `${key}.metrics.jsonl` };
}

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}

/** Parses a cast file alone (what the screen showed); throws with a plain message on a malformed one. */
export function parseCast(castText: string): { header: CastHeader; events: CastEvent[] } {
  const [head, ...rest] = lines(castText);
  if (!head) throw new Error('empty recording');
  const header = JSON.parse(head) as CastHeader;
  if (header.version !== 2) throw new Error(`not an asciicast v2 recording (version ${String(header.version)})`);
  return { header, events: rest.map((l) => JSON.parse(l) as CastEvent) };
}

/** Parses a metrics track alone (what the meters showed, and how the run ended). */
export function parseMetrics(metricsText: string): { header: MetricsHeader | undefined; metrics: MetricsRecord[]; exit: ExitRecord | undefined } {
  const [head, ...rest] = lines(metricsText);
  const records = rest.map((l) => JSON.parse(l) as MetricsRecord | ExitRecord);
  return {
    header: head ? (JSON.parse(head) as MetricsHeader) : undefined,
    metrics: records.filter((r): r is MetricsRecord => r.type === 'metrics'),
    exit: records.find((r): r is ExitRecord => r.type === 'exit'),
  };
}

/** The text a cast's output events add up to, in order. */
export function castOutput(events: readonly CastEvent[]): string {
  return events
    .filter((e) => e[1] === 'o')
    .map((e) => e[2])
    .join('');
}

/** Parses both files; throws with a plain message on a malformed one. */
export function parseRecording(castText: string, metricsText: string): Recording {
  const { header, events } = parseCast(castText);
  const { metrics, exit } = parseMetrics(metricsText);
  const duration = Math.max(events.at(-1)?.[0] ?? 0, metrics.at(-1)?.t ?? 0, exit?.t ?? 0);
  return { header, events, metrics, exit, duration };
}
