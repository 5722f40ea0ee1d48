// A demo server in a process of its own: for tests that measure the server's memory apart from
// the test's, or that must fail (not hang) if the server's main thread stops. Run with the
// demos to serve ("project" or "fixtures"); prints "port N" once it listens; SIGTERM closes it.
import { join } from 'node:path';
import { startDemoServer } from '../../server/http/demo-server.js';
import { ROOT, FIXTURE_DEMOS } from './server.js';

const demosDir = process.argv[2] === 'project' ? join(ROOT, 'demos') : FIXTURE_DEMOS;
const server = await startDemoServer({ root: ROOT, port: 0, host: '127.0.0.1', demosDir, sampleHz: 0 });
process.stdout.write(`port ${server.port}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
