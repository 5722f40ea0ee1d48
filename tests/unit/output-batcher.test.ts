// A run's output to a page in fewer, larger frames: what comes after a quiet spell goes at once,
// a flood's reads within a window go as one frame, nothing is lost or reordered.
import { describe, it, expect } from 'vitest';
import { OutputBatcher, NO_BATCHING } from '../../server/session/output-batcher.js';

const bytes = (s: string) => Buffer.from(s);
const text = (frames: Uint8Array[]) => frames.map((f) => Buffer.from(f).toString()).join('');
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

function batcher(windowMs = 5, maxFrameBytes = 1024) {
  const frames: Uint8Array[] = [];
  const b = new OutputBatcher((f) => frames.push(f), { windowMs, maxFrameBytes });
  return { b, frames };
}

describe('the output batcher', () => {
  it('sends a read after a quiet spell at once (an echoed key waits for nothing)', () => {
    const { b, frames } = batcher();
    b.push(bytes('a'));
    expect(text(frames)).toBe('a');
    b.close();
  });

  it('gathers the reads of a flood into one frame per window, in order', async () => {
    const { b, frames } = batcher(5);
    for (let i = 0; i < 50; i++) b.push(bytes(`${i},`));
    expect(frames).toHaveLength(1); // the first, at once; the rest wait for the window to close
    await settle(30);
    expect(frames).toHaveLength(2);
    expect(text(frames)).toBe(Array.from({ length: 50 }, (_, i) => `${i},`).join(''));
    expect(b.stats).toEqual({ frames: 2, reads: 50 });
    // A window that closed with nothing new ends the batching: the next read goes at once.
    await settle(30);
    b.push(bytes('x'));
    expect(text(frames).endsWith('x')).toBe(true);
    b.close();
  });

  it('sends a frame at once when it reaches its size, so what waits is at most one frame', () => {
    const { b, frames } = batcher(1000, 100);
    b.push(bytes('first'));
    for (let i = 0; i < 10; i++) b.push(bytes('y'.repeat(30)));
    // 300 bytes after the first read: frames of at least 100 went without waiting for the window.
    expect(frames.length).toBeGreaterThanOrEqual(3);
    for (const f of frames.slice(1)) expect(f.byteLength).toBeGreaterThanOrEqual(100);
    b.close();
    expect(text(frames)).toBe('first' + 'y'.repeat(300));
  });

  it('flush and close send what waits (before a marker or the exit), and a frame per read without batching', () => {
    const { b, frames } = batcher(1000);
    b.push(bytes('1'));
    b.push(bytes('2'));
    b.flush();
    expect(text(frames)).toBe('12');
    b.push(bytes('3'));
    b.close();
    expect(text(frames)).toBe('123');
    const plain: Uint8Array[] = [];
    const each = new OutputBatcher((f) => plain.push(f), NO_BATCHING);
    for (const c of 'abc') each.push(bytes(c));
    expect(plain.map((f) => Buffer.from(f).toString())).toEqual(['a', 'b', 'c']);
  });
});
