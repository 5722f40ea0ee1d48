// The page's sources by terminal id: a terminal provides its source here, and whatever shows
// that run (the terminal itself, meters, a chat client, a figure) follows the id rather than
// another widget. A follower may come before the source does, and a source may be replaced
// under its followers (a fail-over to the recording, a re-attached run): each follower is
// unbound from the old source and bound to the new one.
import type { DemoSource } from './demo-source.js';

/** Starts following a source; returns what stops it. */
export type Bind = (source: DemoSource) => () => void;

interface Entry {
  source: DemoSource | undefined;
  followers: Map<Bind, (() => void) | undefined>;
}

export class SourceRegistry {
  private readonly entries = new Map<string, Entry>();

  private entry(id: string): Entry {
    let e = this.entries.get(id);
    if (!e) this.entries.set(id, (e = { source: undefined, followers: new Map() }));
    return e;
  }

  get(id: string): DemoSource | undefined {
    return this.entries.get(id)?.source;
  }

  /** Makes `source` the one behind `id`; a source it replaces is unbound from every follower and disposed. */
  provide(id: string, source: DemoSource): void {
    const e = this.entry(id);
    const old = e.source;
    if (old === source) return;
    this.unbindAll(e);
    e.source = source;
    old?.dispose();
    for (const bind of e.followers.keys()) e.followers.set(bind, bind(source));
  }

  /** Calls `bind` with the source behind `id`: now if there is one, else when one is provided, and again for each replacement. */
  follow(id: string, bind: Bind): () => void {
    const e = this.entry(id);
    e.followers.set(bind, e.source ? bind(e.source) : undefined);
    return () => {
      e.followers.get(bind)?.();
      e.followers.delete(bind);
      this.forget(id, e);
    };
  }

  /** The source behind `id` is gone (its terminal was destroyed): followers are unbound, the source disposed. */
  remove(id: string): void {
    const e = this.entries.get(id);
    if (!e?.source) return;
    this.unbindAll(e);
    const old = e.source;
    e.source = undefined;
    old.dispose();
    this.forget(id, e);
  }

  private unbindAll(e: Entry): void {
    for (const [bind, unbind] of e.followers) {
      unbind?.();
      e.followers.set(bind, undefined);
    }
  }

  private forget(id: string, e: Entry): void {
    if (!e.source && e.followers.size === 0) this.entries.delete(id);
  }
}

/** The page's one registry. */
export const pageSources = new SourceRegistry();
