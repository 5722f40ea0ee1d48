// The demo server for bench/audience.ts, in a process of its own (so its memory is its own):
// the test fixtures' demos (the flood), the built deck, an audience listener on 127.0.0.2.
// Prints "ports P A" once listening; ends on SIGTERM, its runs' process trees with it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDemoServer } from '../server/http/demo-server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const server = await startDemoServer({
  root,
  host: '127.0.0.1',
  port: 0,
  demosDir: path.join(root, 'tests/fixtures/demos'),
  sampleHz: 4,
  audience: { host: '127.0.0.2', port: 0, maxViewers: 600, viewersPerRemote: 64 },
});
process.stdout.write(`ports ${server.port} ${server.audience!.port} ${server.audience!.url}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
