// Caps on open demo WebSockets, per remote address and in total, so idle sockets cannot use
// up the file descriptors the demos need (C10K alone wants thousands).
export const WS_PER_REMOTE = 16;
export const WS_TOTAL = 64;

export type Admission = { ok: true; release: () => void } | { ok: false; reason: string };

export class WebSocketAdmission {
  private readonly perRemote = new Map<string, number>();
  private total = 0;

  constructor(
    readonly maxPerRemote = WS_PER_REMOTE,
    readonly maxTotal = WS_TOTAL,
  ) {}

  get open(): number {
    return this.total;
  }

  /** Takes a place for a socket from `remote`; `release` gives it back (once). */
  admit(remote: string): Admission {
    const mine = this.perRemote.get(remote) ?? 0;
    if (mine >= this.maxPerRemote) {
      return { ok: false, reason: `too many demo WebSockets from ${remote} (${mine} open, at most ${this.maxPerRemote}): close other tabs of the deck` };
    }
    if (this.total >= this.maxTotal) {
      return { ok: false, reason: `the demo server has ${this.total} demo WebSockets open, its limit: close other tabs of the deck` };
    }
    this.perRemote.set(remote, mine + 1);
    this.total++;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.total--;
        const left = (this.perRemote.get(remote) ?? 1) - 1;
        if (left > 0) this.perRemote.set(remote, left);
        else this.perRemote.delete(remote);
      },
    };
  }
}
