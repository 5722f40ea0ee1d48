// Runs the command line in a real PTY and reads what a person would see through a headless
// xterm: the rows of the screen (and the scrollback above it), and each cell's attributes.
import pty from '@lydell/node-pty';
import xterm from '@xterm/headless';
import { ROOT } from './server.js';

export interface CliTerminal {
  pid: number;
  exited: Promise<number>;
  /** The visible rows, top to bottom, trailing spaces trimmed. */
  screen(): Promise<string[]>;
  /** Everything the terminal holds: scrollback, then the visible rows. */
  all(): Promise<string[]>;
  /** Whether the first cell of a visible row (0-based) is drawn in reverse video. */
  inverse(row: number): Promise<boolean>;
  /** Waits until the visible screen matches. */
  until(re: RegExp, ms?: number): Promise<string[]>;
  type(data: string): void;
}

export function spawnCliTerminal(args: string[], size = { cols: 100, rows: 24 }): CliTerminal {
  const term = new xterm.Terminal({ cols: size.cols, rows: size.rows, scrollback: 1000, allowProposedApi: true });
  const child = pty.spawn(process.execPath, ['bin/what-is-async.js', ...args], {
    ...size,
    cwd: ROOT,
    env: process.env as Record<string, string>,
  });
  let written = Promise.resolve();
  child.onData((d) => {
    written = written.then(() => new Promise<void>((r) => term.write(d, r)));
  });
  const exited = new Promise<number>((r) => child.onExit((e) => r(e.exitCode)));
  const rows = async (from: number, to: number) => {
    await written;
    const buf = term.buffer.active;
    const out: string[] = [];
    for (let y = from; y < to; y++) out.push((buf.getLine(y)?.translateToString(true) ?? '').trimEnd());
    return out;
  };
  const screen = () => rows(term.buffer.active.baseY, term.buffer.active.baseY + term.rows);
  return {
    pid: child.pid,
    exited,
    screen,
    all: () => rows(0, term.buffer.active.baseY + term.rows),
    inverse: async (row) => {
      await written;
      const buf = term.buffer.active;
      return Boolean(buf.getLine(buf.baseY + row)?.getCell(0)?.isInverse());
    },
    until: async (re, ms = 20_000) => {
      const deadline = Date.now() + ms;
      for (;;) {
        const s = await screen();
        if (re.test(s.join('\n'))) return s;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}; screen:\n${s.join('\n')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    type: (data) => child.write(data),
  };
}
