// A large paste into a running demo must reach it whole and in order while the server goes on
// serving everyone else — and a paste no program reads must not hang anything. Before, the
// PTY write spun on EAGAIN inside the main thread: HTTP, other sessions, even SIGTERM froze.
// The servers run in processes of their own, so a server that hangs fails these tests
// instead of hanging them.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { TestClient } from '../helpers/ws-client.js';
import { killGroups, waitGone } from '../helpers/processes.js';
import { ackAsDrawn, numberedLines, paste, pollRoot, summarize } from '../helpers/paste.js';
import { decodeFrame, Op } from '../../shared/wire.js';
import { MAX_QUEUED_INPUT } from '../../server/session/pty-input-writer.js';

let projectServer: ServerProcess;
let fixturesServer: ServerProcess;
const started: number[] = [];
beforeAll(async () => {
  [projectServer, fixturesServer] = await Promise.all([startServerProcess('project'), startServerProcess('fixtures')]);
});
afterAll(async () => {
  await Promise.all([projectServer?.close(), fixturesServer?.close()]);
  killGroups(started);
});
const project = () => projectServer;
const fixtures = () => fixturesServer;

const MB = 1_000_000;

/** Every match of `re` (one capture group) in a session's whole output, however long it gets. */
function watchOutput(c: TestClient, session: number, re: RegExp): string[] {
  const found: string[] = [];
  let tail = '';
  c.ws.on('message', (data: Buffer, isBinary) => {
    if (!isBinary) return;
    const f = decodeFrame(new Uint8Array(data));
    if (f?.op !== Op.output || f.session !== session) return;
    tail += Buffer.from(f.payload).toString('latin1');
    let last = 0;
    for (const m of tail.matchAll(re)) {
      found.push(m[1]!);
      last = m.index + m[0].length;
    }
    tail = tail.slice(Math.max(last, tail.length - 4096));
  });
  return found;
}

describe('a 1 MB paste', () => {
  it('reaches the chat demo line by line, in order, while GET / keeps answering', async () => {
    const c = await TestClient.connect(project().port);
    c.send({ type: 'start', session: 1, demo: 'chat', variant: 'asyncio', params: { bots: 1, interval: 30 }, cols: 120, rows: 30 });
    started.push((await c.message('started', 1)).pid);
    // The bot must be in the room before the paste, or it cannot answer the first lines.
    await c.until(() => /\* alice joined/.test(c.text(1)), 15_000, 'the bot to join the room');
    // The bot answers each of your lines: `got "<line>" from you` shows it went through the room.
    const replies = watchOutput(c, 1, /got "(line \d{6} [a-z]+)" from you/g);
    const stopAcks = ackAsDrawn(c, 1);
    const { text, lines } = numberedLines(MB / 100);
    expect(text.length).toBe(MB);
    const polls = pollRoot(project().port);
    paste(c, 1, Buffer.from(text));
    await c.until(() => replies.length >= lines.length, 25_000, `all ${lines.length} lines echoed by the bot (got ${replies.length})`);
    const answeredDuring = polls.latencies.length;
    await polls.stop();
    stopAcks();
    console.log(`GET / during the 1 MB paste into chat: ${summarize(polls.latencies)}`);
    expect(polls.failures).toEqual([]);
    expect(answeredDuring).toBeGreaterThan(3);
    expect(replies).toEqual(lines);
    expect(c.messages.filter((m) => m.type === 'error')).toEqual([]);
    c.send({ type: 'stop', session: 1 });
    await c.message('exit', 1);
    await c.close();
  });

  it('reaches a program that reads its input byte for byte (line mode and raw mode)', async () => {
    const c = await TestClient.connect(fixtures().port);
    // Line mode: the terminal's line discipline turns each Enter (\r) into \n.
    const { text } = numberedLines(1_048_576 / 100);
    c.send({ type: 'start', session: 1, demo: 'stdin-hash', variant: 'lines', cols: 80, rows: 24 });
    started.push((await c.message('started', 1)).pid);
    await c.until(() => /ready \(lines\)/.test(c.text(1)), 10_000, 'the program to be ready');
    const stopAcks = ackAsDrawn(c, 1); // the terminal echoes every line: the page draws and acknowledges it
    // (watched in the whole output: the echo alone is longer than what the test client keeps)
    const result = watchOutput(c, 1, /(received \d+ bytes in \d+ lines, sha256 [0-9a-f]{64})/g);
    paste(c, 1, Buffer.from(text + 'END\r'));
    const expected = Buffer.from(text.replaceAll('\r', '\n'));
    const hash = createHash('sha256').update(expected).digest('hex');
    expect((await c.message('exit', 1, 60_000)).code).toBe(0);
    stopAcks();
    // (an ack that crossed the exit on the way is answered "no running session": not a refusal)
    expect(c.messages.filter((m) => m.type === 'error' && !/no running session/.test(m.message))).toEqual([]);
    expect(result).toEqual([`received ${expected.length} bytes in ${text.length / 100} lines, sha256 ${hash}`]);

    // Raw mode: every byte value, no line discipline in between.
    let seed = 7;
    const bytes = Buffer.alloc(1_048_576, 0).map(() => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff);
    c.send({ type: 'start', session: 2, demo: 'stdin-hash', variant: 'raw', params: { bytes: bytes.length }, cols: 80, rows: 24 });
    started.push((await c.message('started', 2)).pid);
    await c.until(() => /ready \(raw\)/.test(c.text(2)), 10_000, 'the program in raw mode');
    paste(c, 2, bytes);
    expect((await c.message('exit', 2, 60_000)).code).toBe(0);
    expect(c.text(2)).toContain(`received ${bytes.length} bytes in 0 lines, sha256 ${createHash('sha256').update(bytes).digest('hex')}`);
    await c.close();
  });

  it('into hello, which never reads its input: the demo runs to its end and nothing hangs', async () => {
    const c = await TestClient.connect(project().port);
    const other = await TestClient.connect(project().port);
    c.send({ type: 'start', session: 1, demo: 'hello', variant: 'blocking', params: { count: 3, delay: 0.5 }, cols: 80, rows: 24 });
    const s = await c.message('started', 1);
    started.push(s.pid);
    await c.until(() => /slow server/.test(c.text(1)), 10_000, 'hello to start');
    const polls = pollRoot(project().port);
    const { text, lines } = numberedLines(MB / 100);
    paste(c, 1, Buffer.from(text));
    // Meanwhile another page runs a demo of its own.
    other.send({ type: 'start', session: 1, demo: 'hello', variant: 'selectors', params: { count: 2, delay: 0.1 }, cols: 80, rows: 24 });
    started.push((await other.message('started', 1)).pid);
    expect((await other.message('exit', 1, 15_000)).code).toBe(0);
    const exit = await c.message('exit', 1, 20_000);
    await polls.stop();
    console.log(`GET / during the 1 MB paste into hello: ${summarize(polls.latencies)}`);
    expect(polls.failures).toEqual([]);
    expect(polls.latencies.length).toBeGreaterThan(3);
    expect(exit).toMatchObject({ code: 0, reason: 'exited' });
    expect(c.text(1)).toMatch(/3 requests in/);
    // hello never reads: what it "received" is what its terminal took before its buffer was
    // full — the start of the paste, in order, echoed. The rest is dropped when it exits.
    expect(c.text(1)).toContain(lines[0]);
    expect(c.text(1)).not.toContain(lines.at(-1));
    expect(await waitGone([s.pid])).toEqual([]);
    await c.close();
    await other.close();
  });
});

describe('input no program reads', () => {
  it('beyond the queue is refused with a clear message on the terminal, and Ctrl-C still acts at once', async () => {
    const c = await TestClient.connect(fixtures().port);
    c.send({ type: 'start', session: 1, demo: 'sleeper', params: { seconds: 30 }, cols: 80, rows: 24 });
    started.push((await c.message('started', 1)).pid);
    const line = await c.until(() => /pids (\d+) (\d+) (\d+)/.exec(c.text(1)), 10_000, 'the pids line');
    started.push(...line.slice(1, 4).map(Number));
    const { text } = numberedLines(Math.ceil((MAX_QUEUED_INPUT * 1.5) / 100));
    paste(c, 1, Buffer.from(text));
    await c.until(() => /✗ demo server: input dropped/.test(c.text(1)), 10_000, 'the notice on the terminal');
    expect(c.text(1).split('input dropped').length - 1).toBe(1); // said once, not once a frame
    const err = await c.message('error', 1);
    expect(err.message).toMatch(/input dropped: \d+ bytes already wait for the program .*at most 2 MiB/);
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    // Ctrl-C goes ahead of the backlog (and drops it, as the terminal itself would).
    c.input(1, '\x03');
    const exit = await c.message('exit', 1, 5000);
    expect(exit.reason).toBe('exited');
    expect(c.text(1)).toMatch(/interrupt sent; \d+ bytes of input the program had not read yet were dropped/);
    // The program and its child got the signal (the grandchild left the group: afterAll ends it).
    expect(await waitGone(line.slice(1, 3).map(Number), 3000)).toEqual([]);
    await c.close();
  });
});
