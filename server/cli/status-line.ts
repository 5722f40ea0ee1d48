// A one-line live meter kept on the terminal's bottom row while the demo scrolls above it:
// the demo's PTY is one row shorter and the rows above are a scroll region. When the run
// ends the demo's output stays where it is, and what follows is printed right below it.
import type { MetricsMessage } from '../../shared/wire.js';
import { formatBytes, formatCount, formatPercent } from '../../shared/format.js';

const ESC = '\x1b';

/** The meter row: how long it has run (of how long it may), then the latest sample. */
export function meterText(label: string, m: Pick<MetricsMessage, 'sample' | 'perConnectionBytes'>, elapsedSeconds: number, boundSeconds?: number): string {
  const s = m.sample;
  const parts = [
    label,
    boundSeconds === undefined ? `${elapsedSeconds.toFixed(1)} s` : `${elapsedSeconds.toFixed(1)} of ${boundSeconds} s`,
    `mem ${formatBytes(s.rssBytes)}`,
    `${formatCount(s.threads)} threads`,
    `${formatCount(s.fds)} fds`,
    `CPU ${formatPercent(s.cpuPercent)}`,
    `${formatCount(s.connections)} conns`,
  ];
  if (m.perConnectionBytes !== null) parts.push(`${formatBytes(m.perConnectionBytes)}/conn`);
  return parts.join(' · ');
}

/** `text` cut to `width` columns, with an ellipsis when something was cut. */
function fit(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

/**
 * Follows the demo's bytes just far enough to know where it is safe to paint: not inside an
 * escape sequence or a UTF-8 character split across two reads, and whether its cursor is
 * at the start of a line.
 */
export class OutputPosition {
  private state: 'text' | 'esc' | 'csi' | 'osc' | 'osc-esc' = 'text';
  private utf8Left = 0;
  /** The last thing printed was a line feed (or nothing yet); after a bare "\r" the line still holds text. */
  atLineStart = true;

  get atBoundary(): boolean {
    return this.state === 'text' && this.utf8Left === 0;
  }

  feed(bytes: Uint8Array): void {
    for (const b of bytes) {
      switch (this.state) {
        case 'text':
          if (this.utf8Left > 0 && (b & 0xc0) === 0x80) {
            this.utf8Left--;
            continue;
          }
          this.utf8Left = 0;
          if (b === 0x1b) this.state = 'esc';
          else if (b === 0x0a) this.atLineStart = true;
          else if (b >= 0x20 && b !== 0x7f) {
            this.atLineStart = false;
            this.utf8Left = b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : b >= 0xc0 ? 1 : 0;
          }
          break;
        case 'esc':
          // CSI and OSC run on; any other escape ends at its first byte past the intermediates.
          this.state = b === 0x5b ? 'csi' : b === 0x5d ? 'osc' : b >= 0x20 && b <= 0x2f ? 'esc' : 'text';
          break;
        case 'csi':
          if (b >= 0x40 && b <= 0x7e) this.state = 'text';
          break;
        case 'osc':
          if (b === 0x07) this.state = 'text';
          else if (b === 0x1b) this.state = 'osc-esc';
          break;
        case 'osc-esc':
          this.state = b === 0x5c ? 'text' : 'osc';
          break;
      }
    }
  }
}

export class StatusLine {
  private text = '';
  private hint = '';
  private pending = false;
  private readonly position = new OutputPosition();

  constructor(
    private readonly out: NodeJS.WriteStream,
    private rows: number,
    private cols: number,
  ) {
    // Push what is on screen into the scrollback rather than wiping it, then give the demo
    // every row but the last, its cursor at the top.
    out.write(`${'\n'.repeat(rows)}${ESC}[2J${ESC}[1;${rows - 1}r${ESC}[1;1H`);
  }

  /** The demo wrote these bytes: paint a meter that waited for a safe moment. */
  demoWrote(bytes: Uint8Array): void {
    this.position.feed(bytes);
    if (this.pending && this.position.atBoundary) this.paint();
  }

  resize(rows: number, cols: number): void {
    this.rows = rows;
    this.cols = cols;
    this.out.write(`${ESC}7${ESC}[1;${rows - 1}r${ESC}8`);
    this.draw(this.text, this.hint);
  }

  /** Shows `text` on the bottom row, and `hint` (what a key does now) at its right end. */
  draw(text: string, hint = ''): void {
    this.text = text;
    this.hint = hint;
    this.pending = true;
    if (this.position.atBoundary) this.paint();
  }

  private paint(): void {
    this.pending = false;
    const room = this.cols - 2;
    const hint = this.hint && room > this.hint.length + 20 ? this.hint : '';
    const left = fit(this.text, hint ? room - hint.length - 2 : room);
    const line = hint ? `${left.padEnd(room - hint.length)}${hint}` : left;
    // Save the cursor, paint the bottom row in reverse video, put the cursor back.
    this.out.write(`${ESC}7${ESC}[${this.rows};1H${ESC}[2K${ESC}[7m ${line} ${ESC}[0m${ESC}8`);
  }

  /**
   * Gives the whole screen back. The demo's output stays on screen; the cursor goes on from
   * where the demo left it, and the last meter reading becomes an ordinary line below it.
   */
  close(): void {
    const newline = this.position.atLineStart ? '' : '\r\n';
    const last = this.text ? `${fit(this.text, this.cols - 1)}\r\n` : '';
    this.out.write(`${ESC}[0m${ESC}7${ESC}[r${ESC}[${this.rows};1H${ESC}[2K${ESC}8${newline}${last}`);
  }
}
