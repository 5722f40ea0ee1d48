// Caps on sessions, per page and for the whole server, so no page can start processes without bound.
export class SessionLimits {
  private running = 0;

  constructor(
    readonly perConnection = 8,
    readonly total = 32,
  ) {}

  get count(): number {
    return this.running;
  }

  /** Why a new session may not start now, or undefined when it may. */
  refusal(onThisConnection: number): string | undefined {
    if (onThisConnection >= this.perConnection) {
      return `this page already runs ${onThisConnection} sessions, the most one page may run; stop one first`;
    }
    if (this.running >= this.total) {
      return `the demo server already runs ${this.running} sessions, its limit; stop one first`;
    }
    return undefined;
  }

  acquire(): void {
    this.running++;
  }

  release(): void {
    this.running = Math.max(0, this.running - 1);
  }
}
