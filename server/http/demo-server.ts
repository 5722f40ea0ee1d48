// The demo server: one Node process serving the deck over HTTP and the demo WebSocket on
// the same port. Production serves the built deck; dev mounts Vite with hot reload.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { PROTOCOL, WS_PATH, MAX_CLIENT_PAYLOAD } from '../../shared/wire.js';
import { shortText } from '../protocol/short-text.js';
import { demoSummaries, loadRegistry, type Registry } from '../registry/registry.js';
import { PageSocket, type PagePipeline } from '../session/page-socket.js';
import { RunRegistry } from '../run/run-registry.js';
import { OriginPolicy, isLoopbackHost, newToken } from './origin-policy.js';
import { DEFAULT_SAMPLE_HZ } from '../session/session-meter.js';
import { parseRequestTarget } from './request-target.js';
import { IncidentLog, type LogLine } from './incident-log.js';
import { WebSocketAdmission } from './ws-admission.js';
import { deckFiles, type Handler } from './deck-files.js';
import { DECK_HEADERS } from './deck-headers.js';
import { guardRequests, guardUpgrades } from './request-guard.js';
import { refuseUpgrade } from './refuse-upgrade.js';
import { serverMetaTag, audienceMetaTag } from '../../shared/wire.js';
import { WatchHub } from '../audience/watch-hub.js';
import { NavRelay } from '../audience/nav-relay.js';
import { startAudienceListener, type AudienceListener, type AudienceOptions } from '../audience/audience-listener.js';

export interface DemoServerOptions {
  root: string;
  host?: string;
  port?: number;
  /** 'dev' mounts Vite's dev server (hot reload); 'prod' serves `distDir`. */
  mode?: 'prod' | 'dev';
  distDir?: string;
  demosDir?: string;
  allowOrigins?: string[];
  /** Demo runs one page may have running at once, and the whole server. */
  runsPerPage?: number;
  runsTotal?: number;
  /** Seconds a run is kept after its page's socket went away, for the page to take it back (default 30). */
  graceSeconds?: number;
  /** Resource samples per second of each session's process under test; 0 turns meters off. */
  sampleHz?: number;
  /** Open demo WebSockets allowed per remote address, and in total. */
  socketsPerRemote?: number;
  socketsTotal?: number;
  /** Where the server's own warnings and internal errors go (default: stderr). */
  log?: LogLine;
  /** How output reaches a page (window, frame batching); the benchmark compares settings. */
  pipeline?: PagePipeline;
  /** A second listener for the audience's phones (read-only pages that follow the presenter); prod mode only. */
  audience?: AudienceOptions;
}

export interface DemoServer {
  /** The deck's URL, with the token when one is required. */
  url: string;
  port: number;
  host: string;
  registry: Registry;
  /** The running demos, by run id, and their caps. */
  runs: RunRegistry;
  /** Open page sockets (the deck's demo WebSockets) right now. */
  pageSocketCount(): number;
  /** Internal errors caught and logged so far (each is a bug; none ended the server). */
  incidents: IncidentLog;
  /** The audience's listener, when one was asked for. */
  audience: AudienceListener | undefined;
  /** Who watches which terminal's run (audience pages, the speaker view). */
  watches: WatchHub;
  /** Where the presenter is, as the audience hears it. */
  nav: NavRelay;
  close(): Promise<void>;
}


export async function startDemoServer(opts: DemoServerOptions): Promise<DemoServer> {
  const host = opts.host ?? '127.0.0.1';
  const mode = opts.mode ?? 'prod';
  const registry = loadRegistry(opts.demosDir ?? join(opts.root, 'demos'));
  const runs = new RunRegistry(opts.runsPerPage, opts.runsTotal, opts.graceSeconds);
  const token = isLoopbackHost(host) ? undefined : newToken();
  const log = opts.log ?? ((line: string) => console.error(line));
  const incidents = new IncidentLog(log);
  const admission = new WebSocketAdmission(opts.socketsPerRemote, opts.socketsTotal);
  const watches = new WatchHub();
  const nav = new NavRelay();
  if (opts.audience && mode === 'dev') throw new Error('an audience needs the built deck: serve it without --dev');
  const distDir = opts.distDir ?? join(opts.root, 'dist');
  let audience: AudienceListener | undefined;

  const server: Server = createServer();
  let handler: Handler;
  let closeVite: (() => Promise<void>) | undefined;
  if (mode === 'dev') {
    const { createServer: createVite } = await import('vite');
    const vite = await createVite({
      configFile: join(opts.root, 'vite.config.ts'),
      server: { middlewareMode: true, ws: { server } },
      appType: 'mpa',
    });
    handler = vite.middlewares as unknown as Handler;
    closeVite = () => vite.close();
  } else {
    // With an audience, the presenter's deck knows its URL (the QR slide, and it reports its slide).
    handler = await deckFiles(distDir, incidents, () => serverMetaTag() + (audience ? `\n${audienceMetaTag(audience.url)}` : ''));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : (opts.port ?? 0);
  const policy = new OriginPolicy({ host, port, allowOrigins: opts.allowOrigins, token });
  const demos = demoSummaries(registry);
  if (opts.audience) {
    try {
      audience = await startAudienceListener(opts.audience, { distDir, demos, hub: watches, nav, incidents });
    } catch (err) {
      await new Promise<void>((r) => server.close(() => r()));
      throw err;
    }
  }

  server.on(
    'request',
    guardRequests((req, res) => {
      for (const [name, value] of Object.entries(DECK_HEADERS)) res.setHeader(name, value);
      const host = policy.checkHost(req);
      if (!host.ok) {
        res.writeHead(host.status, { 'content-type': 'text/plain; charset=utf-8' }).end(host.reason + '\n');
        return;
      }
      handler(req, res, () => {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      });
    }, incidents),
  );

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_CLIENT_PAYLOAD,
    handleProtocols: (offered) => (offered.has(PROTOCOL) ? PROTOCOL : false),
  });
  const pageSockets = new Set<PageSocket>();
  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node takes its own error listener off an upgraded socket: a client that resets it while
    // it is refused would otherwise throw ECONNRESET out of the process.
    socket.on('error', () => socket.destroy());
    const target = parseRequestTarget(req.url);
    if (target?.pathname !== WS_PATH) {
      // In dev, Vite's hot-reload socket shares this server and answers its own upgrades.
      if (mode !== 'dev' || !target) refuseUpgrade(socket, 404, `no WebSocket at ${shortText(String(req.url))}; the demo socket is ${WS_PATH}`);
      return;
    }
    const verdict = policy.checkUpgrade(req);
    if (!verdict.ok) return refuseUpgrade(socket, verdict.status, verdict.reason);
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
    if (!offered.includes(PROTOCOL)) {
      return refuseUpgrade(socket, 400, `this server speaks protocol ${PROTOCOL}; reload the deck so it matches the server`);
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      // Refused after the handshake, so the page can read why (a failed handshake shows no reason).
      const place = admission.admit(req.socket.remoteAddress ?? 'unknown');
      if (!place.ok) {
        ws.on('error', () => ws.terminate());
        ws.send(JSON.stringify({ type: 'error', message: place.reason }));
        ws.close(1013, place.reason.slice(0, 120));
        return;
      }
      ws.once('close', place.release);
      const page = new PageSocket(ws, registry, runs, opts.sampleHz ?? DEFAULT_SAMPLE_HZ, incidents, log, opts.pipeline, { watches, nav });
      pageSockets.add(page);
      ws.on('close', () => pageSockets.delete(page));
    });
  };
  server.on('upgrade', guardUpgrades(upgrade, incidents));

  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${port}/${token ? `?token=${token}` : ''}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    host,
    registry,
    runs,
    pageSocketCount: () => pageSockets.size,
    incidents,
    audience,
    watches,
    nav,
    close() {
      closing ??= (async () => {
        await audience?.close();
        await Promise.all([...pageSockets].map((p) => p.close('shutdown')));
        await runs.stopAll('shutdown'); // any a page no longer holds
        for (const ws of wss.clients) ws.close(1001, 'server shutting down');
        wss.close();
        await closeVite?.();
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      })();
      return closing;
    },
  };
}
