// The last line of defence: an error thrown while handling a request or a message is a bug,
// but it must not end the server. It is logged once with what caused it; the same error
// again (same message, same place) is only counted, so a client cannot flood the log.
export type LogLine = (line: string) => void;

export class IncidentLog {
  private readonly seen = new Map<string, number>();
  private static readonly MAX_KINDS = 100;

  constructor(private readonly log: LogLine = (line) => console.error(line)) {}

  /** Records an error raised while handling `cause` (a short description of the input). */
  record(err: unknown, cause: string): void {
    const e = err instanceof Error ? err : new Error(String(err));
    const where = (e.stack ?? '').split('\n').find((l) => l.trim().startsWith('at ')) ?? '';
    const key = `${e.name}: ${e.message} ${where}`;
    const count = (this.seen.get(key) ?? 0) + 1;
    if (this.seen.size < IncidentLog.MAX_KINDS || this.seen.has(key)) this.seen.set(key, count);
    if (count === 1) {
      this.log(`demo server: internal error while handling ${cause}; the server goes on.\n${e.stack ?? key}`);
    } else if (count === 10 || count === 100 || count === 1000) {
      this.log(`demo server: the same internal error again (${count} times so far): ${e.name}: ${e.message}`);
    }
  }

  /** How many times errors were recorded, all kinds together. */
  get total(): number {
    let n = 0;
    for (const c of this.seen.values()) n += c;
    return n;
  }
}
