// Runs one demo through the real demo server, as the deck does: start, watch, stop, check.
import { expect } from 'vitest';
import type { MetricsMessage, ParamValue, StartedMessage } from '../../shared/wire.js';
import { startTestServer } from './server.js';
import { TestClient } from './ws-client.js';
import { waitGone } from './processes.js';

export interface DemoStart {
  demo: string;
  variant: string;
  params: Record<string, ParamValue>;
}

/**
 * Starts a demo server, connects a client and starts `start` in session 1 (its pid goes to
 * `started` at once, for afterAll), then runs `body`; closes the client after it, and the
 * server whatever happens.
 */
export async function inDemoSession(
  start: DemoStart,
  started: number[],
  body: (c: TestClient, s: StartedMessage) => Promise<void>,
): Promise<void> {
  const server = await startTestServer();
  try {
    const c = await TestClient.connect(server.port);
    c.send({ type: 'start', session: 1, ...start, cols: 80, rows: 24 });
    const s = await c.message('started', 1);
    started.push(s.pid);
    await body(c, s);
    await c.close();
  } finally {
    await server.close();
  }
}

/**
 * The first metrics of session 1 that meter a process other than the launcher (the server
 * under test, once the session meter has found it), and that `also` accepts.
 */
export function serverUnderTestMetrics(
  c: TestClient,
  launcher: number,
  what: string,
  also: (m: MetricsMessage) => boolean = () => true,
): Promise<MetricsMessage> {
  return c.until(
    () => c.messages.find((x): x is MetricsMessage => x.type === 'metrics' && x.session === 1 && x.underTest.pid !== launcher && also(x)),
    10_000,
    what,
  );
}

/** Stops session 1: it must end as stopped, `pids` gone within a second, and no traceback printed. */
export async function stopAndExpectGone(c: TestClient, pids: number[]): Promise<void> {
  c.send({ type: 'stop', session: 1 });
  expect((await c.message('exit', 1)).reason).toBe('stopped');
  expect(await waitGone(pids, 1000)).toEqual([]);
  expect(c.text(1)).not.toMatch(/Traceback/);
}
