// macOS sampler: parsers and sampler logic on fixture output (not captured on a Mac;
// see tests/fixtures/metrics/README.md). Runs on every platform: nothing is spawned.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  DarwinSampler,
  descendants,
  parseLsof,
  parsePsProcesses,
  parsePsThreads,
  parsePsTime,
  parseVmStatWiredBytes,
  type ToolRunner,
} from '../../server/metrics/darwin.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/metrics');
const fixture = (name: string): string => readFileSync(path.join(dir, name), 'utf8');

describe('parsePsTime', () => {
  it('reads macOS minutes:seconds.hundredths, minutes unbounded', () => {
    expect(parsePsTime('0:00.03')).toBeCloseTo(0.03, 6);
    expect(parsePsTime('4:45.17')).toBeCloseTo(285.17, 6);
    expect(parsePsTime('123:04.56')).toBeCloseTo(7384.56, 6);
  });
  it('reads hh:mm:ss and dd-hh:mm:ss forms too', () => {
    expect(parsePsTime('01:02:03')).toBe(3723);
    expect(parsePsTime('2-01:00:00')).toBe(2 * 86400 + 3600);
    expect(parsePsTime('  0:01.5 ')).toBeCloseTo(1.5, 6);
  });
  it('is NaN for garbage', () => {
    expect(parsePsTime('-')).toBeNaN();
    expect(parsePsTime('')).toBeNaN();
  });
});

describe('parsePsProcesses / descendants', () => {
  const all = parsePsProcesses(fixture('darwin-ps-A.txt'));
  it('parses every row', () => {
    expect(all).toHaveLength(12);
    expect(all.find((p) => p.pid === 41231)).toEqual({
      pid: 41231,
      ppid: 41230,
      rssKb: 104960,
      cpuSeconds: 1.27,
      stat: 'S+',
    });
    expect(all.find((p) => p.pid === 52001)?.cpuSeconds).toBeCloseTo(7384.58 - 0.02, 6);
  });
  it('finds the tree under a root, root first, and nothing for an absent root', () => {
    expect(descendants(all, 41230).sort()).toEqual([41230, 41231, 41232, 41233, 41240].sort());
    expect(descendants(all, 41230)[0]).toBe(41230);
    expect(descendants(all, 41233)).toEqual([41233]);
    expect(descendants(all, 99999)).toEqual([]);
  });
  it('skips blank and malformed lines', () => {
    expect(parsePsProcesses('\n  x y z w v\n  12 1 100 0:00.01 S\n')).toHaveLength(1);
  });
});

describe('parsePsThreads', () => {
  it('counts first lines (USER PID …) and continuation lines (blank USER)', () => {
    const counts = parsePsThreads(fixture('darwin-ps-M.txt'));
    expect(Object.fromEntries(counts)).toEqual({ 41230: 3, 41231: 2, 41232: 1, 41233: 1 });
  });
  it('does not mistake a numeric user name for the pid', () => {
    const text = 'USER   PID   TT  %CPU STAT PRI STIME UTIME COMMAND\n501  777 s000 0.0 S 31T 0:00.01 0:00.01 x\n     777      0.0 S 31T 0:00.00 0:00.00\n';
    expect(Object.fromEntries(parsePsThreads(text))).toEqual({ 777: 2 });
  });
});

describe('parseLsof', () => {
  const s = parseLsof(fixture('darwin-lsof.txt'));
  it('counts numeric fds per process, not cwd/txt', () => {
    expect(Object.fromEntries(s.fds)).toEqual({ 41230: 9, 41231: 6, 41232: 3, 41233: 3 });
  });
  it('counts distinct ESTABLISHED TCP sockets (v4 and v6; an inherited one once)', () => {
    expect(s.established.size).toBe(3);
    expect([...s.established].sort()).toEqual(['0x5e4f1c2a8d3b2a17', '0x5e4f1c2a8d3b3b27', '0x5e4f1c2a8d3b7f67']);
  });
  it('falls back to the name when there is no device field', () => {
    const text = 'p1\nf3\nPTCP\nn127.0.0.1:1->127.0.0.1:2\nTST=ESTABLISHED\nTQR=0\nTQS=0\nf4\nPTCP\nn127.0.0.1:3->127.0.0.1:4\nTST=SYN_SENT\n';
    const r = parseLsof(text);
    expect([...r.established]).toEqual(['127.0.0.1:1->127.0.0.1:2']);
    expect(r.fds.get(1)).toBe(2);
  });
  it('is empty for empty output (lsof found nothing)', () => {
    const r = parseLsof('');
    expect(r.fds.size).toBe(0);
    expect(r.established.size).toBe(0);
  });
});

describe('parseVmStatWiredBytes', () => {
  it('multiplies wired pages by the stated page size', () => {
    expect(parseVmStatWiredBytes(fixture('darwin-vm_stat.txt'))).toBe(147856 * 16384);
  });
  it('is null when the format is not recognised', () => {
    expect(parseVmStatWiredBytes('nothing here')).toBeNull();
  });
});

describe('DarwinSampler on fixture output', () => {
  function fakeRunner(files: { psA: string; vm: string }): { run: ToolRunner; calls: string[][] } {
    const calls: string[][] = [];
    const run: ToolRunner = async (file, args) => {
      calls.push([file, ...args]);
      if (file === 'ps' && args[0] === '-A') return fixture(files.psA);
      if (file === 'ps' && args[0] === '-M') return fixture('darwin-ps-M.txt');
      if (file === 'lsof') return fixture('darwin-lsof.txt');
      if (file === 'vm_stat') return fixture(files.vm);
      throw new Error(`unexpected ${file}`);
    };
    return { run, calls };
  }

  it('sums the live tree, ignores the zombie, and computes CPU from time deltas', async () => {
    const files = { psA: 'darwin-ps-A.txt', vm: 'darwin-vm_stat.txt' };
    const { run, calls } = fakeRunner(files);
    let clock = 1000;
    const s = new DarwinSampler(41230, { run, clock: () => clock });
    const first = await s.sample();
    expect(first).toMatchObject({
      pid: 41230,
      processes: 4,
      rssBytes: (15104 + 104960 + 12032 + 8816) * 1024,
      threads: 7,
      fds: 21,
      connections: 3,
      cpuPercent: 0,
      kernelBytesDelta: 0,
    });
    expect(first?.pssBytes).toBeUndefined();
    const lsofCall = calls.find((c) => c[0] === 'lsof')!;
    expect(lsofCall.at(-1)).toBe('41230,41231,41232,41233');

    files.psA = 'darwin-ps-A-later.txt';
    files.vm = 'darwin-vm_stat-later.txt';
    clock += 1000;
    const second = await s.sample();
    expect(second?.processes).toBe(3); // 41233 has gone
    expect(second?.cpuPercent).toBeCloseTo(50, 5); // 0.25 s + 0.25 s over 1 s
    expect(second?.kernelBytesDelta).toBe(1000 * 16384);
    s.close();
    expect(await s.sample()).toBeNull();
  });

  it('returns null when the root is gone or a zombie', async () => {
    const gone: ToolRunner = async (file) => (file === 'ps' ? fixture('darwin-ps-A.txt') : '');
    expect(await new DarwinSampler(4242, { run: gone }).sample()).toBeNull();
    expect(await new DarwinSampler(41240, { run: gone }).sample()).toBeNull();
  });

  it('rejects (an error, not an exit) when a tool cannot run at all', async () => {
    const broken: ToolRunner = async () => {
      throw new Error('spawn lsof ENOENT');
    };
    await expect(new DarwinSampler(41230, { run: broken }).sample()).rejects.toThrow(/ENOENT/);
  });
});
