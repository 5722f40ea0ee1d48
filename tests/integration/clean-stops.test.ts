// Every variant of every demo, started as the deck starts it and stopped mid-run: all of
// its processes are gone within a second of Stop.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
import { startTestServer, ROOT } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { waitGone, killAll } from '../helpers/processes.js';
import { descendants } from '../../server/session/process-tree.js';
import { loadRegistry } from '../../server/registry/registry.js';
import type { DemoServer } from '../../server/http/demo-server.js';

const registry = loadRegistry(join(ROOT, 'demos'));
const cases = [...registry.values()].flatMap((d) => Object.keys(d.manifest.variants).map((v) => [d.manifest.id, v] as const));

let server: DemoServer;
let client: TestClient;
const started: number[] = [];
let session = 0;

beforeAll(async () => {
  server = await startTestServer({ sampleHz: 0 });
  client = await TestClient.connect(server.port);
});
afterAll(async () => {
  await client?.close();
  await server?.close();
  killAll(started);
});

describe('clean stops', () => {
  it.each(cases)('%s · %s: every process is gone within a second of Stop', async (demo, variant) => {
    const id = ++session;
    client.send({ type: 'start', session: id, demo, variant, cols: 80, rows: 24 });
    const s = await client.message('started', id, 15_000);
    // Let it get going: its first output, then a moment for servers and load to start.
    await client.until(() => client.text(id).length > 0 || client.messages.some((m) => m.type === 'exit' && m.session === id), 15_000, 'first output');
    await new Promise((r) => setTimeout(r, 1000));
    const tree = [s.pid, ...descendants(s.pid)];
    started.push(...tree);
    const t0 = Date.now();
    client.send({ type: 'stop', session: id });
    await client.message('exit', id, 5000);
    const left = await waitGone(tree, 1000);
    expect(left, `still running ${Date.now() - t0} ms after Stop`).toEqual([]);
  });
});
