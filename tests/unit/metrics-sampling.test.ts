// startSampling (rate, no overlap, clean ends) and perConnection, with a fake sampler.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { perConnection, startSampling, type SamplingEndReason } from '../../server/metrics/index.js';
import type { ProcessSampler, ResourceSample } from '../../server/metrics/sample.js';

const base: ResourceSample = {
  t: 0,
  pid: 1,
  processes: 1,
  rssBytes: 10_000_000,
  threads: 1,
  fds: 3,
  cpuPercent: 0,
  connections: 0,
  kernelBytesDelta: 0,
};

class FakeSampler implements ProcessSampler {
  readonly pid = 1;
  calls = 0;
  active = 0;
  maxActive = 0;
  closed = false;
  constructor(
    private readonly opts: { delayMs?: number; nullAfter?: number; throwAt?: number } = {},
  ) {}
  async sample(): Promise<ResourceSample | null> {
    this.calls++;
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      if (this.opts.delayMs) await new Promise((r) => setTimeout(r, this.opts.delayMs));
      if (this.opts.throwAt === this.calls) throw new Error('boom');
      if (this.closed || (this.opts.nullAfter !== undefined && this.calls > this.opts.nullAfter)) return null;
      return { ...base, t: Date.now() };
    } finally {
      this.active--;
    }
  }
  close(): void {
    this.closed = true;
  }
}

function collect(sampler: ProcessSampler, hz: number, onSample?: (s: ResourceSample) => void) {
  const samples: ResourceSample[] = [];
  const ends: Array<[SamplingEndReason, unknown]> = [];
  const run = startSampling(1, {
    hz,
    sampler,
    onSample: (s) => {
      samples.push(s);
      onSample?.(s);
    },
    onEnd: (reason, error) => ends.push([reason, error]),
  });
  return { run, samples, ends };
}

describe('startSampling', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  // The rate and the skipping are checked on a fake clock (setTimeout and performance.now
  // both faked): counts of events in a span of fake time are exact, whatever the machine's load.
  it('samples at once and then at the rate', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
    try {
      const fake = new FakeSampler();
      const { run, samples, ends } = collect(fake, 20);
      await vi.advanceTimersByTimeAsync(0);
      expect(samples).toHaveLength(1); // at once
      await vi.advanceTimersByTimeAsync(500);
      expect(samples).toHaveLength(1 + 10); // then every 50 ms
      await run.stop();
      expect(ends).toEqual([['stopped', undefined]]);
      expect(fake.closed).toBe(true);
      await vi.advanceTimersByTimeAsync(500);
      expect(samples).toHaveLength(11); // nothing after stop
    } finally {
      vi.useRealTimers();
    }
  });

  it('never overlaps samples, skipping ticks when a sample is slower than the period', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
    try {
      const fake = new FakeSampler({ delayMs: 120 });
      const { run, samples } = collect(fake, 50);
      await vi.advanceTimersByTimeAsync(600);
      const stopping = run.stop(); // waits for the sample in flight
      await vi.advanceTimersByTimeAsync(120);
      await stopping;
      expect(fake.maxActive).toBe(1);
      // Each sample takes 120 ms; the next starts on the next 20 ms slot of the grid, never
      // at once to catch up: gaps of 120-140 ms, so 4 or 5 samples in 600 ms.
      const gaps = samples.slice(1).map((x, i) => x.t - samples[i]!.t);
      expect(samples.length).toBeGreaterThanOrEqual(4);
      expect(samples.length).toBeLessThanOrEqual(5);
      for (const gap of gaps) {
        expect(gap).toBeGreaterThanOrEqual(120);
        expect(gap).toBeLessThanOrEqual(141);
      }
    } finally {
      vi.useRealTimers();
    }
  });

  it("ends by itself with 'exited' when the process is gone", async () => {
    const fake = new FakeSampler({ nullAfter: 3 });
    const { run, samples, ends } = collect(fake, 50);
    expect(await run.done).toBe('exited');
    expect(samples).toHaveLength(3);
    expect(ends).toEqual([['exited', undefined]]);
    await run.stop(); // harmless afterwards
    expect(ends).toHaveLength(1);
  });

  it("ends with 'error' (not a throw) when the sampler or onSample throws", async () => {
    const a = collect(new FakeSampler({ throwAt: 2 }), 50);
    expect(await a.run.done).toBe('error');
    expect((a.ends[0]![1] as Error).message).toBe('boom');

    const b = collect(new FakeSampler(), 50, () => {
      throw new Error('consumer bug');
    });
    expect(await b.run.done).toBe('error');
    expect(b.ends).toHaveLength(1);
  });

  it("ends with 'exited' at once for a pid that does not exist", async () => {
    const ends: SamplingEndReason[] = [];
    const run = startSampling(4_194_305, { onSample: () => undefined, onEnd: (r) => ends.push(r) });
    const reason = await run.done;
    // Linux: no such /proc entry; elsewhere ps/lsof find nothing. (Unsupported OS: 'error'.)
    expect(['exited', 'error']).toContain(reason);
    if (process.platform === 'linux') expect(reason).toBe('exited');
    expect(ends).toEqual([reason]);
  });
});

describe('perConnection', () => {
  it('is the RSS delta over the connections added', () => {
    const now = { ...base, rssBytes: base.rssBytes + 4_000_000, connections: 1000 };
    expect(perConnection(base, now)).toBe(4000);
  });
  it('is relative to the baseline connections, and may be negative', () => {
    const b = { ...base, connections: 10 };
    expect(perConnection(b, { ...base, rssBytes: base.rssBytes - 100, connections: 20 })).toBe(-10);
  });
  it('is undefined when no connections were added', () => {
    expect(perConnection(base, { ...base, rssBytes: base.rssBytes * 2 })).toBeUndefined();
    expect(perConnection({ ...base, connections: 5 }, { ...base, connections: 2 })).toBeUndefined();
  });
});
