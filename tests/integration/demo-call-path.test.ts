// Demo "call-path" ("How is this called?"): the real samples, run directly and through the
// demo server. Point: the stack printed inside the chat server's on-message handler runs,
// in order, through the event loop's _run_once (where select() returned), a ready Handle,
// the transport's _read_ready, the protocol's data_received and the application's handler.
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/server.js';
import { killGroups, waitGone } from '../helpers/processes.js';
import { runPythonSample, type SampleRun } from '../helpers/python-sample.js';
import { inDemoSession } from '../helpers/demo-session.js';

const DIR = resolve(ROOT, 'demos/call-path');
const started: number[] = [];

function run(args: string[]): Promise<SampleRun> {
  return runPythonSample(DIR, ['run.py', ...args], { timeoutMs: 20_000, started });
}

/** The rows of the labelled stack printed after `heading`, up to the next "[t]" line. */
function stackAfter(out: string, heading: RegExp): string[] {
  const lines = out.split('\n');
  const at = lines.findIndex((l) => heading.test(l));
  expect(at, `no "${heading.source}" in:\n${out}`).toBeGreaterThanOrEqual(0);
  const rows: string[] = [];
  for (const l of lines.slice(at + 1)) {
    if (/^\[\d/.test(l) || /^Conclusion/.test(l)) break;
    rows.push(l);
  }
  return rows;
}

/** Index of the first row matching each pattern; all must be found, in increasing order. */
function expectInOrder(rows: string[], patterns: RegExp[]): number[] {
  const at = patterns.map((p) => rows.findIndex((r) => p.test(r)));
  patterns.forEach((p, i) => expect(at[i], `no row matching ${p.source} in:\n${rows.join('\n')}`).toBeGreaterThanOrEqual(0));
  for (let i = 1; i < at.length; i++) expect(at[i]!, rows.join('\n')).toBeGreaterThan(at[i - 1]!);
  return at;
}

describe('demo call-path: how is on_message called?', () => {
  afterAll(() => killGroups(started));

  let protocol: SampleRun, full: SampleRun, streams: SampleRun;
  beforeAll(async () => {
    [protocol, full, streams] = await Promise.all([
      run(['protocol']),
      run(['protocol', '--full', 'true']),
      run(['streams']),
    ]);
    console.log(protocol.out);
  }, 30_000);

  it('protocol: the stack goes event loop -> transport -> protocol -> application', () => {
    expect(protocol.code, protocol.out).toBe(0);
    expect(protocol.out).not.toMatch(/Traceback|Error/);
    const rows = stackAfter(protocol.out, /server: got "hello, everyone"\. How was on_message called\?/);
    expectInOrder(rows, [
      /^\s+event loop\s+base_events\.run_forever/,
      /^\s+selector\s+\w*Selector\.select\(\) ran in _run_once/,
      /^\s+event loop\s+base_events\._run_once/,
      /^\s+event loop\s+events\.Handle\._run/,
      /^\s+transport\s+selector_events\._read_ready/,
      /^\s+protocol\s+chat_protocol\.data_received/,
      /^\s+application\s+chat_protocol\.on_message/,
    ]);
    // The message went on to the other client, and the run ends with the path in one line.
    expect(protocol.out).toMatch(/alice: got "hello, everyone" from the server/);
    expect(protocol.out.trim().split('\n').pop()).toBe(
      'Conclusion: select() -> event loop -> transport -> protocol -> on_message.',
    );
  });

  it('protocol --full: the untrimmed traceback.print_stack() shows the same frames in the same order', () => {
    expect(full.code, full.out).toBe(0);
    const lines = full.out.split('\n').filter((l) => /^\s+File ".*", line \d+, in /.test(l));
    expectInOrder(lines, [
      /base_events\.py", line \d+, in run_forever$/,
      /base_events\.py", line \d+, in _run_once$/,
      /events\.py", line \d+, in _run$/,
      /selector_events\.py", line \d+, in _read_ready$/,
      /chat_protocol\.py", line \d+, in data_received$/,
      /chat_protocol\.py", line \d+, in on_message$/,
    ]);
  });

  it('streams: the bytes come up through the transport; the coroutine resumes on a later, shorter stack', () => {
    expect(streams.code, streams.out).toBe(0);
    expect(streams.out).not.toMatch(/Traceback|Error/);
    const fed = stackAfter(streams.out, /bytes arrived\. How was feed_data called\?/);
    expectInOrder(fed, [
      /^\s+event loop\s+base_events\._run_once/,
      /^\s+transport\s+selector_events\._read_ready/,
      /^\s+protocol\s+streams\.data_received/,
      /^\s+stream\s+chat_streams\.feed_data/,
    ]);
    const resumed = stackAfter(streams.out, /How was handle_client resumed\?/);
    expectInOrder(resumed, [
      /^\s+event loop\s+base_events\._run_once/,
      /^\s+event loop\s+events\.Handle\._run/,
      /^\s+application\s+chat_streams\.handle_client/,
    ]);
    expect(resumed.join('\n')).not.toMatch(/transport|data_received/);
    expect(streams.out).toMatch(/alice: got "hello, everyone" from the server/);
    expect(streams.out).toMatch(/^Conclusion: transport -> protocol -> stream; a turn later: task -> coroutine\.$/m);
  });

  it('runs through the demo server to its conclusion, and everything ends', async () => {
    await inDemoSession({ demo: 'call-path', variant: 'protocol', params: {} }, started, async (c, s) => {
      const exit = await c.message('exit', 1, 20_000);
      expect(exit.reason).toBe('exited');
      const text = c.text(1);
      expect(text).toMatch(/application\s+chat_protocol\.on_message/);
      expect(text).toMatch(/Conclusion: select\(\) -> event loop -> transport -> protocol -> on_message\./);
      expect(text).not.toMatch(/Traceback/);
      expect(await waitGone([s.pid], 1000)).toEqual([]);
    });
  });
});
