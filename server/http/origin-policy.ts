// Who may open a demo WebSocket. Demos run programs on the presenter's machine, so the
// upgrade is refused unless it comes from the deck's own origin (or an explicit allowlist),
// and, off loopback, carries the per-launch token.
import type { IncomingMessage } from 'node:http';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { parseRequestTarget } from './request-target.js';
import { shortText } from '../protocol/short-text.js';

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

export function newToken(): string {
  return randomBytes(18).toString('base64url');
}

/** Compares in time that does not depend on where the texts differ, nor on their lengths. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export interface OriginPolicyOptions {
  host: string;
  port: number;
  allowOrigins?: string[];
  /** Required in the WebSocket URL (`?token=`) when set: always set off loopback. */
  token?: string | undefined;
}

export type Verdict = { ok: true } | { ok: false; status: number; reason: string };

export class OriginPolicy {
  private readonly origins: Set<string>;
  private readonly hosts: Set<string>;

  constructor(private readonly opts: OriginPolicyOptions) {
    const names = new Set(['127.0.0.1', 'localhost', '[::1]']);
    if (opts.host !== '0.0.0.0' && opts.host !== '::') names.add(opts.host.includes(':') ? `[${opts.host}]` : opts.host);
    this.hosts = new Set([...names].map((n) => `${n}:${opts.port}`));
    this.origins = new Set([...this.hosts].map((h) => `http://${h}`));
    for (const o of opts.allowOrigins ?? []) this.origins.add(o.replace(/\/$/, ''));
  }

  get allowedOrigins(): string[] {
    return [...this.origins];
  }

  /** Checks an upgrade request before any session exists. */
  checkUpgrade(req: IncomingMessage): Verdict {
    const origin = req.headers.origin;
    if (!origin) return { ok: false, status: 403, reason: 'the WebSocket request has no Origin header' };
    if (!this.origins.has(origin)) {
      return { ok: false, status: 403, reason: `origin ${shortText(origin, 80)} is not allowed; allowed: ${this.allowedOrigins.join(', ')} (add one with --allow-origin)` };
    }
    if (this.opts.token !== undefined) {
      // Exactly one token, and the right one: "token=RIGHT&token=x" is refused as well.
      const given = parseRequestTarget(req.url)?.query.getAll('token') ?? [];
      if (given.length !== 1 || !sameSecret(given[0]!, this.opts.token)) {
        return { ok: false, status: 403, reason: 'missing or wrong token: open the URL the server printed' };
      }
    }
    return { ok: true };
  }

  /** Refuses HTTP requests whose Host is not ours (a DNS-rebinding page would name its own). */
  checkHost(req: IncomingMessage): Verdict {
    if (this.opts.host === '0.0.0.0' || this.opts.host === '::' || !isLoopbackHost(this.opts.host)) return { ok: true };
    const host = req.headers.host ?? '';
    if (this.hosts.has(host)) return { ok: true };
    return { ok: false, status: 421, reason: `unexpected Host "${shortText(host, 80)}"; open http://127.0.0.1:${this.opts.port}/` };
  }
}
