// What a terminal showed, as plain lines: a recording's output events joined, colours and
// carriage returns dropped. Dependency-free: the build and the browser both use it.
import { castOutput, parseCast, type CastHeader } from '../../shared/recording.js';

/** Terminal output as plain text: colour and cursor escapes dropped, line ends as "\n". */
export function plainText(output: string): string {
  // eslint-disable-next-line no-control-regex
  return output.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r\n/g, '\n').replace(/\r/g, '');
}

export function screenText(castText: string): { header: CastHeader; lines: string[] } {
  const { header, events } = parseCast(castText);
  return { header, lines: plainText(castOutput(events)).split('\n').map((l) => l.trimEnd()) };
}

/** "recorded 2026-11-26 · Python 3.11.7 · 2 cores, 24 GiB" */
export function recordedLabel(header: CastHeader): string {
  const on = header.what_is_async.recordedOn;
  return `recorded ${on.date.slice(0, 10)} · Python ${on.python} · ${on.machine}`;
}
