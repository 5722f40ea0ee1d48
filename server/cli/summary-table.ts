// The summary printed when a run ends, and the side-by-side table of `compare`.
import { formatBytes, formatCount, formatPercent, formatRatio } from '../../shared/format.js';
import { describeExit } from '../../shared/wire.js';
import type { RunSummary, StopCause } from '../run/run-summary.js';

type Row = [string, (s: RunSummary) => string];

const STOPPED_BY: Record<StopCause, string> = {
  'ctrl-c': 'stopped with Ctrl-C',
  'max-seconds': 'stopped at its time bound',
  'point-made': 'stopped: point made',
  signal: 'stopped by a signal',
};

const ROWS: Row[] = [
  ['peak memory (RSS)', (s) => formatBytes(s.peakRssBytes)],
  ['memory per connection', (s) => formatBytes(s.perConnectionBytes)],
  ['peak threads', (s) => formatCount(s.peakThreads)],
  ['peak open files', (s) => formatCount(s.peakFds)],
  ['peak connections', (s) => formatCount(s.peakConnections)],
  ['CPU, mean / peak', (s) => `${formatPercent(s.meanCpuPercent)} / ${formatPercent(s.peakCpuPercent)}`],
  ['elapsed', (s) => `${s.elapsedSeconds.toFixed(1)} s`],
  ['ended', (s) => (s.stoppedBy ? STOPPED_BY[s.stoppedBy] : describeExit(s.exit))],
];

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('   ');
  return [line(header), widths.map((w) => '─'.repeat(w)).join('   '), ...rows.map(line)].join('\n');
}

export function summaryTable(s: RunSummary): string {
  return table([`${s.demo} · ${s.variant}`, ''], ROWS.map(([name, f]) => [name, f(s)]));
}

export function compareTable(a: RunSummary, b: RunSummary): string {
  const body = ROWS.map(([name, f]) => [name, f(a), f(b)]);
  const ratio = a.perConnectionBytes && b.perConnectionBytes ? a.perConnectionBytes / b.perConnectionBytes : null;
  const peak = a.peakRssBytes && b.peakRssBytes ? a.peakRssBytes / b.peakRssBytes : null;
  let out = table([a.demo, a.variant, b.variant], body);
  out += `\n\npeak memory ${a.variant} ÷ ${b.variant}: ${formatRatio(peak)}`;
  if (ratio !== null) out += `   ·   memory per connection ${a.variant} ÷ ${b.variant}: ${formatRatio(ratio)}`;
  return out;
}
