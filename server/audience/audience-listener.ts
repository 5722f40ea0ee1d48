// The audience's own listener (`serve --audience`): a second HTTP server on an interface the
// presenter chose (the LAN, where phones are), serving the same built deck marked as the
// audience's, and a WebSocket that only watches (audience-socket.ts). It has its own token,
// printed in the audience URL; the presenter's listener, on loopback, is untouched. A cap on
// viewers: the one over it gets a page saying the room is full.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { createHash, timingSafeEqual } from 'node:crypto';
import { WebSocketServer } from 'ws';
import { PROTOCOL, WS_PATH, audienceMetaTag, serverMetaTag, type DemoSummary } from '../../shared/wire.js';
import { shortText } from '../protocol/short-text.js';
import { parseRequestTarget } from '../http/request-target.js';
import { newToken } from '../http/origin-policy.js';
import type { IncidentLog } from '../http/incident-log.js';
import { WebSocketAdmission } from '../http/ws-admission.js';
import { deckFiles } from '../http/deck-files.js';
import { DECK_HEADERS } from '../http/deck-headers.js';
import { guardRequests, guardUpgrades } from '../http/request-guard.js';
import { refuseUpgrade } from '../http/refuse-upgrade.js';
import { AudienceSocket, AUDIENCE_MAX_PAYLOAD } from './audience-socket.js';
import type { WatchHub } from './watch-hub.js';
import type { NavRelay } from './nav-relay.js';

/** Viewers (audience WebSockets) at most, and per remote address (a venue's NAT may put many phones behind one). */
export const MAX_VIEWERS = 500;
export const VIEWERS_PER_REMOTE = 64;

export interface AudienceOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  maxViewers?: number;
  viewersPerRemote?: number;
}

export interface AudienceListener {
  /** The URL to give the audience, with its token. */
  url: string;
  host: string;
  port: number;
  /** Audience pages connected now. */
  viewerCount(): number;
  readonly maxViewers: number;
  close(): Promise<void>;
}

function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

export async function startAudienceListener(
  opts: AudienceOptions,
  parts: { distDir: string; demos: DemoSummary[]; hub: WatchHub; nav: NavRelay; incidents: IncidentLog },
): Promise<AudienceListener> {
  if (isWildcard(opts.host)) throw new Error('the audience listens on one interface: give its address with --audience-host, not a wildcard');
  const maxViewers = opts.maxViewers ?? MAX_VIEWERS;
  const token = newToken();
  const admission = new WebSocketAdmission(opts.viewersPerRemote ?? VIEWERS_PER_REMOTE, maxViewers);
  const sockets = new Set<AudienceSocket>();
  const files = await deckFiles(parts.distDir, parts.incidents, () => `${serverMetaTag()}\n${audienceMetaTag('audience')}`);

  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const shownHost = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const authority = `${shownHost}:${port}`;
  const origin = `http://${authority}`;
  const url = `${origin}/?token=${token}`;

  server.on(
    'request',
    guardRequests((req: IncomingMessage, res: ServerResponse) => {
      for (const [name, value] of Object.entries(DECK_HEADERS)) res.setHeader(name, value);
      // A DNS-rebinding page names its own host: only ours is served.
      if (req.headers.host !== authority) {
        res.writeHead(421, { 'content-type': 'text/plain; charset=utf-8' }).end(`unexpected Host "${shortText(String(req.headers.host ?? ''), 80)}"; open ${origin}/\n`);
        return;
      }
      const path = parseRequestTarget(req.url)?.pathname;
      if ((path === '/' || path === '/index.html') && admission.open >= maxViewers) return roomFull(res, maxViewers);
      files(req, res, () => {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      });
    }, parts.incidents),
  );

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: AUDIENCE_MAX_PAYLOAD,
    handleProtocols: (offered) => (offered.has(PROTOCOL) ? PROTOCOL : false),
  });
  server.on(
    'upgrade',
    guardUpgrades((req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => socket.destroy());
      const target = parseRequestTarget(req.url);
      if (target?.pathname !== WS_PATH) return refuseUpgrade(socket, 404, `no WebSocket at ${shortText(String(req.url))}; the audience socket is ${WS_PATH}`);
      if (req.headers.host !== authority) return refuseUpgrade(socket, 421, `unexpected Host; open ${origin}/`);
      if (req.headers.origin !== origin) return refuseUpgrade(socket, 403, `origin ${shortText(String(req.headers.origin ?? 'missing'), 80)} is not the audience's (${origin})`);
      const given = target.query.getAll('token');
      if (given.length !== 1 || !sameSecret(given[0]!, token)) return refuseUpgrade(socket, 403, 'missing or wrong audience token: open the audience URL the presenter shows');
      const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
      if (!offered.includes(PROTOCOL)) return refuseUpgrade(socket, 400, `this server speaks protocol ${PROTOCOL}; reload the page`);
      wss.handleUpgrade(req, socket, head, (ws) => {
        const place = admission.admit(req.socket.remoteAddress ?? 'unknown');
        if (!place.ok) {
          ws.on('error', () => ws.terminate());
          const reason = admission.open >= maxViewers ? fullText(maxViewers) : place.reason;
          ws.send(JSON.stringify({ type: 'error', message: reason }));
          ws.close(1013, reason.slice(0, 120));
          return;
        }
        ws.once('close', place.release);
        const viewer = new AudienceSocket(ws, parts.demos, parts.hub, parts.nav, parts.incidents);
        sockets.add(viewer);
        ws.on('close', () => sockets.delete(viewer));
      });
    }, parts.incidents),
  );

  let closing: Promise<void> | undefined;
  return {
    url,
    host: opts.host,
    port,
    maxViewers,
    viewerCount: () => admission.open,
    close() {
      closing ??= (async () => {
        for (const s of sockets) s.close();
        for (const ws of wss.clients) ws.close(1001, 'the talk is over: the server is shutting down');
        wss.close();
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      })();
      return closing;
    },
  };
}

export function fullText(max: number): string {
  return `the room is full: ${max} people already follow this talk here, the most this laptop takes. Watch the projector, or try again later`;
}

function roomFull(res: ServerResponse, max: number): void {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>The room is full</title><style>body{font:18px/1.5 system-ui,sans-serif;margin:0;padding:2rem;background:#101418;color:#e8e6e3}h1{font-size:1.6rem}</style></head>
<body><h1>The room is full</h1><p>${max} people already follow this talk on their own screens, the most this laptop takes while it runs the demos.</p>
<p>Watch the projector, or reload this page in a minute: a place frees up when someone leaves.</p></body></html>\n`;
  res.writeHead(503, { 'content-type': 'text/html; charset=utf-8', 'retry-after': '60', 'cache-control': 'no-store' }).end(html);
}
