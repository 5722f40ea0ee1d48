// Linux sampler: procfs parsers on captured text, and the sampler's tree / fd / socket
// logic against a fake procfs built in a temp dir (deterministic edge cases: zombie
// root, pid reuse, inherited sockets, sockets added later).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LinuxSampler } from '../../server/metrics/linux-sampler.js';
import type { ResourceSample } from '../../server/metrics/sample.js';
import {
  parseCmdline,
  parseMeminfoKernelBytes,
  parseProcStat,
  parseProcStatus,
  parseSmapsRollupPss,
  parseSnmpTcpSignature,
  parseTcpTable,
  parseUnixSocketInodes,
  socketInode,
  type TcpTable,
} from '../../server/metrics/procfs.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/metrics');
const fixture = (name: string): string => readFileSync(path.join(dir, name), 'latin1');
const table = (): TcpTable => ({ established: new Set(), all: new Set() });

describe('procfs parsers', () => {
  it('parseProcStat handles a comm with spaces and parentheses', () => {
    expect(parseProcStat(fixture('linux-stat.txt'))).toEqual({
      pid: 25491,
      comm: 'py (x) y',
      state: 'R',
      ppid: 25489,
      pgrp: 25489,
      utime: 4,
      stime: 2,
      numThreads: 4,
      starttime: 86729,
      rssPages: 3694,
    });
    expect(parseProcStat('garbage')).toBeNull();
    expect(parseProcStat('1 (x) S 0')).toBeNull();
  });

  it('parseProcStatus reads State, PPid, Threads and VmRSS (absent for a zombie)', () => {
    expect(parseProcStatus(fixture('linux-status.txt'))).toEqual({ state: 'R', ppid: 25513, threads: 4, hasMemory: true, rssBytes: 13880 * 1024 });
    expect(parseProcStatus(fixture('linux-status-zombie.txt'))).toEqual({ state: 'Z', ppid: 25559, threads: 1, hasMemory: false, rssBytes: 0 });
    expect(parseProcStatus('Name:\tx\n')).toBeNull();
    // A process tearing down on exit has released its memory before it turns zombie.
    const exiting = fixture('linux-status.txt').replace(/^Vm\w+:.*\n/gm, '').replace(/^Rss\w+:.*\n/gm, '');
    expect(parseProcStatus(exiting)).toMatchObject({ state: 'R', hasMemory: false, rssBytes: 0 });
  });

  it('parseMeminfoKernelBytes sums Slab + KernelStack + PageTables (not SecPageTables)', () => {
    expect(parseMeminfoKernelBytes(fixture('linux-meminfo.txt'))).toBe((99508 + 1508 + 2120) * 1024);
  });

  it('parseSmapsRollupPss reads Pss (not Pss_Anon, SwapPss)', () => {
    expect(parseSmapsRollupPss(fixture('linux-smaps_rollup.txt'))).toBe(10051 * 1024);
    expect(parseSmapsRollupPss('Rss: 1 kB\n')).toBeNull();
  });

  it('parseCmdline joins NUL-separated arguments', () => {
    expect(parseCmdline('python3\0-u\0server_asyncio.py\0')).toBe('python3 -u server_asyncio.py');
    expect(parseCmdline('')).toBe('');
  });

  it('parseUnixSocketInodes picks the Inode column, only the inodes asked for', () => {
    const text = 'Num       RefCount Protocol Flags    Type St Inode Path\n0000000000000000: 00000003 00000000 00000000 0001 03 6001\n0000000000000000: 00000002 00000000 00010000 0001 01 6100 /run/x.sock\n';
    expect(parseUnixSocketInodes(text, new Set([6100, 7]))).toEqual([6100]);
  });

  it('socketInode reads socket:[N] and nothing else', () => {
    expect(socketInode('socket:[63581]')).toBe(63581);
    expect(socketInode('pipe:[36505]')).toBe(0);
    expect(socketInode('/dev/null')).toBe(0);
  });

  it('parseTcpTable: IPv4 rows, state 01 only counts as established, inode 0 skipped, any uid width', () => {
    const t = table();
    parseTcpTable(fixture('linux-net-tcp.txt'), t);
    expect([...t.all].sort()).toEqual([63580, 63581, 63582, 63590, 63591]);
    expect([...t.established].sort()).toEqual([63581, 63582, 63591]);
  });

  it('parseTcpTable: IPv6 rows', () => {
    const t = table();
    parseTcpTable(fixture('linux-net-tcp6.txt'), t);
    expect([...t.all].sort()).toEqual([63577, 63578, 63579]);
    expect([...t.established].sort()).toEqual([63578, 63579]);
  });

  it('parseTcpTable: `only` keeps just the given inodes; header-only and empty text are fine', () => {
    const t = table();
    parseTcpTable(fixture('linux-net-tcp.txt'), t, new Set([63581, 63580, 1]));
    expect([...t.all].sort()).toEqual([63580, 63581]);
    expect([...t.established]).toEqual([63581]);
    parseTcpTable('', t);
    parseTcpTable('  sl  local_address rem_address   st\n', t);
    expect(t.all.size).toBe(2);
  });

  it('parseTcpTable agrees with a naive split on many generated rows', () => {
    let text = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
    const expectAll: number[] = [];
    const expectEst: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const st = ['01', '0A', '06', '08', '01'][i % 5]!;
      const inode = st === '06' ? 0 : 100000 + i;
      const uid = [0, 1000, 65534, 1234567][i % 4]!;
      text += `${String(i).padStart(4)}: 0100007F:${(30000 + i).toString(16).toUpperCase()} 0100007F:1F90 ${st} 00000000:00000000 00:00000000 00000000 ${String(uid).padStart(5)} ${String(0).padStart(8)} ${inode} 1 0000000000000000 20 4 30 10 -1\n`;
      if (inode) expectAll.push(inode);
      if (inode && st === '01') expectEst.push(inode);
    }
    const t = table();
    parseTcpTable(text, t);
    expect(t.all.size).toBe(expectAll.length);
    expect(t.established.size).toBe(expectEst.length);
    expect(expectEst.every((i) => t.established.has(i))).toBe(true);
  });

  it('parseSnmpTcpSignature picks the connection-state counters', () => {
    expect(parseSnmpTcpSignature(fixture('linux-snmp.txt'))).toBe('8871,8793,1,44,10');
    expect(parseSnmpTcpSignature('Ip: 1 2\nIp: 3 4\n')).toBe('');
  });
});

// ---------------------------------------------------------------------------------------

/**
 * Samples until one includes a CPU (stat) read that started after this call, and returns
 * it; every sample before it must be a live one. Bounded in samples, not in time.
 */
async function afterNextCpuRead(s: LinuxSampler): Promise<ResourceSample | null> {
  const before = s.stats.cpuReads;
  for (let i = 0; i < 1000; i++) {
    await new Promise((r) => setTimeout(r, 5));
    const x = await s.sample();
    if (s.stats.cpuReads > before) return x;
    expect(x).not.toBeNull();
  }
  throw new Error('no CPU read in 1,000 samples');
}

interface FakeProc {
  pid: number;
  ppid: number;
  state?: string;
  utime?: number;
  threads?: number;
  start?: number;
  rssPages?: number;
  pssKb?: number;
  fds?: Record<number, string>;
}

describe('LinuxSampler on a fake procfs', () => {
  let root: string;

  const stat = (p: FakeProc): string =>
    `${p.pid} (fake ${p.pid}) ${p.state ?? 'S'} ${p.ppid} ${p.pid} 1 0 -1 4194304 10 0 0 0 ${p.utime ?? 0} 0 0 0 20 0 ${p.threads ?? 1} 0 ${p.start ?? 1000 + p.pid} 100000 ${p.rssPages ?? 100} 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n`;

  const status = (p: FakeProc): string =>
    `Name:\tfake ${p.pid}\nUmask:\t0022\nState:\t${p.state ?? 'S'} (sleeping)\nTgid:\t${p.pid}\nNgid:\t0\nPid:\t${p.pid}\nPPid:\t${p.ppid}\n` +
    (p.state === 'Z' ? '' : `VmPeak:\t  100000 kB\nVmRSS:\t    ${(p.rssPages ?? 100) * 4} kB\nRssAnon:\t    1 kB\n`) +
    `Threads:\t${p.threads ?? 1}\nSigQ:\t0/96365\n`;

  function writeProc(p: FakeProc): void {
    const d = path.join(root, String(p.pid));
    rmSync(d, { recursive: true, force: true });
    mkdirSync(path.join(d, 'fd'), { recursive: true });
    writeFileSync(path.join(d, 'stat'), stat(p));
    writeFileSync(path.join(d, 'status'), status(p));
    writeFileSync(path.join(d, 'smaps_rollup'), `00400000-7fff00000000 ---p 00000000 00:00 0 [rollup]\nRss: 1 kB\nPss: ${p.pssKb ?? 50} kB\n`);
    for (const [fd, target] of Object.entries(p.fds ?? {})) symlinkSync(target, path.join(d, 'fd', fd));
  }

  function writeNet(pid: number, tcp: Array<[number, string]>, tcp6: Array<[number, string]> = []): void {
    const net = path.join(root, String(pid), 'net');
    mkdirSync(net, { recursive: true });
    const v4 = tcp.map(
      ([inode, st], i) => `${String(i).padStart(4)}: 0100007F:1F90 0100007F:${(40000 + i).toString(16).toUpperCase()} ${st} 00000000:00000000 00:00000000 00000000  1000        0 ${inode} 1 0000000000000000 20 4 30 10 -1\n`,
    );
    const v6 = tcp6.map(
      ([inode, st], i) => `${String(i).padStart(4)}: 00000000000000000000000001000000:1F90 00000000000000000000000001000000:${(40000 + i).toString(16).toUpperCase()} ${st} 00000000:00000000 00:00000000 00000000  1000        0 ${inode} 1 0000000000000000 20 4 30 10 -1\n`,
    );
    writeFileSync(path.join(net, 'tcp'), '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n' + v4.join(''));
    writeFileSync(path.join(net, 'tcp6'), '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n' + v6.join(''));
    writeFileSync(path.join(net, 'snmp'), fixture('linux-snmp.txt'));
  }

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'fakeproc-'));
    writeFileSync(path.join(root, 'meminfo'), 'MemTotal: 1000 kB\nSlab: 100 kB\nKernelStack: 10 kB\nPageTables: 1 kB\n');
    mkdirSync(path.join(root, 'self', 'fd'), { recursive: true });
    writeFileSync(path.join(root, 'self', 'statm'), '5000 1000 500 1 0 2000 0\n');
    writeFileSync(path.join(root, 'self', 'status'), 'Name:\tnode\nVmRSS:\t    4000 kB\n');
    writeProc({ pid: 1, ppid: 0 });
    writeProc({ pid: 200, ppid: 1, rssPages: 99999, fds: { 0: '/dev/null', 3: 'socket:[7001]' } }); // unrelated
    writeProc({
      pid: 100,
      ppid: 1,
      threads: 3,
      rssPages: 1000,
      pssKb: 3000,
      fds: { 0: '/dev/null', 1: 'pipe:[9]', 2: 'pipe:[9]', 3: 'socket:[5001]', 4: 'socket:[5002]' },
    });
    writeProc({ pid: 101, ppid: 100, threads: 2, rssPages: 500, pssKb: 1000, fds: { 0: '/dev/null', 3: 'socket:[5001]', 5: 'socket:[5003]' } });
    writeProc({ pid: 102, ppid: 101, rssPages: 10, pssKb: 10 });
    writeProc({ pid: 103, ppid: 100, state: 'Z', rssPages: 0 });
    writeNet(100, [
      [5001, '01'],
      [5002, '0A'],
      [7001, '01'],
    ], [[5003, '01']]);
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('sums the tree (children and grandchildren, no zombies, no strangers)', async () => {
    const s = new LinuxSampler(100, { procRoot: root });
    const x = await s.sample();
    expect(x).toMatchObject({
      pid: 100,
      processes: 3,
      rssBytes: (1000 + 500 + 10) * 4096,
      pssBytes: (3000 + 1000 + 10) * 1024,
      threads: 3 + 2 + 1,
      fds: 5 + 3 + 0,
      cpuPercent: 0,
      connections: 2, // 5001 (inherited: once) and 5003 (IPv6); 5002 listens; 7001 is not ours
      kernelBytesDelta: 0,
    });
    s.close();
  });

  it('picks up a socket opened later, and CPU used since the last sample', async () => {
    const s = new LinuxSampler(100, { procRoot: root });
    await s.sample();
    writeProc({
      pid: 100,
      ppid: 1,
      threads: 3,
      rssPages: 1000,
      utime: 50,
      fds: { 0: '/dev/null', 1: 'pipe:[9]', 2: 'pipe:[9]', 3: 'socket:[5001]', 4: 'socket:[5002]', 6: 'socket:[5004]' },
    });
    writeNet(100, [
      [5001, '01'],
      [5002, '0A'],
      [5004, '01'],
    ], [[5003, '01']]);
    const reads = s.stats.cpuReads;
    const x = await s.sample();
    expect(x?.fds).toBe(9);
    expect(x?.connections).toBe(3);
    // CPU time is read on a cadence that stretches with its cost (and skips under load):
    // the first sample whose CPU read comes after the change must show it.
    const cpu = s.stats.cpuReads > reads ? x : await afterNextCpuRead(s);
    expect(cpu?.cpuPercent).toBeGreaterThan(0);
  });

  it('a new fd at the lowest free number is found without listing the directory', async () => {
    const s = new LinuxSampler(100, { procRoot: root });
    expect((await s.sample())?.connections).toBe(2);
    symlinkSync('socket:[5004]', path.join(root, '100', 'fd', '5'));
    writeNet(100, [
      [5001, '01'],
      [5002, '0A'],
      [5004, '01'],
    ], [[5003, '01']]);
    const x = await s.sample();
    expect(x?.fds).toBe(9);
    expect(x?.connections).toBe(3);
  });

  it('thousands of new fds between two samples are all found at once, without a listing, whatever the budget', async () => {
    // A fast ramp seen by a sampler that skipped ticks: 6,000 new sockets in one go, with
    // a budget that allows little. They are found in this very sample by looking up just
    // the new fd numbers; no listing of the fd directory is needed (nor due).
    const s = new LinuxSampler(100, { procRoot: root, costBudget: 0.001 });
    expect((await s.sample())?.connections).toBe(2);
    const fdDir = path.join(root, '100', 'fd');
    const rows: Array<[number, string]> = [
      [5001, '01'],
      [5002, '0A'],
    ];
    for (let i = 0; i < 6000; i++) {
      symlinkSync(`socket:[${800_000 + i}]`, path.join(fdDir, String(5 + i)));
      rows.push([800_000 + i, '01']);
    }
    writeNet(100, rows, [[5003, '01']]);
    const listingsBefore = s.stats.parts.fds.runs;
    const x = await s.sample();
    expect(x?.fds).toBe(5 + 3 + 6000);
    expect(x?.connections).toBe(2 + 6000);
    expect(s.stats.parts.fds.runs).toBe(listingsBefore);
  });

  it('new fds around a number opened and closed in between are still found without a listing', async () => {
    const s = new LinuxSampler(100, { procRoot: root, costBudget: 0.001 });
    expect((await s.sample())?.connections).toBe(2);
    // fds 5 and 6 came and went; 7 and 8 are the new ones
    const fdDir = path.join(root, '100', 'fd');
    symlinkSync('socket:[5007]', path.join(fdDir, '7'));
    symlinkSync('socket:[5008]', path.join(fdDir, '8'));
    writeNet(100, [
      [5001, '01'],
      [5002, '0A'],
      [5007, '01'],
      [5008, '01'],
    ], [[5003, '01']]);
    const listingsBefore = s.stats.parts.fds.runs;
    const x = await s.sample();
    expect(x?.connections).toBe(4);
    expect(s.stats.parts.fds.runs).toBe(listingsBefore);
  });

  it('an fd reused for another socket without the count moving is noticed (old socket leaves the table)', async () => {
    const s = new LinuxSampler(100, { procRoot: root });
    expect((await s.sample())?.connections).toBe(2);
    rmSync(path.join(root, '101', 'fd', '5'));
    symlinkSync('socket:[5005]', path.join(root, '101', 'fd', '5')); // 5003 closed, 5005 took fd 5
    writeNet(100, [
      [5001, '08'], // and 5001 went to CLOSE_WAIT
      [5002, '0A'],
      [5005, '01'],
    ]);
    // the TCP counters moved (a connection closed, one opened): the tables get re-read
    writeFileSync(path.join(root, '100', 'net', 'snmp'), fixture('linux-snmp.txt').replace(' 8871 8793 ', ' 8872 8794 '));
    // stale data would say 2 (5001 + 5003); only finding 5005 behind fd 5 gives 1
    const seen: number[] = [];
    for (let i = 0; i < 6 && seen.at(-1) !== 1; i++) seen.push((await s.sample())!.connections);
    expect(seen.at(-1)).toBe(1);
    expect((await s.sample())?.fds).toBe(8);
  });

  it('unix and UDP sockets never count, and need no TCP table read to be told apart', async () => {
    writeProc({
      pid: 100,
      ppid: 1,
      rssPages: 1000,
      fds: { 0: '/dev/null', 1: 'pipe:[9]', 2: 'pipe:[9]', 3: 'socket:[5001]', 4: 'socket:[5002]', 7: 'socket:[6001]', 8: 'socket:[6002]' },
    });
    writeNet(100, [
      [5001, '01'],
      [5002, '0A'],
    ], [[5003, '01']]);
    const net = path.join(root, '100', 'net');
    writeFileSync(
      path.join(net, 'unix'),
      'Num       RefCount Protocol Flags    Type St Inode Path\n0000000000000000: 00000003 00000000 00000000 0001 03 6001\n0000000000000000: 00000002 00000000 00010000 0001 01 6100 /run/x.sock\n',
    );
    writeFileSync(
      path.join(net, 'udp'),
      '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n  1: 0100007F:14E9 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 6002 2 0000000000000000 0\n',
    );
    const s = new LinuxSampler(100, { procRoot: root });
    const x = await s.sample();
    expect(x?.connections).toBe(2); // 5001 and 5003 (via 101); not 6001 (unix) nor 6002 (UDP)
    expect(s.stats.provisionalConnections).toBe(0);

    // a process with only unix/UDP sockets (like Node's stdio socketpairs): no TCP read at all
    writeProc({ pid: 300, ppid: 1, fds: { 0: 'socket:[6001]', 1: 'socket:[6002]' } });
    writeNet(300, [[5001, '01']]);
    for (const f of ['unix', 'udp']) writeFileSync(path.join(root, '300', 'net', f), readFileSync(path.join(net, f)));
    const only = new LinuxSampler(300, { procRoot: root });
    expect((await only.sample())?.connections).toBe(0);
    expect((await only.sample())?.connections).toBe(0);
    expect(only.stats.parts.tcp.runs).toBe(0);
  });

  it('while the TCP tables wait for budget, new sockets count provisionally, then settle', async () => {
    // a big TCP table makes the first read expensive; a tiny budget then holds reads back
    const rows: Array<[number, string]> = [
      [5001, '01'],
      [5002, '0A'],
    ];
    for (let i = 0; i < 20_000; i++) rows.push([900_000 + i, '01']);
    writeNet(100, rows, [[5003, '01']]);
    const s = new LinuxSampler(100, { procRoot: root, costBudget: 0.001 });
    expect((await s.sample())?.connections).toBe(2);
    symlinkSync('socket:[5010]', path.join(root, '100', 'fd', '5')); // a new listener, say
    writeNet(100, [...rows, [5010, '0A']], [[5003, '01']]);
    const x = await s.sample();
    expect(x?.fds).toBe(9);
    expect(x?.connections).toBe(3); // counted before any table says what it is
    expect(s.stats.provisionalConnections).toBe(1);
    expect(s.stats.parts.tcp.runs).toBe(1); // the table was not read again

    const settled = new LinuxSampler(100, { procRoot: root }); // default budget: reads the tables
    expect((await settled.sample())?.connections).toBe(2); // 5010 is LISTEN
    expect(settled.stats.provisionalConnections).toBe(0);
  });

  it('a new listener is told from a connection by the head of the TCP tables, without reading them whole', async () => {
    // the kernel lists listening sockets first; then 20,000 connections of others
    const rows: Array<[number, string]> = [
      [5010, '0A'],
      [5001, '01'],
      [5002, '0A'],
    ];
    for (let i = 0; i < 20_000; i++) rows.push([900_000 + i, '01']);
    writeNet(100, rows, [[5003, '01']]);
    const s = new LinuxSampler(100, { procRoot: root, costBudget: 0.001 });
    expect((await s.sample())?.connections).toBe(2);
    const reads = s.stats.parts.tcp.runs;
    symlinkSync('socket:[5010]', path.join(root, '100', 'fd', '5')); // a new listener
    symlinkSync('socket:[5011]', path.join(root, '100', 'fd', '6')); // and a connection, say
    const x = await s.sample();
    expect(x?.connections).toBe(3); // 5011 provisionally; 5010 is no connection
    expect(s.stats.provisionalConnections).toBe(1);
    expect(s.stats.parts.tcp.runs).toBe(reads); // no whole read of the tables
  });

  it("a process that joins the tree later (a server's new worker) has its sockets counted at once, whatever the budget", async () => {
    // a big TCP table and a tiny budget: the first read overdraws it, and listings wait
    const rows: Array<[number, string]> = [
      [5001, '01'],
      [5002, '0A'],
    ];
    for (let i = 0; i < 20_000; i++) rows.push([900_000 + i, '01']);
    writeNet(100, rows, [[5003, '01']]);
    const s = new LinuxSampler(100, { procRoot: root, costBudget: 0.001 });
    expect((await s.sample())?.connections).toBe(2);
    const listings = s.stats.parts.fds.runs;
    writeProc({ pid: 104, ppid: 100, fds: { 0: '/dev/null', 1: 'socket:[5020]', 2: 'socket:[5021]', 3: 'socket:[5022]' } });
    let x = await s.sample();
    for (let i = 0; i < 200 && x?.processes !== 4; i++) {
      await new Promise((r) => setTimeout(r, 5)); // until the tree's next /proc scan finds it
      x = await s.sample();
    }
    expect(x?.processes).toBe(4);
    expect(x?.connections).toBe(5); // its three sockets, provisionally
    expect(s.stats.parts.fds.runs).toBe(listings); // found without a listing
  });

  it('a costly TCP table read goes on in the background: samples keep coming, then it settles', async () => {
    // At 100k connections (200k rows, both ends on this machine) a read costs ~1 s of CPU.
    // Here any read that cost anything is "costly" (tcpForegroundMs: 0), and 300,000 rows
    // (45 MB) make the read long enough to yield to the event loop, as a real one does.
    const rows: Array<[number, string]> = [
      [5001, '01'],
      [5002, '0A'],
    ];
    for (let i = 0; i < 300_000; i++) rows.push([900_000 + i, '01']);
    writeNet(100, rows, [[5003, '01']]);
    const s = new LinuxSampler(100, { procRoot: root, costBudget: 1, tcpForegroundMs: 0 });
    expect((await s.sample())?.connections).toBe(2); // the first read: within the sample
    expect(s.stats.parts.tcp.runs).toBe(1);
    expect(s.stats.parts.tcp.ms).toBeGreaterThan(0);
    symlinkSync('socket:[5010]', path.join(root, '100', 'fd', '5')); // a new listener, say
    writeNet(100, [...rows, [5010, '0A']], [[5003, '01']]);
    const x = await s.sample();
    // the sample came back with the new socket counted provisionally, the read still going
    expect(x?.connections).toBe(3);
    expect(s.stats.provisionalConnections).toBe(1);
    expect(s.stats.parts.tcp.runs).toBe(1);
    for (let i = 0; i < 500 && s.stats.parts.tcp.runs < 2; i++) {
      expect((await s.sample())?.connections).toBeGreaterThanOrEqual(2);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(s.stats.parts.tcp.runs).toBe(2); // settled, and charged to the budget
    expect((await s.sample())?.connections).toBe(2); // 5010 is LISTEN
    expect(s.stats.provisionalConnections).toBe(0);
  });

  it('a child that is exiting (memory released, files closing) leaves the sums at once, its sockets too', async () => {
    const s = new LinuxSampler(100, { procRoot: root });
    const before = (await s.sample())!;
    expect(before.connections).toBe(2); // 5001 (shared with 101) and 5003 (101's)
    // 101 exits: its status loses VmRSS while it is still state R, closing its fds
    const d = path.join(root, '101');
    writeFileSync(path.join(d, 'status'), readFileSync(path.join(d, 'status'), 'latin1').replace(/^VmRSS:.*\n/m, '').replace('State:\tS', 'State:\tR'));
    const x = (await s.sample())!;
    expect(x.processes).toBe(before.processes - 1); // 101 (102, its child, is still alive)
    expect(x.rssBytes).toBe(before.rssBytes - 500 * 4 * 1024);
    console.log(JSON.stringify(x), JSON.stringify(before));
    expect(x.connections).toBe(1); // 5003 went with it; 5001 is still 100's
  });

  it('a process whose fds are all closed holds no sockets, without waiting for a listing', async () => {
    // a big TCP table and a tiny budget: the first read overdraws it, and listings wait
    const rows: Array<[number, string]> = [
      [5001, '01'],
      [5002, '0A'],
    ];
    for (let i = 0; i < 20_000; i++) rows.push([900_000 + i, '01']);
    writeNet(100, rows, [[5003, '01']]);
    const s = new LinuxSampler(100, { procRoot: root, costBudget: 0.001 });
    expect((await s.sample())?.connections).toBe(2);
    const listings = s.stats.parts.fds.runs;
    for (const fd of ['0', '3', '5']) rmSync(path.join(root, '101', 'fd', fd));
    expect((await s.sample())?.connections).toBe(1);
    expect(s.stats.parts.fds.runs).toBe(listings); // known without a listing
  });

  it('ends (null) when the root is a zombie, is gone, or its pid was reused', async () => {
    const a = new LinuxSampler(100, { procRoot: root });
    expect(await a.sample()).not.toBeNull();
    writeProc({ pid: 100, ppid: 1, start: 999999 }); // same pid, another process
    expect(await afterNextCpuRead(a)).toBeNull(); // noticed at the next CPU (stat) read

    const b = new LinuxSampler(103, { procRoot: root });
    expect(await b.sample()).toBeNull(); // zombie

    const c = new LinuxSampler(101, { procRoot: root });
    expect((await c.sample())?.processes).toBe(2);
    rmSync(path.join(root, '101'), { recursive: true });
    expect(await c.sample()).toBeNull();
    expect(await new LinuxSampler(4242, { procRoot: root }).sample()).toBeNull();
  });

  it('leaves PSS out when asked to', async () => {
    const x = await new LinuxSampler(100, { procRoot: root, pss: false }).sample();
    expect(x).not.toBeNull();
    expect(x?.pssBytes).toBeUndefined();
  });

  it('reports the machine-wide kernel memory change since the sampler was created', async () => {
    const s = new LinuxSampler(100, { procRoot: root });
    writeFileSync(path.join(root, 'meminfo'), 'MemTotal: 1000 kB\nSlab: 300 kB\nKernelStack: 10 kB\nPageTables: 1 kB\n');
    expect((await s.sample())?.kernelBytesDelta).toBe(200 * 1024);
  });

  it('concurrent sample() calls share one reading; close() makes it null', async () => {
    const s = new LinuxSampler(100, { procRoot: root });
    const [a, b] = await Promise.all([s.sample(), s.sample()]);
    expect(a).toBe(b);
    s.close();
    expect(await s.sample()).toBeNull();
  });
});
