// Starts the real demo server on a free loopback port for a test, and stops it after.
import { resolve } from 'node:path';
import { beforeAll, afterAll } from 'vitest';
import { killGroups } from './processes.js';
import { startDemoServer, type DemoServer, type DemoServerOptions } from '../../server/http/demo-server.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const FIXTURE_DEMOS = resolve(ROOT, 'tests/fixtures/demos');

export function startTestServer(opts: Partial<DemoServerOptions> = {}): Promise<DemoServer> {
  return startDemoServer({ root: ROOT, port: 0, host: '127.0.0.1', mode: 'prod', ...opts });
}

/**
 * For a whole test file: a server with the project's demos and one with the test fixtures,
 * started before its tests and closed after them, when the pids in `started` (and their
 * process groups) are ended too.
 */
export function serversForFile(): { project: () => DemoServer; fixtures: () => DemoServer; started: number[] } {
  let project: DemoServer | undefined;
  let fixtures: DemoServer | undefined;
  const started: number[] = [];
  beforeAll(async () => {
    project = await startTestServer();
    fixtures = await startTestServer({ demosDir: FIXTURE_DEMOS });
  });
  afterAll(async () => {
    await project?.close();
    await fixtures?.close();
    killGroups(started);
  });
  return { project: () => project!, fixtures: () => fixtures!, started };
}
