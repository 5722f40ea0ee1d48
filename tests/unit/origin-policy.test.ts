import { describe, it, expect } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { OriginPolicy, isLoopbackHost } from '../../server/http/origin-policy.js';

const req = (headers: Record<string, string>, url = '/ws') => ({ headers, url }) as unknown as IncomingMessage;

describe('origin policy', () => {
  const local = new OriginPolicy({ host: '127.0.0.1', port: 2014 });

  it('accepts the deck’s own origin under each loopback name', () => {
    for (const o of ['http://127.0.0.1:2014', 'http://localhost:2014', 'http://[::1]:2014']) {
      expect(local.checkUpgrade(req({ origin: o }))).toEqual({ ok: true });
    }
  });

  it.each(['http://evil.example', 'http://127.0.0.1:2015', 'https://127.0.0.1:2014', 'http://localhost:2014.evil.example', 'null'])(
    'refuses %s with 403 and says how to allow one',
    (origin) => {
      const v = local.checkUpgrade(req({ origin }));
      expect(v).toMatchObject({ ok: false, status: 403 });
      if (!v.ok) expect(v.reason).toMatch(/--allow-origin/);
    },
  );

  it('accepts an origin on the allowlist', () => {
    const p = new OriginPolicy({ host: '127.0.0.1', port: 2014, allowOrigins: ['https://talk.example/'] });
    expect(p.checkUpgrade(req({ origin: 'https://talk.example' }))).toEqual({ ok: true });
  });

  it('requires the token off loopback', () => {
    const p = new OriginPolicy({ host: '0.0.0.0', port: 2014, token: 's3cret' });
    expect(p.checkUpgrade(req({ origin: 'http://127.0.0.1:2014' }))).toMatchObject({ ok: false, status: 403 });
    expect(p.checkUpgrade(req({ origin: 'http://127.0.0.1:2014' }, '/ws?token=wrong'))).toMatchObject({ ok: false });
    expect(p.checkUpgrade(req({ origin: 'http://127.0.0.1:2014' }, '/ws?token=s3cret'))).toEqual({ ok: true });
  });

  it.each(['/ws?token=s3cret&token=x', '/ws?token=x&token=s3cret', '/ws?token=s3cret&token=s3cret', '/ws?token=s3cre', '/ws?token=s3cretX', '/ws?token=', '/ws?tok%65n=x'])(
    'takes exactly one right token: refuses %s',
    (url) => {
      const p = new OriginPolicy({ host: '0.0.0.0', port: 2014, token: 's3cret' });
      expect(p.checkUpgrade(req({ origin: 'http://127.0.0.1:2014' }, url))).toMatchObject({ ok: false, status: 403 });
    },
  );

  it('never throws on an odd request target', () => {
    const p = new OriginPolicy({ host: '0.0.0.0', port: 2014, token: 's3cret' });
    for (const url of ['//', '/\\', '//:99999', 'http://x/ws', '*', '']) {
      expect(() => p.checkUpgrade(req({ origin: 'http://127.0.0.1:2014' }, url))).not.toThrow();
    }
  });

  it('echoes only a short prefix of a long Origin or Host', () => {
    const v = local.checkUpgrade(req({ origin: 'http://' + 'e'.repeat(10_000) }));
    expect(!v.ok && v.reason.length).toBeLessThan(400);
    const h = local.checkHost(req({ host: 'h'.repeat(10_000) }));
    expect(!h.ok && h.reason.length).toBeLessThan(300);
  });

  it('refuses a foreign Host on loopback (DNS rebinding)', () => {
    expect(local.checkHost(req({ host: '127.0.0.1:2014' }))).toEqual({ ok: true });
    expect(local.checkHost(req({ host: 'rebind.example:2014' }))).toMatchObject({ ok: false, status: 421 });
  });

  it('knows loopback hosts', () => {
    expect(['127.0.0.1', '127.1.2.3', 'localhost', '::1'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '192.168.1.4', 'example.com'].some(isLoopbackHost)).toBe(false);
  });
});
