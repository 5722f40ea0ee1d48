/**
 * Reading Linux procfs: the parsers of its text (pure, unit-tested on captured files) and
 * the small synchronous reads that fetch it. Everything in the project that looks at
 * /proc (the sampler, the process tree, the session meter) reads it through here.
 */
import fs from 'node:fs';

/**
 * sysconf(_SC_CLK_TCK): the unit of utime/stime in /proc/<pid>/stat. USER_HZ is 100 on
 * every mainstream Linux architecture, and Node cannot call sysconf, so it is fixed.
 */
export const CLK_TCK = 100;

// ---------------------------------------------------------------------------------------
// Parsers

export interface ProcStat {
  pid: number;
  comm: string;
  /** R, S, D, Z, X, T, t, I, ... */
  state: string;
  ppid: number;
  /** process group id */
  pgrp: number;
  /** clock ticks (CLK_TCK per second) */
  utime: number;
  stime: number;
  numThreads: number;
  /** clock ticks after boot: with pid, identifies a process across pid reuse */
  starttime: number;
  rssPages: number;
}

/** Parse /proc/<pid>/stat. The comm field may contain spaces and parentheses. */
export function parseProcStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  const f = text.slice(close + 2).trim().split(' ');
  // f[0] is field 3 (state); field n is f[n - 3].
  if (f.length < 22) return null;
  const num = (i: number): number => Number(f[i]);
  const st: ProcStat = {
    pid,
    comm: text.slice(open + 1, close),
    state: f[0] ?? '?',
    ppid: num(1),
    pgrp: num(2),
    utime: num(11),
    stime: num(12),
    numThreads: num(17),
    starttime: num(19),
    rssPages: num(21),
  };
  if (!Number.isFinite(st.pid) || !Number.isFinite(st.ppid) || !Number.isFinite(st.utime)) return null;
  return st;
}

export interface ProcStatus {
  /** R, S, D, Z, X, T, t, I, ... */
  state: string;
  ppid: number;
  threads: number;
  /** false when VmRSS is absent: a kernel thread, a zombie, or a process already tearing down its memory on exit */
  hasMemory: boolean;
  /** resident set size, bytes (VmRSS; absent, so 0, for kernel threads and zombies) */
  rssBytes: number;
}

function statusField(text: string, key: string): string | null {
  const at = text.indexOf(`\n${key}:`);
  if (at < 0) return null;
  const end = text.indexOf('\n', at + 1);
  return text.slice(at + key.length + 2, end < 0 ? undefined : end).trim();
}

/** Parse the fields of /proc/<pid>/status the sampler uses (all O(1) for the kernel). */
export function parseProcStatus(text: string): ProcStatus | null {
  const state = statusField(text, 'State');
  const ppid = Number(statusField(text, 'PPid'));
  const threads = Number(statusField(text, 'Threads'));
  if (!state || !Number.isFinite(ppid) || !Number.isFinite(threads)) return null;
  const rss = statusField(text, 'VmRSS');
  const kb = rss === null ? 0 : Number(rss.replace(/\s*kB$/, ''));
  return { state: state.charAt(0), ppid, threads, hasMemory: rss !== null, rssBytes: Number.isFinite(kb) ? kb * 1024 : 0 };
}

/** Zombie or dead: exited, only waiting to be reaped. */
export const isGoneState = (state: string): boolean => state === 'Z' || state === 'X' || state === 'x';

/** Slab + KernelStack + PageTables from /proc/meminfo, in bytes. */
export function parseMeminfoKernelBytes(text: string): number {
  let kb = 0;
  for (const line of text.split('\n')) {
    const m = /^(Slab|KernelStack|PageTables):\s+(\d+)\s*kB/.exec(line);
    if (m) kb += Number(m[2]);
  }
  return kb * 1024;
}

/** The `Pss:` line of /proc/<pid>/smaps_rollup, in bytes (null if absent). */
export function parseSmapsRollupPss(text: string): number | null {
  const m = /^Pss:\s+(\d+)\s*kB/m.exec(text);
  return m ? Number(m[1]) * 1024 : null;
}

/** The "socket:[N]" target of an fd symlink, as the inode number (0 if not a socket). */
export function socketInode(linkTarget: string): number {
  if (!linkTarget.startsWith('socket:[')) return 0;
  const n = Number(linkTarget.slice(8, -1));
  return Number.isSafeInteger(n) ? n : 0;
}

/** /proc/<pid>/cmdline: NUL-separated arguments, joined with spaces. */
export function parseCmdline(text: string): string {
  return text.replace(/\0+$/, '').replaceAll('\0', ' ');
}

export interface TcpTable {
  /** inodes of sockets in state 01 (ESTABLISHED) */
  established: Set<number>;
  /** inodes of all rows (any state) */
  all: Set<number>;
  /** when present: inodes of sockets in state 0A (LISTEN) */
  listening?: Set<number>;
}

export const emptyTcpTable = (): TcpTable => ({ established: new Set(), all: new Set() });

/**
 * Parse /proc/net/tcp or /proc/net/tcp6 (bytes, or latin1 text) into `into`. Columns (see the kernel's
 * Documentation/networking/proc_net_tcp.rst): sl local rem st tx:rx tr:when retrnsmt uid
 * timeout inode ... — st is hex (01 = ESTABLISHED). Rows with inode 0 (TIME_WAIT and
 * others owned by no fd) are skipped; with `only`, so is every inode not in it.
 * /proc/net/udp and udp6 have the same columns.
 *
 * It runs over megabytes at 10k sockets, so it works on the bytes read (no string,
 * no split, little garbage): the kernel prints
 * `%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu` (v6 addresses
 * are 32 hex digits), i.e. fixed widths up to retrnsmt; only uid and timeout vary.
 */
export function parseTcpTable(data: Uint8Array | string, into: TcpTable, only?: Set<number>): void {
  const b = typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const len = b.length;
  let pos = b.indexOf(10 /* \n */) + 1; // header
  if (pos <= 0) return;
  while (pos < len) {
    let eol = b.indexOf(10, pos);
    if (eol < 0) eol = len;
    const colon = b.indexOf(58 /* : */, pos);
    const addrEnd = colon < 0 ? -1 : b.indexOf(32, colon + 2);
    if (colon < 0 || addrEnd < 0 || addrEnd > eol) {
      pos = eol + 1;
      continue;
    }
    const addrLen = addrEnd - (colon + 2); // 13 for IPv4, 37 for IPv6
    const st = colon + 2 + 2 * (addrLen + 1);
    const established = b[st] === 48 /* 0 */ && b[st + 1] === 49; /* 1 */
    const listening = b[st] === 48 /* 0 */ && b[st + 1] === 65; /* A */
    // skip " tx:rx tr:when retrnsmt", then the variable-width uid and timeout
    let i = st + 2 + 1 + 17 + 1 + 11 + 1 + 8;
    for (let skip = 0; skip < 2; skip++) {
      while (i < eol && b[i] === 32) i++;
      while (i < eol && b[i] !== 32) i++;
    }
    while (i < eol && b[i] === 32) i++;
    let inode = 0;
    for (; i < eol; i++) {
      const d = b[i]! - 48;
      if (d < 0 || d > 9) break;
      inode = inode * 10 + d;
    }
    if (inode > 0 && (!only || only.has(inode))) {
      into.all.add(inode);
      if (established) into.established.add(inode);
      else if (listening) into.listening?.add(inode);
    }
    pos = eol + 1;
  }
}

/** Inodes of /proc/net/unix (columns: Num RefCount Protocol Flags Type St Inode Path), only those in `only`. */
export function parseUnixSocketInodes(text: string, only: Set<number>): number[] {
  const found: number[] = [];
  for (const line of text.split('\n')) {
    const ino = Number(line.trim().split(/\s+/)[6]);
    if (only.has(ino)) found.push(ino);
  }
  return found;
}

/**
 * A cheap change detector for the TCP tables: the Tcp counters of /proc/net/snmp that
 * move whenever a socket enters or leaves ESTABLISHED (ActiveOpens, PassiveOpens,
 * AttemptFails, EstabResets, CurrEstab). Returns '' if the format is not recognised.
 */
export function parseSnmpTcpSignature(text: string): string {
  const lines = text.split('\n').filter((l) => l.startsWith('Tcp:'));
  if (lines.length < 2) return '';
  const names = lines[0]!.split(/\s+/);
  const values = lines[1]!.split(/\s+/);
  const pick = ['ActiveOpens', 'PassiveOpens', 'AttemptFails', 'EstabResets', 'CurrEstab'];
  return pick.map((n) => values[names.indexOf(n)] ?? '?').join(',');
}

// ---------------------------------------------------------------------------------------
// Sync reads. Sync because they cost far less CPU than fs/promises for procfs files
// (1.5-3x, bench/metrics-cost.ts); callers that loop over many yield between reads.

let shared = Buffer.allocUnsafe(64 * 1024);

/** Read a whole procfs file as text (latin1 by default); null if it (or its process) is gone or unreadable. */
export function readProcFile(path: string, encoding: BufferEncoding = 'latin1'): string | null {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    let len = 0;
    for (;;) {
      if (len === shared.length) {
        const bigger = Buffer.allocUnsafe(shared.length * 2);
        shared.copy(bigger, 0, 0, len);
        shared = bigger;
      }
      const n = fs.readSync(fd, shared, len, shared.length - len, null);
      if (n <= 0) break;
      len += n;
    }
    return shared.toString(encoding, 0, len);
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Read a possibly multi-megabyte procfs file into `holder.buf` (grown as needed and kept,
 * so a sampler re-reads its TCP tables without fresh garbage), calling `between` (e.g.
 * to yield to the event loop) between chunks. Returns the bytes read (a view of holder.buf), or null.
 */
export async function readLargeProcFile(path: string, holder: { buf: Buffer }, between: () => Promise<void>): Promise<Buffer | null> {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch {
    return null;
  }
  let used = 0;
  try {
    for (;;) {
      if (used === holder.buf.length) {
        const bigger = Buffer.allocUnsafe(Math.max(64 * 1024, holder.buf.length * 2));
        holder.buf.copy(bigger, 0, 0, used);
        holder.buf = bigger;
      }
      const n = fs.readSync(fd, holder.buf, used, holder.buf.length - used, null);
      if (n <= 0) break;
      used += n;
      await between();
    }
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
  return holder.buf.subarray(0, used);
}

/**
 * The first `bytes` of a procfs file, cut after its last whole line; null if unreadable.
 * The kernel generates only what is read: the head of a 200,000-row TCP table is cheap.
 */
export function readProcHead(path: string, bytes = 64 * 1024): Buffer | null {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const buf = Buffer.allocUnsafe(bytes);
    let len = 0;
    while (len < bytes) {
      const n = fs.readSync(fd, buf, len, bytes - len, null);
      if (n <= 0) break;
      len += n;
    }
    return buf.subarray(0, buf.lastIndexOf(10, len - 1) + 1);
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

/** /proc/<pid>/status, parsed; null if the process is gone. */
export function readStatus(pid: number, proc = '/proc'): ProcStatus | null {
  const text = readProcFile(`${proc}/${pid}/status`);
  return text === null ? null : parseProcStatus(text);
}

/** /proc/<pid>/stat, parsed; null if the process is gone. */
export function readStat(pid: number, proc = '/proc'): ProcStat | null {
  const text = readProcFile(`${proc}/${pid}/stat`);
  return text === null ? null : parseProcStat(text);
}

/** The command line of a process, arguments joined with spaces ('' if it is gone or a kernel thread). */
export function readCmdline(pid: number, proc = '/proc'): string {
  const text = readProcFile(`${proc}/${pid}/cmdline`, 'utf8');
  return text === null ? '' : parseCmdline(text);
}

/** Kernel memory (Slab + KernelStack + PageTables), bytes; null if unreadable. */
export function readKernelBytes(proc = '/proc'): number | null {
  const text = readProcFile(`${proc}/meminfo`);
  return text === null ? null : parseMeminfoKernelBytes(text);
}

/** The pids of every process /proc lists now (not threads). */
export function listPids(proc = '/proc'): number[] {
  let names: string[];
  try {
    names = fs.readdirSync(proc);
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const name of names) {
    const c0 = name.charCodeAt(0);
    if (c0 < 48 || c0 > 57) continue;
    const pid = Number(name);
    if (Number.isSafeInteger(pid)) pids.push(pid);
  }
  return pids;
}

/** Does /proc/<pid> still exist (a process, possibly a zombie)? */
export function procExists(pid: number, proc = '/proc'): boolean {
  return fs.existsSync(`${proc}/${pid}`);
}

let fdSizeSupport: Map<string, boolean> | undefined;

/** Does stat("/proc/<pid>/fd").size give the open fd count (Linux >= 6.2)? Checked once per procfs root. */
export function fdDirSizeWorks(proc = '/proc'): boolean {
  fdSizeSupport ??= new Map();
  let ok = fdSizeSupport.get(proc);
  if (ok === undefined) {
    try {
      const size = fs.statSync(`${proc}/self/fd`).size;
      const count = fs.readdirSync(`${proc}/self/fd`).length;
      ok = size > 0 && Math.abs(size - count) <= 2;
    } catch {
      ok = false;
    }
    fdSizeSupport.set(proc, ok);
  }
  return ok;
}

/** Open fds of a process: O(1) where the fd directory's size says it, else a listing; null if gone. */
export function fdCount(pid: number, proc = '/proc', sizeWorks = fdDirSizeWorks(proc)): number | null {
  const dir = `${proc}/${pid}/fd`;
  try {
    if (sizeWorks) return fs.statSync(dir).size;
    return fs.readdirSync(dir).length;
  } catch {
    return null;
  }
}

/** The fd numbers a process holds now; null if it is gone. */
export function listFds(pid: number, proc = '/proc'): number[] | null {
  try {
    return fs.readdirSync(`${proc}/${pid}/fd`).map(Number);
  } catch {
    return null;
  }
}

/** What fd `fd` of `pid` is: a socket inode, 0 for anything else, null if no such fd. */
export function fdSocketInode(pid: number, fd: number, proc = '/proc'): number | null {
  try {
    return socketInode(fs.readlinkSync(`${proc}/${pid}/fd/${fd}`));
  } catch {
    return null;
  }
}
