// Serves the built deck from dist/: its files through sirv, looked up per request (a rebuild
// while serving is picked up), and index.html marked so the deck knows a demo server stands
// behind it. Only GET and HEAD; no dotfiles (dist/.build-stamp is the build's, not the deck's);
// only ranges sirv handles safely; a file that fails while it streams ends its response only.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { serverMetaTag } from '../../shared/wire.js';
import { parseRequestTarget } from './request-target.js';
import { usableRange } from './range-header.js';
import type { IncidentLog } from './incident-log.js';

export type Handler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end(`${text}\n`);
}

/** `head`: what index.html gets before </head> (by default the tag that says a demo server stands behind it). */
export async function deckFiles(dist: string, incidents: IncidentLog, head: () => string = serverMetaTag): Promise<Handler> {
  const { default: sirv } = await import('sirv');
  const files = sirv(dist, { etag: true, dev: true, single: false }) as Handler;
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'the deck is read with GET or HEAD', { allow: 'GET, HEAD' });
    const target = parseRequestTarget(req.url);
    if (!target) return plain(res, 400, 'bad request target: expected a path such as /index.html');
    const path = target.pathname;
    if (hasDotSegment(path) || hasDotSegment((req.url ?? '').split('?')[0]!)) return next();
    const plainPath = path.replace(/\/{2,}/g, '/');
    if (plainPath === '/' || plainPath === '/index.html') {
      // The deck learns from this tag that a demo server stands behind it: run demos live.
      readFile(join(dist, 'index.html'), 'utf8').then(
        (html) => {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
          res.end(html.replace('</head>', `${head()}\n</head>`));
        },
        () => next(),
      );
      return;
    }
    const range = usableRange(req.headers.range);
    if (range === undefined) delete req.headers.range;
    else req.headers.range = range;
    // sirv pipes a read stream into the response without an error listener: one that fails
    // (a file removed by a rebuild, a read error) would throw out of the process.
    res.once('pipe', (source: Readable) => {
      source.once('error', (err) => {
        incidents.record(err, `GET ${path}`);
        res.destroy();
      });
    });
    files(req, res, next);
  };
}

/** True when any segment of the path, percent-decoded, starts with a dot. */
function hasDotSegment(path: string): boolean {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // malformed escapes: judge the raw text
  }
  return /(^|[\\/])\./.test(decoded) || /(^|[\\/])%2e/i.test(path);
}
