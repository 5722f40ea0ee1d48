import { describe, it, expect } from 'vitest';
import { parseClientMessage } from '../../server/protocol/validate.js';
import { encodeFrame, decodeFrame, describeExit, Op } from '../../shared/wire.js';

describe('client message validation', () => {
  it('accepts each well-formed message', () => {
    for (const m of [
      { type: 'start', session: 1, demo: 'hello', variant: 'blocking', params: { count: 3, fast: true, mode: 'x' }, cols: 80, rows: 24 },
      { type: 'stop', session: 4294967295 },
      { type: 'resize', session: 2, cols: 120, rows: 40 },
      { type: 'ack', session: 2, bytes: 65536 },
    ]) {
      expect(parseClientMessage(JSON.stringify(m))).toEqual({ ok: true, message: m });
    }
  });

  it.each([
    ['', /not valid JSON/],
    ['[1,2]', /expected a JSON object with a "type".*got an array/],
    ['null', /expected a JSON object.*got null/],
    ['{"session":1}', /unknown message type undefined/],
    ['{"type":"exec","argv":["sh"]}', /unknown message type "exec"; known types: start, stop, resize, ack/],
    ['{"type":"stop","session":0}', /field "session"/],
    ['{"type":"stop","session":1.5}', /field "session"/],
    ['{"type":"stop","session":4294967296}', /field "session"/],
    ['{"type":"resize","session":1,"cols":100000,"rows":24}', /field "cols"/],
    ['{"type":"ack","session":1,"bytes":-1}', /field "bytes"/],
    ['{"type":"start","session":1,"demo":"","cols":80,"rows":24}', /field "demo"/],
    ['{"type":"start","session":1,"demo":"a","cols":80,"rows":24,"params":{"x":{"y":1}}}', /field "params.x"/],
    ['{"type":"start","session":1,"demo":"a","cols":80,"rows":24,"shell":true}', /shell/],
  ])('rejects %s with a message naming the problem', (text, pattern) => {
    const r = parseClientMessage(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(pattern);
  });

  it.each([
    ['{"__proto__":{"type":"stop"},"session":1}', /"__proto__" is not allowed/],
    ['{"type":"start","session":1,"demo":"a","cols":80,"rows":24,"params":{"__proto__":{"count":3}}}', /"__proto__" in "params" is not allowed/],
    ['{"type":"start","session":1,"demo":"a","cols":80,"rows":24,"params":{"a b":1}}', /field "params\.a b"/],
    ['{"type":"constructor","session":1}', /unknown message type "constructor"/],
  ])('refuses prototype names and odd keys: %s', (text, pattern) => {
    const r = parseClientMessage(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(pattern);
  });

  it.each([
    JSON.stringify({ type: 'x'.repeat(60_000) }),
    JSON.stringify('y'.repeat(60_000)),
    JSON.stringify({ type: 'stop', session: 1, ['k'.repeat(60_000)]: 1 }),
    JSON.stringify({ type: 'start', session: 1, demo: 'a', cols: 80, rows: 24, params: { ['p'.repeat(60_000)]: 1 } }),
  ])('echoes only a short prefix of a large bad message', (text) => {
    const r = parseClientMessage(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.length).toBeLessThan(300);
  });

  it('names the session of a bad message when it can', () => {
    const r = parseClientMessage('{"type":"resize","session":3,"cols":"wide","rows":24}');
    expect(r).toMatchObject({ ok: false, session: 3 });
  });
});

describe('binary frames', () => {
  it('round-trips opcode, session and payload', () => {
    const payload = new TextEncoder().encode('héllo \x03');
    const frame = encodeFrame(Op.input, 0xdeadbeef, payload);
    expect(frame.byteLength).toBe(5 + payload.byteLength);
    const back = decodeFrame(frame);
    expect(back?.op).toBe(Op.input);
    expect(back?.session).toBe(0xdeadbeef);
    expect([...back!.payload]).toEqual([...payload]);
  });

  it('decodes a frame that sits inside a larger buffer', () => {
    const inner = encodeFrame(Op.output, 7, new Uint8Array([1, 2, 3]));
    const big = new Uint8Array(20);
    big.set(inner, 9);
    const back = decodeFrame(big.subarray(9, 9 + inner.byteLength));
    expect(back?.session).toBe(7);
    expect([...back!.payload]).toEqual([1, 2, 3]);
  });

  it('refuses a frame shorter than its header', () => {
    expect(decodeFrame(new Uint8Array([2, 0, 0, 1]))).toBeNull();
  });
});

describe('exit descriptions', () => {
  it('speaks plainly', () => {
    expect(describeExit({ code: 0, signal: null, reason: 'exited' })).toBe('exited normally (code 0)');
    expect(describeExit({ code: 3, signal: null, reason: 'exited' })).toBe('exited with code 3');
    expect(describeExit({ code: null, signal: 'SIGSEGV', reason: 'exited' })).toBe('ended by signal SIGSEGV');
    expect(describeExit({ code: null, signal: 'SIGTERM', reason: 'timeout' })).toMatch(/time limit/);
  });
});
