// A one-line live meter kept on the terminal's bottom row while the demo scrolls above it:
// the demo's PTY is one row shorter and the rows above are a scroll region.
import type { MetricsMessage } from '../protocol/protocol.js';
import { formatBytes, formatCount, formatPercent } from '../metrics/format.js';

const ESC = '\x1b';

export function meterText(label: string, m: Pick<MetricsMessage, 'sample' | 'perConnectionBytes'>, elapsedSeconds: number): string {
  const s = m.sample;
  const parts = [
    label,
    `mem ${formatBytes(s.rssBytes)}`,
    `${formatCount(s.threads)} threads`,
    `${formatCount(s.fds)} fds`,
    `CPU ${formatPercent(s.cpuPercent)}`,
    `${formatCount(s.connections)} conns`,
  ];
  if (m.perConnectionBytes !== null) parts.push(`${formatBytes(m.perConnectionBytes)}/conn`);
  parts.push(`${elapsedSeconds.toFixed(1)} s`);
  return parts.join(' · ');
}

export class StatusLine {
  private text = '';

  constructor(
    private readonly out: NodeJS.WriteStream,
    private rows: number,
    private cols: number,
  ) {
    // Scroll region = every row but the last; the demo's cursor starts at the top.
    out.write(`${ESC}[2J${ESC}[1;${rows - 1}r${ESC}[1;1H`);
  }

  resize(rows: number, cols: number): void {
    this.rows = rows;
    this.cols = cols;
    this.out.write(`${ESC}7${ESC}[1;${rows - 1}r${ESC}8`);
    this.draw(this.text);
  }

  draw(text: string): void {
    this.text = text;
    const line = text.length > this.cols - 1 ? `${text.slice(0, this.cols - 2)}…` : text;
    // Save the cursor, paint the bottom row in reverse video, put the cursor back.
    this.out.write(`${ESC}7${ESC}[${this.rows};1H${ESC}[2K${ESC}[7m ${line}${ESC}[0m${ESC}8`);
  }

  /** Gives the whole screen back, leaving the last meter reading as an ordinary line. */
  close(): void {
    this.out.write(`${ESC}[r${ESC}[${this.rows};1H${ESC}[2K${this.text}\r\n`);
  }
}
