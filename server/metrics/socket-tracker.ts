/**
 * Which of a process tree's sockets are ESTABLISHED TCP connections, at a cost that follows
 * what changed rather than how much the tree holds.
 *
 * Per process, a map fd number -> socket inode. When a process's fd count grows by k, only
 * the new fds are readlink'ed (Linux hands out the lowest free numbers: they are the k
 * lowest numbers not in the map); that lookup is never budgeted, whatever k is, because it
 * is what keeps the count moving while the expensive reads wait. New sockets found in the
 * small unix/UDP tables are set aside, and so are new listeners, found in the head of the
 * TCP tables (the kernel lists listening sockets first); any other new socket counts as ESTABLISHED at once,
 * provisionally (accepted and connected sockets are), until the TCP tables
 * (/proc/<root>/net/tcp{,6}: one read for the whole tree) say what it is.
 *
 * Two parts are expensive and run within the sampler's CPU budget, only when something
 * changed: `listing` (list fd directories: counts that shrank, a guess that failed, a
 * 15 s safety rescan) and `tcp` (read the TCP tables: there are unconfirmed sockets, or
 * the namespace's TCP counters moved). A read of the tables costs the whole namespace's
 * rows, TIME_WAIT rows of earlier runs too: ~30-300 ms of CPU at 10k-100k rows.
 *
 * Known limits: sockets are looked up in the root's network namespace only; an fd closed
 * and reopened as another socket under the same number without the fd count moving is
 * noticed when the old socket leaves the TCP table, or at the periodic full rescan.
 */
import { performance } from 'node:perf_hooks';
import type { Yielder } from './cost-budget.js';
import {
  emptyTcpTable,
  fdSocketInode,
  listFds,
  parseSnmpTcpSignature,
  parseTcpTable,
  parseUnixSocketInodes,
  readLargeProcFile,
  readProcFile,
  readProcHead,
  type TcpTable,
} from './procfs.js';

interface FdTable {
  /** fd count when the map was last brought up to date (-1: never) */
  count: number;
  /** fd count seen by the latest sample */
  current: number;
  /** fd number -> socket inode (0 when not a socket) */
  byFd: Map<number, number>;
  /** socket inodes held */
  sockets: Set<number>;
  /** set when a socket of ours vanished from the TCP table: an fd may have been reused */
  dirty: boolean;
  /** the lowest-free-fd guess could not place every new fd: wait for a listing */
  noGuess: boolean;
  lastFullAt: number;
}

export interface SocketCounts {
  /** ESTABLISHED at the last TCP table read */
  established: number;
  /** in a TCP table, any state */
  tcp: number;
  /** in no table at the last read */
  unknown: number;
  /** new since the last TCP table read: counted as ESTABLISHED until it says otherwise */
  provisional: number;
}

/** Full fd listing at least this often, to catch what the incremental scan cannot. */
const FULL_FD_RESCAN_MS = 15_000;
/**
 * Re-read the TCP tables at least this often while the tree holds TCP sockets, to catch
 * changes that move no counter (ESTABLISHED -> CLOSE_WAIT); longer when a read is costly.
 */
const TCP_MAX_AGE_MS = 5_000;
const TCP_AGE_COST_FACTOR = 200;
/**
 * Sockets in neither the TCP nor the unix/UDP tables (netlink, raw, or a TCP socket
 * caught between socket() and connect()): re-check them this rarely.
 */
const NON_TCP_RECHECK_MS = 30_000;
/** Fd numbers the new-fd lookup may find closed (a fd opened and closed in between) before it gives up. */
const MAX_GUESS_MISSES = 64;

export class SocketTracker {
  private tables = new Map<number, FdTable>();
  private tcp: TcpTable | null = null;
  private tcpAt = -Infinity;
  private tcpSignature = '';
  /** our sockets found in /proc/net/{unix,udp,udp6} when they appeared: never TCP */
  private other = new Set<number>();
  /** our sockets in neither TCP table at the last read (and not in `other`) */
  private notInTcp = new Set<number>();
  /** our sockets found listening in the head of the TCP tables when they appeared */
  private listening = new Set<number>();
  /** how many of our sockets the last TCP table read found (any state), per table */
  private tcpSocketsSeen = { tcp: 0, tcp6: 0 };
  /** kept between TCP table reads (it grows to the table size, ~1.5 MB per 10k rows) */
  private tcpBuffer = { buf: Buffer.allocUnsafe(64 * 1024) };
  /** bumped whenever our sockets or what we know about them change (memoizes counts) */
  private version = 0;
  private memo: { version: number; counts: SocketCounts } | null = null;

  /** @param netPid whose /proc/<pid>/net tables to read (the tree's root) */
  constructor(
    private readonly proc: string,
    private readonly netPid: number,
  ) {}

  /**
   * The tree's processes and their fd counts as just read (null: unreadable). Processes
   * not listed left the tree: their sockets stop counting.
   */
  setFdCounts(counts: ReadonlyMap<number, number | null>): void {
    for (const [pid, t] of this.tables) {
      if (counts.has(pid)) continue;
      if (t.sockets.size) this.version++;
      this.tables.delete(pid);
    }
    for (const [pid, count] of counts) {
      if (count === null) continue;
      let t = this.tables.get(pid);
      if (!t) {
        t = { count: -1, current: count, byFd: new Map(), sockets: new Set(), dirty: false, noGuess: false, lastFullAt: -Infinity };
        this.tables.set(pid, t);
      }
      t.current = count;
      if (count === 0 && t.sockets.size > 0) {
        // no fds at all (a process closing everything as it exits): no listing needed to know
        t.byFd.clear();
        t.sockets.clear();
        t.count = 0;
        this.version++;
      }
    }
  }

  /** The pid now belongs to another process: forget what its fds were. */
  forget(pid: number): void {
    const t = this.tables.get(pid);
    if (!t) return;
    this.tables.delete(pid);
    if (t.sockets.size) this.version++;
  }

  /** The last TCP read is older than this many ms (Infinity before the first). */
  tcpAge(now = performance.now()): number {
    return now - this.tcpAt;
  }

  /**
   * Fd counts that grew: readlink just the new fds (the lowest numbers not in the map).
   * Not budgeted: its cost follows the number of new fds, not the size of the table.
   */
  async lookUpNewFds(y: Yielder): Promise<void> {
    const added: number[] = [];
    for (const [pid, t] of this.tables) {
      // A process that just joined the tree (a server's new worker): all its fds are new.
      // Waiting for a budgeted listing would leave its sockets out for seconds.
      if (t.count < 0) t.count = 0;
      if (t.noGuess || t.current <= t.count) continue;
      await this.addLowestFds(pid, t, y, added);
    }
    if (added.length > 0) this.classifyOther(added);
  }

  /** Is a listing of some fd directory due (a count shrank, a guess failed, the periodic rescan)? */
  listingDue(now: number): boolean {
    for (const t of this.tables.values()) {
      if (t.count !== t.current || t.dirty || t.noGuess || now - t.lastFullAt > FULL_FD_RESCAN_MS) return true;
    }
    return false;
  }

  /** Is a TCP table read due? (`lastCostMs`: what the previous read cost, to space out costly ones) */
  tcpDue(now: number, lastCostMs: number): boolean {
    const c = this.counts();
    if (c.provisional > 0) return true;
    if (c.tcp === 0) return c.unknown > 0 && now - this.tcpAt > NON_TCP_RECHECK_MS;
    if (now - this.tcpAt > Math.max(TCP_MAX_AGE_MS, TCP_AGE_COST_FACTOR * lastCostMs)) return true;
    const sig = this.readSignature();
    return sig === '' || sig !== this.tcpSignature;
  }

  /**
   * Classify our sockets against what the last reads said: ESTABLISHED, other TCP, not
   * TCP (unix/UDP), in no table (unknown), or new since the last TCP read (provisional).
   */
  counts(): SocketCounts {
    if (this.memo && this.memo.version === this.version) return this.memo.counts;
    const c: SocketCounts = { established: 0, tcp: 0, unknown: 0, provisional: 0 };
    this.memo = { version: this.version, counts: c };
    for (const ino of this.ours()) {
      if (this.tcp?.all.has(ino)) {
        c.tcp++;
        if (this.tcp.established.has(ino)) c.established++;
      } else if (this.listening.has(ino)) {
        c.tcp++;
      } else if (this.other.has(ino)) {
        // unix or UDP
      } else if (this.notInTcp.has(ino)) {
        c.unknown++;
      } else {
        c.provisional++;
      }
    }
    return c;
  }

  /** Bring fd -> socket-inode maps up to date by listing the fd directories (budgeted). */
  async list(y: Yielder, now: number): Promise<void> {
    const added: number[] = [];
    for (const [pid, t] of this.tables) {
      const full = t.dirty || now - t.lastFullAt > FULL_FD_RESCAN_MS;
      if (!full && t.count === t.current && !t.noGuess) continue;
      const fds = listFds(pid, this.proc);
      if (fds === null) continue;
      await y.maybe();
      const live = new Set<number>();
      for (const fd of fds) {
        live.add(fd);
        if (!full && t.byFd.has(fd)) continue;
        const ino = fdSocketInode(pid, fd, this.proc);
        if (ino === null) {
          live.delete(fd); // closed in between
          continue;
        }
        this.record(t, fd, ino, added);
        if ((fd & 255) === 0) await y.maybe();
      }
      // Closed sockets need no table read: they simply stop counting.
      for (const [fd, ino] of t.byFd) {
        if (live.has(fd)) continue;
        t.byFd.delete(fd);
        if (ino) {
          t.sockets.delete(ino);
          this.version++;
        }
      }
      t.count = t.current = live.size;
      t.dirty = false;
      t.noGuess = false;
      if (full) t.lastFullAt = now;
      await y.maybe();
    }
    if (added.length > 0) this.classifyOther(added);
  }

  /**
   * Read the root's network namespace TCP tables once for the whole tree (budgeted). Both
   * tables when there are sockets not yet classified (or on the slow recheck); otherwise
   * only the table(s) where our sockets were found last time (the v6 scan costs a good
   * part of the v4 one even when it holds nothing).
   */
  async readTcp(y: Yielder, now: number): Promise<void> {
    const signature = this.readSignature();
    const ours = new Set(this.ours());
    const both =
      !this.tcp ||
      this.counts().provisional > 0 ||
      now - this.tcpAt > NON_TCP_RECHECK_MS ||
      this.tcpSocketsSeen.tcp + this.tcpSocketsSeen.tcp6 === 0;
    const table = emptyTcpTable();
    const seen = { tcp: 0, tcp6: 0 };
    for (const name of ['tcp', 'tcp6'] as const) {
      if (!both && this.tcpSocketsSeen[name] === 0) continue;
      const before = table.all.size;
      const bytes = await readLargeProcFile(`${this.proc}/${this.netPid}/net/${name}`, this.tcpBuffer, () => y.maybe());
      if (bytes !== null) parseTcpTable(bytes, table, ours);
      seen[name] = table.all.size - before;
      await y.maybe();
    }
    // A socket of ours that the previous table knew and this one does not was closed:
    // its fd number may have been reused without the fd count moving. Rescan that table.
    const prev = this.tcp;
    if (prev) {
      for (const t of this.tables.values()) {
        if (t.dirty) continue;
        for (const ino of t.sockets) {
          if (prev.all.has(ino) && !table.all.has(ino)) {
            t.dirty = true;
            break;
          }
        }
      }
    }
    this.tcp = table;
    this.tcpAt = performance.now();
    this.tcpSignature = signature;
    this.tcpSocketsSeen = seen;
    // Forget sockets we no longer hold; the rest of ours is either TCP, unix/UDP, or unknown.
    // (The read may have gone on in the background while samples found new sockets: those
    // were not asked about, so they stay as they are, unix/UDP or provisional.)
    const other = new Set<number>();
    const notInTcp = new Set<number>();
    for (const ino of this.ours()) {
      if (this.other.has(ino)) other.add(ino);
      else if (ours.has(ino) && !table.all.has(ino)) notInTcp.add(ino);
    }
    this.other = other;
    this.notInTcp = notInTcp;
    this.version++;
  }

  close(): void {
    this.tables.clear();
    this.tcp = null;
    this.other.clear();
    this.notInTcp.clear();
    this.listening.clear();
    this.tcpBuffer.buf = Buffer.alloc(0);
  }

  /** Our socket inodes, each once (a socket inherited by several processes counts once). */
  private *ours(): Iterable<number> {
    const holders = [...this.tables.values()].filter((t) => t.sockets.size > 0);
    if (holders.length === 1) {
      yield* holders[0]!.sockets;
      return;
    }
    const seen = new Set<number>();
    for (const t of holders) for (const ino of t.sockets) if (!seen.has(ino)) seen.add(ino);
    yield* seen;
  }

  private readSignature(): string {
    const snmp = readProcFile(`${this.proc}/${this.netPid}/net/snmp`);
    return snmp === null ? '' : parseSnmpTcpSignature(snmp);
  }

  private record(t: FdTable, fd: number, ino: number, added: number[]): void {
    const old = t.byFd.get(fd);
    if (old === ino) return;
    if (old || ino) this.version++;
    if (old) t.sockets.delete(old);
    if (ino) {
      t.sockets.add(ino);
      added.push(ino);
    }
    t.byFd.set(fd, ino);
  }

  /**
   * The fd count grew by k: the new fds are (almost always) the k lowest numbers not in the
   * map. Readlink just those, skipping numbers found closed (opened and closed in between);
   * what it places is kept, and if it cannot place them all (too many misses: fds not at
   * the lowest numbers) the table waits for a listing.
   */
  private async addLowestFds(pid: number, t: FdTable, y: Yielder, added: number[]): Promise<void> {
    const k = t.current - t.count;
    let placed = 0;
    let misses = 0;
    for (let fd = 0; placed < k; fd++) {
      if (t.byFd.has(fd)) continue;
      const ino = fdSocketInode(pid, fd, this.proc);
      if (ino === null) {
        if (++misses > MAX_GUESS_MISSES) break;
        continue;
      }
      this.record(t, fd, ino, added);
      placed++;
      if ((placed & 255) === 0) await y.maybe();
    }
    t.count += placed;
    if (placed < k) t.noGuess = true;
  }

  /**
   * Which of these new sockets are unix or UDP sockets (/proc/net/unix, udp, udp6 of the
   * root's namespace: small tables, cheap to read), so that they are never taken for
   * TCP connections nor make the TCP tables worth reading.
   */
  private classifyOther(added: number[]): void {
    const fresh = new Set(added);
    const found = emptyTcpTable();
    const unix = readProcFile(`${this.proc}/${this.netPid}/net/unix`);
    if (unix !== null) for (const ino of parseUnixSocketInodes(unix, fresh)) found.all.add(ino);
    for (const name of ['udp', 'udp6']) {
      const text = readProcFile(`${this.proc}/${this.netPid}/net/${name}`);
      if (text !== null) parseTcpTable(text, found, fresh); // same columns as tcp
    }
    for (const ino of found.all) this.other.add(ino);
    if (found.all.size > 0) this.version++;
    // Listeners: the kernel lists them before any other row of the TCP tables, so the head
    // of each table (16 kB, ~100 rows, however big the table) tells a new listener from a
    // connection.
    const heads: TcpTable = { ...emptyTcpTable(), listening: new Set() };
    for (const name of ['tcp', 'tcp6']) {
      const head = readProcHead(`${this.proc}/${this.netPid}/net/${name}`, 16 * 1024);
      if (head !== null) parseTcpTable(head, heads, fresh);
    }
    for (const ino of heads.listening!) this.listening.add(ino);
    if (heads.listening!.size > 0) this.version++;
    if (this.other.size > 4096 || this.listening.size > 4096) {
      // drop sockets we no longer hold
      const ours = new Set(this.ours());
      for (const ino of this.other) if (!ours.has(ino)) this.other.delete(ino);
      for (const ino of this.listening) if (!ours.has(ino)) this.listening.delete(ino);
    }
  }
}
