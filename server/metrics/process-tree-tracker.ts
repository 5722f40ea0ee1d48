/**
 * Which processes make up the tree under a root pid, found cheaply enough to ask 4 times
 * a second: a full /proc scan on a cadence that stretches with its cost (listing /proc
 * walks every task on the machine: ~1-2 ms with 10k threads alive), and in between the
 * known members whose parent is still in the tree.
 *
 * Known limits: processes belong to the tree by parent pid, so a grandchild whose parent
 * died (reparented to init) leaves the tree; non-members' parent pids are cached for
 * 10 s, so a pid reused within that time by a new child of the tree joins late.
 */
import { Cadence, type Yielder } from './cost-budget.js';
import { listPids, readStatus, type ProcStatus } from './procfs.js';

const PARENT_CACHE_MS = 10_000;
const MAX_PARENT_REFRESHES = 16;

interface CachedParent {
  ppid: number;
  at: number;
}

export class ProcessTreeTracker {
  private readonly cadence: Cadence;
  private parents = new Map<number, CachedParent>();
  /** members after the last sample, parents before children */
  private known: number[] = [];
  scans = 0;

  constructor(
    private readonly proc: string,
    private readonly root: number,
    cadenceFactor: number,
  ) {
    this.cadence = new Cadence(cadenceFactor);
  }

  /**
   * The tree now, root first and parents before children. Fills `statuses` for the
   * processes whose status it read on the way (the root's must already be there).
   */
  async tree(now: number, y: Yielder, statuses: Map<number, ProcStatus>): Promise<number[]> {
    return this.cadence.due(now) ? this.scan(now, y, statuses) : this.knownTree(statuses);
  }

  /** The members the sampler kept (alive, not zombies), for the next samples between scans. */
  keep(members: Iterable<number>): void {
    this.known = [...members];
  }

  close(): void {
    this.parents.clear();
    this.known = [];
  }

  /**
   * Scan /proc: the parent of every process (read from status; cached for non-members,
   * which cannot become members except by pid reuse), then a walk down from the root.
   */
  private async scan(now: number, y: Yielder, statuses: Map<number, ProcStatus>): Promise<number[]> {
    // The cadence follows the cost of the listing itself (it grows with every task on
    // the machine); reading the parents of new processes is a one-off, not charged.
    const cost = y.meter();
    const pids = listPids(this.proc);
    this.cadence.done(now, cost());
    const members = new Set(this.known);
    let refreshes = 0;
    const present = new Set<number>();
    const children = new Map<number, number[]>();
    for (const pid of pids) {
      present.add(pid);
      if (pid === this.root) continue;
      let ppid: number;
      const cached = this.parents.get(pid);
      // Cached parents of non-members expire, to catch pid reuse; a few re-reads per scan.
      if (cached && !members.has(pid) && (now - cached.at < PARENT_CACHE_MS || refreshes >= MAX_PARENT_REFRESHES)) {
        ppid = cached.ppid;
      } else {
        if (cached && !members.has(pid)) refreshes++;
        const st = readStatus(pid, this.proc);
        if (!st) continue;
        statuses.set(pid, st);
        ppid = st.ppid;
        this.parents.set(pid, { ppid, at: now });
        await y.maybe();
      }
      let list = children.get(ppid);
      if (!list) children.set(ppid, (list = []));
      list.push(pid);
    }
    for (const pid of this.parents.keys()) if (!present.has(pid)) this.parents.delete(pid);

    const tree: number[] = [this.root];
    for (let i = 0; i < tree.length; i++) {
      const kids = children.get(tree[i]!);
      if (kids) for (const k of kids) tree.push(k);
    }
    this.scans++;
    return tree;
  }

  /** Between scans: the known members whose parent is still in the tree. */
  private knownTree(statuses: Map<number, ProcStatus>): number[] {
    const tree: number[] = [this.root];
    const inTree = new Set<number>([this.root]);
    for (const pid of this.known) {
      if (pid === this.root) continue;
      const st = statuses.get(pid) ?? readStatus(pid, this.proc);
      if (!st || !inTree.has(st.ppid)) continue;
      statuses.set(pid, st);
      tree.push(pid);
      inTree.add(pid);
    }
    return tree;
  }
}
