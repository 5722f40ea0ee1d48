// The parts of a DemoRun that need no PTY: a consumer's window, the metrics history, the
// screen state.
import { describe, it, expect } from 'vitest';
import { RunConsumer, HIGH_WATER, LOW_WATER, type ConsumerHost } from '../../server/run/run-consumer.js';
import { MetricsHistory } from '../../server/run/metrics-history.js';
import { ScreenState, BACKLOG_HIGH, BACKLOG_LOW } from '../../server/run/screen-state.js';
import type { MeterReading } from '../../server/run/run-events.js';
import { headlessTerminal, visibleText } from '../helpers/drawing-consumer.js';

function host(): ConsumerHost & { changes: number; left: number; failed: unknown[] } {
  const h = { changes: 0, left: 0, failed: [] as unknown[], flowChanged: () => void h.changes++, leave: () => void h.left++, sinkFailed: (_c: RunConsumer, err: unknown) => void h.failed.push(err) };
  return h;
}
const output = (n: number) => ({ type: 'output' as const, at: 0, bytes: Buffer.alloc(n) });

describe('a consumer’s window', () => {
  it('fills above HIGH_WATER, empties below LOW_WATER, and refuses an ack of more than it was given', () => {
    const h = host();
    const c = new RunConsumer('pace-setter', () => {}, h);
    c.deliver(output(HIGH_WATER));
    expect(c.windowFull).toBe(false);
    c.deliver(output(1));
    expect([c.windowFull, h.changes]).toEqual([true, 1]);
    expect(c.ack(HIGH_WATER + 2)).toEqual({ ok: false, unacknowledged: HIGH_WATER + 1 });
    expect(c.ack(HIGH_WATER + 1 - LOW_WATER)).toEqual({ ok: true });
    expect(c.windowFull).toBe(true); // exactly LOW_WATER left: not below it yet
    c.ack(1);
    expect([c.windowFull, h.changes, c.unacknowledged]).toEqual([false, 2, LOW_WATER - 1]);
    c.setCongested(true);
    c.setCongested(true);
    expect([c.blocked, h.changes]).toEqual([true, 3]);
    c.close();
    c.close();
    expect(h.left).toBe(1);
  });

  it('a window that grows with the pace: to what is acknowledged in its time, never past its most, and not for a consumer that acknowledges nothing', async () => {
    const window = { high: 64 * 1024, low: 32 * 1024, grow: { ms: 150, max: 256 * 1024 } };
    const fast = new RunConsumer('pace-setter', () => {}, host(), window);
    const idle = new RunConsumer('pace-setter', () => {}, host(), window);
    // 32 KiB acknowledged every 5 ms: over 6 MB/s, whose 150 ms are more than the most.
    for (let i = 0; i < 120; i++) {
      fast.deliver(output(32 * 1024));
      fast.ack(32 * 1024);
      idle.deliver(output(1));
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(fast.currentWindow).toEqual({ high: 256 * 1024, low: 128 * 1024 });
    expect(idle.currentWindow).toEqual({ high: 64 * 1024, low: 32 * 1024 });
  });

  it('a sink that throws is reported to the run, not thrown into it', () => {
    const h = host();
    const c = new RunConsumer('follower', () => {
      throw new Error('a bug of the consumer');
    }, h);
    expect(() => c.deliver(output(10))).not.toThrow();
    expect(h.failed).toEqual([new Error('a bug of the consumer')]);
  });
});

describe('the metrics history', () => {
  const reading = (i: number) => ({ sample: { t: i } }) as unknown as MeterReading;

  it('keeps every reading up to its bound', () => {
    const h = new MetricsHistory(8);
    for (let i = 0; i < 7; i++) h.add(i, reading(i));
    expect(h.readings().map((r) => r.at)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('past its bound spans the whole run evenly, and always ends with the latest reading', () => {
    const h = new MetricsHistory(64);
    for (let i = 0; i < 10_000; i++) h.add(i, reading(i));
    const at = h.readings().map((r) => r.at);
    expect(at.length).toBeLessThanOrEqual(65);
    expect(at[0]).toBe(0);
    expect(at.at(-1)).toBe(9999);
    const steps = new Set(at.slice(1, -1).map((t, i) => t - at[i]!));
    expect(steps.size).toBe(1); // evenly spaced
    expect(at.length).toBeGreaterThanOrEqual(32);
  });
});

describe('the screen state', () => {
  it('a snapshot after whenParsed, written into a reset terminal, shows the same screen', async () => {
    const s = new ScreenState(40, 10);
    for (let i = 0; i < 30; i++) s.write(Buffer.from(`\x1b[3${i % 8}mline ${i}\x1b[0m\r\n`));
    s.write(Buffer.from('é ✓ half'));
    const snap = await new Promise<ReturnType<ScreenState['snapshot']>>((r) => s.whenParsed(() => r(s.snapshot())));
    const t = headlessTerminal(snap.cols, snap.rows);
    await new Promise<void>((r) => t.write(snap.data, r));
    expect(visibleText(t)).toBe(s.text());
    expect(s.text()).toMatch(/line 29\né ✓ half$/);
    s.dispose();
  });

  it('resizes in order with the output', async () => {
    const s = new ScreenState(80, 24);
    s.write(Buffer.from('x'.repeat(100_000)));
    s.resize(20, 5);
    expect(s.snapshot().cols).toBe(80); // not yet: the output before it is still being parsed
    await new Promise<void>((r) => s.whenParsed(r));
    expect(s.snapshot()).toMatchObject({ cols: 20, rows: 5 });
    s.dispose();
  });

  it('says when more than BACKLOG_HIGH waits to be parsed, and when it is below BACKLOG_LOW again', async () => {
    const calls: boolean[] = [];
    let pendingWhenLow = -1;
    const s = new ScreenState(80, 24, (b) => {
      calls.push(b);
      if (!b) pendingWhenLow = s.pending;
    });
    const chunk = Buffer.from(('y'.repeat(79) + '\r\n').repeat(800)); // 64 KB
    for (let i = 0; i < 40; i++) s.write(chunk);
    expect(calls).toEqual([true]);
    await new Promise<void>((r) => s.whenParsed(r));
    expect(calls).toEqual([true, false]);
    expect(pendingWhenLow).toBeLessThan(BACKLOG_LOW);
    expect(40 * chunk.byteLength).toBeGreaterThan(BACKLOG_HIGH);
    s.dispose();
  });
});
