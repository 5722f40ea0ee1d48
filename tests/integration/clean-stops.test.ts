// Every variant of every demo, started as the deck starts it and stopped mid-run: by the time
// the server reports the exit, all of its processes are gone. (How fast that is, is timing:
// the server ends a tree with SIGTERM, then SIGKILL after 0.3 s.)
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
import { startTestServer, ROOT } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { isRunning, killAll } from '../helpers/processes.js';
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
  it.each(cases)('%s · %s: when Stop reports the exit, every process is gone', async (demo, variant) => {
    const id = ++session;
    const steps = registry.get(demo)!.manifest.steps.length;
    client.send({ type: 'start', session: id, demo, variant, cols: 80, rows: 24 });
    const s = await client.message('started', id, 15_000);
    // Let it get going: its first step (servers and load have started), or for a demo with no
    // steps its first output; or its end, if it gets there first.
    const exited = () => client.messages.some((m) => m.type === 'exit' && m.session === id);
    const going = () => (steps ? client.messages.some((m) => m.type === 'marker' && m.session === id) : client.text(id).length > 0);
    await client.until(() => going() || exited(), 30_000, 'its first step');
    const tree = [s.pid, ...descendants(s.pid)];
    started.push(...tree);
    // The exit is reported once the tree is gone: checked the moment it arrives.
    let runningAtExit: number[] | undefined;
    const onExit = (data: Buffer, isBinary: boolean) => {
      if (isBinary) return;
      const m = JSON.parse(data.toString()) as { type: string; session?: number };
      if (m.type === 'exit' && m.session === id) runningAtExit = tree.filter(isRunning);
    };
    client.ws.on('message', onExit);
    try {
      if (!exited()) client.send({ type: 'stop', session: id });
      await client.message('exit', id, 15_000);
    } finally {
      client.ws.off('message', onExit);
    }
    expect(runningAtExit ?? tree.filter(isRunning)).toEqual([]);
  });
});
