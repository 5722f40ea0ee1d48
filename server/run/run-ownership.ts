// Who may take a run back: the page that started it holds a secret (128 random bits), and a
// run whose page went away (a dropped socket, a reload) waits a grace period for that page to
// come back with it before it is stopped as on Stop. A run has at most one owner at a time.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { DemoRun } from './demo-run.js';

/** Seconds a run waits for its page after the page's socket went away. */
export const DEFAULT_GRACE_SECONDS = 30;

/** The page that holds a run now; told when another (the same page, reloaded) takes it over. */
export interface RunOwner {
  release(): void;
}

interface Held {
  secret: Buffer;
  owner: RunOwner | undefined;
  grace: NodeJS.Timeout | undefined;
}

export class RunOwnership {
  private readonly held = new Map<DemoRun, Held>();
  private readonly byId = new Map<string, DemoRun>();

  constructor(readonly graceSeconds = DEFAULT_GRACE_SECONDS) {}

  /** The run's first owner (the page that started it); returns the secret to give that page. */
  issue(run: DemoRun, owner: RunOwner): string {
    const secret = randomBytes(16);
    this.held.set(run, { secret, owner, grace: undefined });
    this.byId.set(run.id, run);
    void run.done.then(() => this.forget(run));
    return secret.toString('base64url');
  }

  /**
   * The run `runId` if `secret` is its own and it has not ended: `owner` holds it from now on
   * (a previous owner is released), and its grace period, if one runs, is over.
   */
  claim(runId: string, secret: string, owner: RunOwner): DemoRun | undefined {
    const run = this.byId.get(runId);
    const h = run && this.held.get(run);
    const given = Buffer.from(secret, 'base64url');
    // The same work whether or not the run exists or the lengths match: nothing to time.
    const expected = h?.secret ?? DUMMY;
    const same = given.length === expected.length ? timingSafeEqual(given, expected) : (timingSafeEqual(expected, expected), false);
    if (!run || !h || !same || run.exit) return undefined;
    clearTimeout(h.grace);
    h.grace = undefined;
    const previous = h.owner;
    h.owner = owner;
    if (previous && previous !== owner) previous.release();
    return run;
  }

  /** `owner` went away: the run waits `graceSeconds` for a claim, then is stopped (its process tree ended). */
  abandon(run: DemoRun, owner: RunOwner): void {
    const h = this.held.get(run);
    if (!h || h.owner !== owner) return;
    h.owner = undefined;
    clearTimeout(h.grace);
    h.grace = setTimeout(() => void run.stop('disconnected'), this.graceSeconds * 1000);
    h.grace.unref();
  }

  /** Runs kept for a page that went away, not claimed yet. */
  get waiting(): number {
    let n = 0;
    for (const h of this.held.values()) if (!h.owner && h.grace) n++;
    return n;
  }

  private forget(run: DemoRun): void {
    const h = this.held.get(run);
    if (h) clearTimeout(h.grace);
    this.held.delete(run);
    this.byId.delete(run.id);
  }
}

const DUMMY = randomBytes(16);
