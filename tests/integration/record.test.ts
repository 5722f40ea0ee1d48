// Recording a real run: an asciicast v2 file that asciinema can play, step markers where the
// manifest declares them, and a metrics track on the same clock.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRegistry } from '../../server/registry/registry.js';
import { recordVariant } from '../../server/recording/recorder.js';
import { recordedOn } from '../../server/recording/recorded-on.js';
import { parseRecording } from '../../shared/recording.js';
import { ROOT } from '../helpers/server.js';
import { fingerprint } from '../../server/recording/source-fingerprint.js';

describe('record', () => {
  it('writes asciicast v2 with step markers and an aligned metrics track', async () => {
    const demo = loadRegistry(join(ROOT, 'demos')).get('hello')!;
    const out = mkdtempSync(join(tmpdir(), 'wia-record-'));
    try {
      const r = await recordVariant(demo, 'blocking', { sampleHz: 10, recordedOn: recordedOn(), outDir: out, slideParams: { count: 2, delay: 0.3 } });
      expect(r.castFile).toBe(join(out, 'blocking@count=2,delay=0.3.cast'));
      const rec = parseRecording(readFileSync(r.castFile, 'utf8'), readFileSync(r.metricsFile, 'utf8'));
      expect(rec.header).toMatchObject({ version: 2, width: 80, height: 24, env: { TERM: 'xterm-256color' } });
      expect(rec.header.what_is_async).toMatchObject({ demo: 'hello', variant: 'blocking', params: { count: 2, delay: 0.3 } });
      expect(rec.header.what_is_async.recordedOn.python).toMatch(/^3\./);
      // What it was made from: every source of the demo, hashed, for doctor's staleness check.
      expect(rec.header.what_is_async.sources).toEqual(fingerprint(join(ROOT, 'demos'), 'hello'));
      expect(Object.keys(rec.header.what_is_async.sources!)).toEqual(['hello/blocking.py', 'hello/demo.json', 'hello/selectors_loop.py', 'hello/slow_line_server.py']);
      // Events in time order; output that reads as the program printed it.
      const times = rec.events.map((e) => e[0]);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      const text = rec.events.filter((e) => e[1] === 'o').map((e) => e[2]).join('');
      expect(text).toMatch(/2 requests in/);
      // The manifest's steps, once each, in order, at the moment their line appeared.
      const markers = rec.events.filter((e) => e[1] === 'm');
      expect(markers.map((m) => m[2])).toEqual(['first request sent', 'all answered']);
      // Each marker is stamped with the output whose line reached it (not a moment later): the
      // last line printed by then is the one its step matches (a line may come in pieces).
      const lastLine = (m: (typeof markers)[number]) =>
        rec.events.filter((e) => e[1] === 'o' && e[0] <= m[0]).map((e) => e[2]).join('').split('\r\n').filter(Boolean).at(-1);
      expect(lastLine(markers[0]!)).toMatch(/#1 (connected, )?request sent/);
      expect(lastLine(markers[1]!)).toMatch(/2 requests in [\d.]+ s/);
      // Two 0.3 s answers, in turn, lie between them (as the program measured them).
      expect(Number(/2 requests in ([\d.]+) s/.exec(text)![1])).toBeGreaterThanOrEqual(0.6);
      expect(rec.metrics.length).toBeGreaterThanOrEqual(3);
      expect(Math.max(...rec.metrics.map((m) => m.sample.rssBytes))).toBeGreaterThan(5e6);
      expect(rec.exit).toMatchObject({ code: 0, reason: 'exited' });
      expect(rec.duration).toBeGreaterThan(0.6);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
