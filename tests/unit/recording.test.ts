import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRecording, recordingKey, recordingPaths } from '../../shared/recording.js';
import { slideDemos } from '../../server/recording/slide-demos.js';

describe('recording files', () => {
  it('name a variant, and the parameters a slide set, in a stable order', () => {
    expect(recordingKey('asyncio')).toBe('asyncio');
    expect(recordingKey('asyncio', {})).toBe('asyncio');
    expect(recordingKey('asyncio', { interval: 2, bots: 5 })).toBe('asyncio@bots=5,interval=2');
    expect(recordingPaths('threads', { clients: 10 })).toEqual({ cast: 'threads@clients=10.cast', metrics: 'threads@clients=10.metrics.jsonl' });
  });

  it('parse an asciicast v2 file and its metrics track', () => {
    const header = { version: 2, width: 80, height: 24, timestamp: 1, title: 't', env: { TERM: 'xterm-256color' }, what_is_async: { demo: 'd', variant: 'v', params: {}, recordedOn: {} } };
    const cast = [header, [0.1, 'o', 'hi\r\n'], [0.5, 'm', 'step'], [1.5, 'o', 'bye\r\n']].map((l) => JSON.stringify(l)).join('\n') + '\n';
    const sample = { t: 0, pid: 1, processes: 1, rssBytes: 1, threads: 1, fds: 3, cpuPercent: 0, connections: 0, kernelBytesDelta: 0 };
    const metrics = [{ version: 1 }, { t: 0.25, type: 'metrics', sample, perConnectionBytes: null, kernelBytesSinceBaseline: 0 }, { t: 1.75, type: 'exit', code: 0, signal: null, reason: 'exited' }]
      .map((l) => JSON.stringify(l))
      .join('\n');
    const r = parseRecording(cast, metrics);
    expect(r.events).toHaveLength(3);
    expect(r.metrics).toHaveLength(1);
    expect(r.exit?.code).toBe(0);
    expect(r.duration).toBe(1.75);
  });

  it('refuses what is not asciicast v2', () => {
    expect(() => parseRecording('{"version":1}\n', '')).toThrow(/not an asciicast v2 recording/);
    expect(() => parseRecording('', '')).toThrow(/empty recording/);
  });
});

describe('the runs slides ask for', () => {
  it('are read from the chapters, one entry per distinct demo, variant and parameters', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wia-chapters-'));
    writeFileSync(
      join(dir, '01.html'),
      `<section><div class="live-terminal short" id="a" data-demo="pizza" data-variant="asyncio" data-params='{"clients": 10}'></div>
       <div class="live-terminal" data-demo="pizza" data-variant="asyncio" data-params='{"clients": 10}'></div>
       <div class="live-meters" data-terminals="a"></div>
       <div data-variant="x" class="live-terminal" data-demo="hello"></div></section>`,
    );
    expect(slideDemos(dir)).toEqual([
      { demo: 'pizza', variant: 'asyncio', params: { clients: 10 } },
      { demo: 'hello', variant: 'x', params: undefined },
    ]);
    rmSync(dir, { recursive: true });
  });
});
