// What the deck's demo slides will ask of this machine, read from the slides' markup and the
// manifests (a terminal's data-params over its demo's defaults): the most connections one
// terminal opens, and the most threads one process starts for them.
//
// By the demos' own conventions: a `connections` parameter is that many sockets in each of
// the demo's processes (the server holds them, the load generator holds the other ends),
// and a variant whose argv passes {maxThreads} starts a thread per connection, up to it.
import type { Registry } from '../registry/registry.js';
import { resolveParams } from '../registry/params.js';
import { slideTerminals } from '../recording/slide-demos.js';

/** Open files a demo process needs besides its sockets: stdio, the listener, its selector, Python's own. */
export const FD_HEADROOM = 100;
/** Threads besides those per connection: the main thread, helpers, the meters' margin. */
export const THREAD_HEADROOM = 20;

export interface Need {
  /** Connections (or threads) the largest terminal asks for. */
  count: number;
  /** The terminals that ask for it: "04-c10k.html #c10k-threads". */
  where: string[];
}

export interface SlideNeeds {
  connections: Need | undefined;
  threads: Need | undefined;
}

function bigger(need: Need | undefined, count: number, where: string): Need {
  if (!need || count > need.count) return { count, where: [where] };
  if (count === need.count) need.where.push(where);
  return need;
}

export function slideNeeds(registry: Registry, chaptersDir: string): SlideNeeds {
  let connections: Need | undefined;
  let threads: Need | undefined;
  for (const t of slideTerminals(chaptersDir)) {
    const demo = registry.get(t.demo);
    const variant = demo?.manifest.variants[t.variant ?? demo.manifest.defaultVariant ?? Object.keys(demo.manifest.variants)[0]!];
    if (!demo || !variant) continue; // the recordings check names such a terminal
    const params = resolveParams(demo.manifest, t.params);
    if (!params.ok) continue;
    const n = params.values.connections;
    if (typeof n !== 'number') continue;
    const where = `${t.file}${t.id ? ` #${t.id}` : ''}`;
    connections = bigger(connections, n, where);
    const cap = params.values.maxThreads;
    if (variant.argv.includes('{maxThreads}') && typeof cap === 'number') threads = bigger(threads, Math.min(n, cap), where);
  }
  return { connections, threads };
}
