// A live source tells the wire's messages for one run as run events: no session ids, no
// pids, a provenance instead. The socket here is a stand-in that delivers what the test says
// the server sent (the browser tests run the real server; this covers what it does not
// send yet, step markers, and the orderings that are hard to provoke there).
import { describe, it, expect } from 'vitest';
import { LiveSource } from '../../slides/runtime/sources/live-source.js';
import type { RunHandler, RunSocket } from '../../slides/runtime/sources/demo-socket.js';
import type { ClientMessage, ServerMessage, WelcomeMessage } from '../../shared/wire.js';
import type { RunEvents } from '../../slides/runtime/sources/run-events.js';

class StandInSocket implements RunSocket {
  readonly sent: ClientMessage[] = [];
  readonly handlers = new Map<number, RunHandler>();
  private next = 1;
  openRun(handler: RunHandler): number {
    this.handlers.set(this.next, handler);
    return this.next++;
  }
  closeRun(id: number): void {
    this.handlers.delete(id);
  }
  send(msg: ClientMessage): void {
    this.sent.push(msg);
  }
  input(): void {}
  readonly state = 'open' as const;
  private readonly welcomeListeners = new Set<(w: WelcomeMessage) => void>();
  private readonly welcome: WelcomeMessage = { type: 'welcome', protocol: 'x', demos: [], limits: { sessionsPerPage: 8, maxPayload: 65536 } };
  welcomed(): Promise<WelcomeMessage> {
    return Promise.resolve(this.welcome);
  }
  reachable(): Promise<WelcomeMessage | undefined> {
    return Promise.resolve(this.welcome);
  }
  onWelcome(listener: (w: WelcomeMessage) => void): () => void {
    this.welcomeListeners.add(listener);
    return () => this.welcomeListeners.delete(listener);
  }
  /** The socket closed under every run, then the server welcomed the page again. */
  drop(): void {
    const hs = [...this.handlers.values()];
    this.handlers.clear();
    for (const h of hs) h.lost('the page lost the demo server');
  }
  back(): void {
    for (const l of this.welcomeListeners) l(this.welcome);
  }
  /** What the server says about run `id`. */
  say(id: number, msg: ServerMessage): void {
    this.handlers.get(id)?.message(msg);
  }
}

const HELD = { runId: '00000000-0000-4000-8000-000000000000', secret: 'c2VjcmV0c2VjcmV0c2VjcmV0', graceSeconds: 30 };
const sample = { t: 1, pid: 42, processes: 1, rssBytes: 10, threads: 1, fds: 3, cpuPercent: 0, connections: 0, kernelBytesDelta: 0 };

function listen(source: LiveSource) {
  const events: [keyof RunEvents, unknown][] = [];
  for (const e of ['run', 'output', 'metrics', 'marker', 'exit', 'error', 'reset', 'suspended'] as const) source.on(e, (v) => events.push([e, v]));
  return events;
}

describe('a live source', () => {
  it('tells a run as domain events: started → run (live, its size), metrics → a reading, marker, exit', () => {
    const socket = new StandInSocket();
    const source = new LiveSource({ demo: 'hello', variant: 'blocking' }, socket);
    const events = listen(source);
    source.start({ cols: 100, rows: 30 });
    expect(socket.sent).toEqual([{ type: 'start', session: 1, demo: 'hello', variant: 'blocking', cols: 100, rows: 30 }]);
    socket.say(1, { type: 'started', session: 1, demo: 'hello', variant: 'blocking', pid: 4242, argv: ['python3', 'x.py'], params: { count: 3 }, timeLimitSeconds: 60, ...HELD });
    socket.say(1, { type: 'metrics', session: 1, sample, perConnectionBytes: null, kernelBytesSinceBaseline: 5, underTest: { pid: 4242, match: null } });
    socket.say(1, { type: 'marker', session: 1, label: 'first request sent' });
    socket.say(1, { type: 'exit', session: 1, code: 0, signal: null, reason: 'exited' });
    expect(events.map(([e]) => e)).toEqual(['reset', 'run', 'metrics', 'marker', 'exit']);
    expect(events[1]![1]).toEqual({ demo: 'hello', variant: 'blocking', params: { count: 3 }, size: { cols: 100, rows: 30 }, provenance: { kind: 'live', joined: 'started' }, timeLimitSeconds: 60 });
    expect(events[2]![1]).toEqual({ sample, perConnectionBytes: null, kernelBytesSinceBaseline: 5 });
    expect(events[3]![1]).toMatchObject({ label: 'first request sent' });
    expect((events[3]![1] as { at: number }).at).toBeGreaterThanOrEqual(0);
    expect(events[4]![1]).toEqual({ code: 0, signal: null, reason: 'exited' });
    // The run so far, for a widget that follows it late.
    expect(source.current).toMatchObject({ run: { demo: 'hello' }, readings: [{ sample }], markers: [{ label: 'first request sent' }], ended: { reason: 'exited' } });
    // Its run is over: the socket forgets it, and nothing more is sent for it.
    expect(socket.handlers.size).toBe(0);
    source.input('late');
    source.ack(10);
    expect(socket.sent).toHaveLength(1);
  });

  it('ends a run that the server refuses, but not one it only complains about while it runs', () => {
    const socket = new StandInSocket();
    const source = new LiveSource({ demo: 'hello' }, socket);
    const events = listen(source);
    source.start({ cols: 80, rows: 24 });
    socket.say(1, { type: 'error', session: 1, message: 'no such demo' });
    expect(events.map(([e]) => e)).toEqual(['reset', 'error']);
    source.start({ cols: 80, rows: 24 });
    socket.say(2, { type: 'started', session: 2, demo: 'hello', variant: 'blocking', pid: 1, argv: [], params: {}, timeLimitSeconds: 60, ...HELD });
    const warn = console.warn;
    console.warn = () => {};
    socket.say(2, { type: 'error', session: 2, message: 'resize refused' });
    console.warn = warn;
    expect(events.map(([e]) => e)).toEqual(['reset', 'error', 'reset', 'run']);
  });

  it('drops what the run before a restart says after it', () => {
    const socket = new StandInSocket();
    const source = new LiveSource({ demo: 'hello' }, socket);
    const events = listen(source);
    source.start({ cols: 80, rows: 24 });
    socket.say(1, { type: 'started', session: 1, demo: 'hello', variant: 'blocking', pid: 1, argv: [], params: {}, timeLimitSeconds: 60, ...HELD });
    source.start({ cols: 80, rows: 24 }); // Restart: the old run is asked to stop
    expect(socket.sent.map((m) => m.type)).toEqual(['start', 'stop', 'start']);
    socket.handlers.get(1)?.output(new Uint8Array([65]));
    socket.say(1, { type: 'metrics', session: 1, sample, perConnectionBytes: null, kernelBytesSinceBaseline: 0, underTest: { pid: 1, match: null } });
    socket.say(1, { type: 'exit', session: 1, code: null, signal: 'SIGTERM', reason: 'stopped' });
    expect(events.map(([e]) => e)).toEqual(['reset', 'run', 'reset']);
    expect(socket.handlers.has(1)).toBe(false);
  });

  it('says the server went away when the socket closes under its run', () => {
    const socket = new StandInSocket();
    const source = new LiveSource({ demo: 'hello' }, socket);
    const events = listen(source);
    source.start({ cols: 80, rows: 24 });
    socket.handlers.get(1)!.lost('the page lost the demo server (is `npm start` still running?)');
    expect(events.at(-1)).toEqual(['error', 'the page lost the demo server (is `npm start` still running?)']);
    expect(source.current).toBeUndefined(); // it never began
  });

  it('keeps a run that is on when the socket drops, and takes it back once the server welcomes the page again', () => {
    const socket = new StandInSocket();
    const source = new LiveSource({ demo: 'hello', variant: 'blocking' }, socket);
    const events = listen(source);
    source.start({ cols: 80, rows: 24 });
    socket.say(1, { type: 'started', session: 1, demo: 'hello', variant: 'blocking', pid: 1, argv: [], params: {}, timeLimitSeconds: 60, ...HELD });
    socket.drop();
    expect(events.at(-1)).toEqual(['suspended', 'reconnecting…']);
    source.stop(); // pressed while away: sent once the run is back
    socket.back();
    expect(socket.sent.at(-1)).toEqual({ type: 'attach', session: 2, runId: HELD.runId, secret: HELD.secret, cols: 80, rows: 24 });
    const screen = '\x1bcready\r\n';
    socket.say(2, {
      type: 'attached',
      session: 2,
      readOnly: false,
      snapshot: { runId: HELD.runId, demo: 'hello', variant: 'blocking', params: {}, pid: 1, timeLimitSeconds: 60, startedAt: Date.now() - 5000, screen: { data: screen, cols: 80, rows: 24 }, readings: [{ sample, perConnectionBytes: null, kernelBytesSinceBaseline: 0 }, { sample, perConnectionBytes: null, kernelBytesSinceBaseline: 1 }], markers: [{ label: 'step', at: 1500 }] },
    });
    const kinds = events.map(([e]) => e);
    expect(kinds.slice(kinds.indexOf('suspended') + 1)).toEqual(['reset', 'run', 'metrics', 'metrics', 'marker', 'output']);
    expect((events.at(-1)![1] as Uint8Array).byteLength).toBe(new TextEncoder().encode(screen).byteLength);
    expect(source.provenance).toEqual({ kind: 'live', joined: 'reattached' });
    expect(source.current?.readings).toHaveLength(2);
    expect(socket.sent.at(-1)).toEqual({ type: 'stop', session: 2 });
  });

  it('says a run it could not take back was lost', () => {
    const socket = new StandInSocket();
    const source = new LiveSource({ demo: 'hello' }, socket);
    const events = listen(source);
    source.start({ cols: 80, rows: 24 });
    socket.say(1, { type: 'started', session: 1, demo: 'hello', variant: 'blocking', pid: 1, argv: [], params: {}, timeLimitSeconds: 60, ...HELD });
    socket.drop();
    socket.back();
    const warn = console.warn;
    console.warn = () => {};
    socket.say(2, { type: 'error', session: 2, message: 'that demo run is gone' });
    console.warn = warn;
    expect(events.at(-1)![0]).toBe('error');
    expect(events.at(-1)![1]).toMatch(/^The demo that was running was lost: the demo server no longer has it/);
    socket.back(); // nothing more to take back
    expect(socket.sent.filter((m) => m.type === 'attach')).toHaveLength(1);
  });
});
