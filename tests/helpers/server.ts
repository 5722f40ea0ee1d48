// Starts the real demo server on a free loopback port for a test, and stops it after.
import { resolve } from 'node:path';
import { startDemoServer, type DemoServer, type DemoServerOptions } from '../../server/http/demo-server.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const FIXTURE_DEMOS = resolve(ROOT, 'tests/fixtures/demos');

export function startTestServer(opts: Partial<DemoServerOptions> = {}): Promise<DemoServer> {
  return startDemoServer({ root: ROOT, port: 0, host: '127.0.0.1', mode: 'prod', ...opts });
}
