// What a terminal showed, as plain lines: a recording's output events joined, colours and
// carriage returns dropped. Dependency-free: the build and the browser both use it.
import type { CastEvent, CastHeader } from '../../shared/recording.js';

/** Terminal output as plain text: colour and cursor escapes dropped, line ends as "\n". */
export function plainText(output: string): string {
  // eslint-disable-next-line no-control-regex
  return output.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r\n/g, '\n').replace(/\r/g, '');
}

export function screenText(castText: string): { header: CastHeader; lines: string[] } {
  const [head, ...events] = castText.split('\n').filter((l) => l.trim() !== '');
  if (!head) throw new Error('empty recording');
  const header = JSON.parse(head) as CastHeader;
  const out = events
    .map((l) => JSON.parse(l) as CastEvent)
    .filter((e) => e[1] === 'o')
    .map((e) => e[2])
    .join('');
  return { header, lines: plainText(out).split('\n').map((l) => l.trimEnd()) };
}

/** "recorded 2026-11-26 · Python 3.11.7 · 2 cores, 24 GiB" */
export function recordedLabel(header: CastHeader): string {
  const on = header.what_is_async.recordedOn;
  return `recorded ${on.date.slice(0, 10)} · Python ${on.python} · ${on.machine}`;
}
