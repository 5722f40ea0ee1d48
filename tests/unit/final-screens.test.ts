// When a demo has made its point, what the slide's notes point at is still on screen. Each
// terminal on a slide replays its recording (a real run) into a headless xterm of the size
// the slide gives it on a 1024×768 projector — about 42 columns by 12 rows for two terminals
// side by side — and ends as the deck's terminal does (a blank line and "── exited … ──").
// The lines that make the point must be whole on the screen left at the end: a short summary
// there, not a conclusion scrolled away by chatter or by lines too wide for the terminal.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import xterm from '@xterm/headless';
import { parseRecording, recordingPaths } from '../../shared/recording.js';
import { describeExit } from '../../shared/wire.js';
import { slideTerminals } from '../../server/recording/slide-demos.js';
import { ROOT } from '../helpers/server.js';

/** Columns × rows by where the terminal sits (its id), at 1024×768; the default: side by side. */
const SIDE_BY_SIDE = { cols: 42, rows: 12 };
const SIZES: Record<string, { cols: number; rows: number }> = {
  // the full-height right-hand terminal of a three-terminal slide
  'one-fetch-asyncio': { cols: 42, rows: 24 },
  'from-scratch-asyncio': { cols: 42, rows: 24 },
  'races-coroutines': { cols: 42, rows: 24 },
  // a terminal beside its meters, or beside a table
  'c10k-selectors': { cols: 54, rows: 20 },
  'c10k-wall': { cols: 54, rows: 16 },
  'chat-asyncio': { cols: 54, rows: 20 },
  'ws-chat-room': { cols: 60, rows: 18 },
  // the whole width of the slide
  'call-path-protocol': { cols: 84, rows: 18 },
};

const TRACEBACK = [/^Traceback \(most recent call last\):$/, /^ValueError: /, /^\w+: (the whole path is there:|it starts in the loop;)$/];
const TIMELINE = [/^timeline, 0 to [\d.]+ s/, /: \d+ URLs in [\d.]+ s/];

/** What each terminal's notes point at when it has made its point; null: a room that runs
 *  until stopped, whose point is in the meters and in what the presenter types. */
const POINTS: Record<string, RegExp[] | null> = {
  'hello-blocking': [/slow server: 0\.50 s per answer/, /^3 requests in [\d.]+ s: 3 waits, in turn$/],
  'hello-selectors': [/slow server: 0\.50 s per answer/, /^3 requests in [\d.]+ s: the waits overlap$/],
  'subs-pool': [/^[\d.]+ s of CPU each; [\d.]+ of \d+ cores busy$/, /^process pool: ping [\d.]+ s, answered first$/],
  'subs-asyncio': [/^[\d.]+ s of CPU each; [\d.]+ of \d+ cores busy$/, /^asyncio: ping [\d.]+ s, behind \d+ orders?$/],
  'pizza-threads': [/^100 clients in [\d.]+ s/, /orders? in the oven at a time/],
  'pizza-asyncio': [/^100 clients in [\d.]+ s/, /orders? in the oven at a time/],
  'c10k-threads': [/holding 10,000 idle connections/, /KiB per connection/, /memory maps/],
  'c10k-asyncio': [/holding 10,000 idle connections/, /KiB per connection/],
  'c10k-selectors': [/holding 10,000 idle connections/, /KiB per connection/],
  'c10k-wall': [/held at the wall: can't start new thread/, /holding \d+ idle connections/],
  'one-fetch-blocking': TRACEBACK,
  'one-fetch-callbacks': TRACEBACK,
  'one-fetch-asyncio': TRACEBACK,
  'ws-chat-room': null,
  'chat-asyncio': null,
  'chat-threads-cmp': null,
  'chat-asyncio-cmp': null,
  'call-path-protocol': [/How was on_message called\? From the top:$/, /^ {2}event loop +base_events\.run_forever/, /^ {2}application +ws_chat\.on_message/, /^Conclusion: select\(\) -> /],
  'busy-wait-busy': [/^busy-wait: [\d.]+ s waited, [\d.]+ s CPU burnt$/, /^ {2}= [\d.]+ s of CPU per second of waiting$/],
  'busy-wait-select': [/^select: [\d.]+ s waited, [\d.]+ s CPU burnt$/, /^ {2}= [\d.]+ s of CPU per second of waiting$/],
  'from-scratch-sequential': TIMELINE,
  'from-scratch-hand-made': TIMELINE,
  'from-scratch-asyncio': TIMELINE,
  'races-threads': [/^Conclusion: /],
  'races-threads-plain': [/^Conclusion: /],
  'races-coroutines': [/^Conclusion: /],
  'blocking-loop-blocking': [/^client +pings got/, /^Conclusion: everyone froze/],
  'blocking-loop-nonblocking': [/^client +pings got/, /^Conclusion: nobody else waited/],
  'pizza-asyncio-ok': [/^10 clients in [\d.]+ s/, /orders? in the oven at a time/],
  'pizza-asyncio-blocking': [/^10 clients in [\d.]+ s/, /orders? in the oven at a time/],
  'not-faster-threads': [/^threads: 4 busy connections, [\d,]+ requests\/s\.$/],
  'not-faster-asyncio': [/^asyncio: 4 busy connections, [\d,]+ requests\/s\.$/],
  'sleepy-threads': [/KiB of server memory each\.$/],
  'sleepy-asyncio': [/KiB of server memory each\.$/],
};

/** The rows a terminal of this size shows at the end of the recording, as the deck draws it. */
async function finalScreen(demo: string, variant: string, params: Record<string, number | boolean | string> | undefined, size: { cols: number; rows: number }): Promise<string[]> {
  const paths = recordingPaths(variant, params);
  const dir = join(ROOT, 'demos', demo, 'recordings');
  const rec = parseRecording(readFileSync(join(dir, paths.cast), 'utf8'), readFileSync(join(dir, paths.metrics), 'utf8'));
  const term = new xterm.Terminal({ ...size, scrollback: 5000, allowProposedApi: true });
  const write = (s: string) => new Promise<void>((r) => term.write(s, r));
  for (const [, kind, data] of rec.events) if (kind === 'o') await write(data);
  const exit = rec.exit ?? { code: 0, signal: null, reason: 'exited' as const };
  await write(`\r\n── ${describeExit(exit)} ──\r\n`);
  // The lines on screen, a line wrapped over several rows joined again; one whose start has
  // scrolled off the top does not count.
  const buf = term.buffer.active;
  const lines: string[] = [];
  for (let y = buf.baseY; y < buf.baseY + term.rows; y++) {
    const row = buf.getLine(y);
    const text = row?.translateToString(true) ?? '';
    if (row?.isWrapped) {
      if (lines.length) lines[lines.length - 1] += text;
    } else lines.push(text);
  }
  term.dispose();
  return lines;
}

const terminals = slideTerminals(join(ROOT, 'slides/chapters'));

describe('the point is on screen at the end of each demo', () => {
  it('knows what every terminal on a slide points at', () => {
    expect(terminals.length).toBeGreaterThan(20);
    expect(terminals.map((t) => t.id).filter((id) => !id || !(id in POINTS))).toEqual([]);
  });

  it.each(terminals.filter((t) => t.id && POINTS[t.id]).map((t) => [t.id!, t] as const))('%s', async (id, t) => {
    const size = SIZES[id] ?? SIDE_BY_SIDE;
    const screen = await finalScreen(t.demo, t.variant ?? 'default', t.params, size);
    const shown = `${size.cols}×${size.rows}, its whole lines:\n${screen.map((r) => `|${r}`).join('\n')}`;
    for (const point of POINTS[id]!) expect(screen.some((row) => point.test(row)), `${point} on the final screen, ${shown}`).toBe(true);
  });
});
