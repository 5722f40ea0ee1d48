// The small parsers between a raw request and the server's code: none may throw, each says no
// to what it does not understand.
import { describe, it, expect } from 'vitest';
import { createServer, request } from 'node:http';
import { parseRequestTarget } from '../../server/http/request-target.js';
import { usableRange } from '../../server/http/range-header.js';
import { WebSocketAdmission } from '../../server/http/ws-admission.js';
import { guardRequests } from '../../server/http/request-guard.js';
import { IncidentLog } from '../../server/http/incident-log.js';

describe('request targets', () => {
  it.each([
    ['/', '/'],
    ['//', '//'],
    ['/\\\\', '///'],
    ['//:99999', '//:99999'],
    ['//evil.example/ws', '//evil.example/ws'],
    ['/ws?token=a', '/ws'],
    ['/a/../../etc/passwd', '/etc/passwd'],
  ])('reads %s as the path %s, never as a host', (url, path) => {
    expect(parseRequestTarget(url)?.pathname).toBe(path);
  });
  it.each(['http://evil.example/ws', '*', '', 'ws', undefined])('refuses the target %s', (url) => {
    expect(parseRequestTarget(url)).toBeUndefined();
  });
  it('keeps every value of a repeated query key', () => {
    expect(parseRequestTarget('/ws?token=a&token=b')?.query.getAll('token')).toEqual(['a', 'b']);
  });
});

describe('Range headers', () => {
  it.each([
    ['bytes=0-99', 'bytes=0-99'],
    ['bytes=5-', 'bytes=5-'],
    ['bytes=5-5', 'bytes=5-5'],
    [' bytes=1-2 ', 'bytes=1-2'],
  ])('passes the single range %s on', (h, kept) => {
    expect(usableRange(h)).toBe(kept);
  });
  it.each(['bytes=5-2', 'bytes=-5', 'bytes=0-0', 'bytes=1-2,4-5', 'bytes=abc', 'items=0-1', 'bytes=99999999999999999999-', 'bytes=--1', ''])(
    'drops %s (the whole file is sent instead)',
    (h) => {
      expect(usableRange(h)).toBeUndefined();
    },
  );
});

describe('WebSocket admission', () => {
  it('caps sockets per remote address and in total, and gives places back once', () => {
    const a = new WebSocketAdmission(2, 3);
    const one = a.admit('127.0.0.1');
    const two = a.admit('127.0.0.1');
    expect(one.ok && two.ok).toBe(true);
    expect(a.admit('127.0.0.1')).toMatchObject({ ok: false, reason: expect.stringMatching(/from 127\.0\.0\.1 \(2 open, at most 2\)/) });
    expect(a.admit('127.0.0.2').ok).toBe(true);
    expect(a.admit('127.0.0.3')).toMatchObject({ ok: false, reason: expect.stringMatching(/3 demo WebSockets open, its limit/) });
    if (one.ok) {
      one.release();
      one.release(); // twice is once
    }
    expect(a.open).toBe(2);
    expect(a.admit('127.0.0.1').ok).toBe(true);
    expect(a.admit('127.0.0.4').ok).toBe(false);
  });
});

describe('a request handler that throws', () => {
  it('answers 500, is logged once with the request, and the server goes on', async () => {
    const lines: string[] = [];
    const incidents = new IncidentLog((l) => lines.push(l));
    let calls = 0;
    const server = createServer(
      guardRequests((req, res) => {
        calls++;
        if (req.url?.startsWith('/boom')) throw new TypeError('handler exploded');
        res.end('fine');
      }, incidents),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const status = (path: string) =>
      new Promise<number>((resolve, reject) => {
        request({ host: '127.0.0.1', port, path }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });
    try {
      expect(await status('/boom?x=1')).toBe(500);
      expect(await status('/boom?x=2')).toBe(500);
      expect(await status('/')).toBe(200);
      expect(calls).toBe(3);
      expect(incidents.total).toBe(2);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/internal error while handling GET \/boom\?x=1; the server goes on\.\nTypeError: handler exploded/);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
