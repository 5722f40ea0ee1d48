// A plain static file server for the built site, mounted under a sub-path, with no demo
// server behind it: what a reader of the published talk gets. `gzip: true` compresses
// responses on the fly as a real static host does (GitHub Pages, Netlify), for measuring
// what a first visit transfers.
import { createServer, type Server } from 'node:http';
import compression from 'compression';
import sirv from 'sirv';

export interface StaticSite {
  url: string;
  close(): Promise<void>;
}

export interface StaticOptions {
  gzip?: boolean;
  /** A loopback port; 0 (the default) picks a free one. */
  port?: number;
}

export async function serveStatic(dir: string, base = '/what-is-async/', opts: StaticOptions = {}): Promise<StaticSite> {
  const files = sirv(dir, { dev: true });
  // Level 6 is zlib's default and what common hosts use; threshold 0 compresses small files too.
  const gzip = opts.gzip ? compression({ threshold: 0 }) : undefined;
  const serve = (req: Parameters<typeof files>[0], res: Parameters<typeof files>[1]) =>
    files(req, res, () => {
      res.writeHead(404).end();
    });
  const server: Server = createServer((req, res) => {
    if (!req.url?.startsWith(base)) {
      res.writeHead(404).end();
      return;
    }
    req.url = '/' + req.url.slice(base.length);
    // compression's types name Express's request and response; it needs only Node's.
    if (gzip) gzip(req as never, res as never, () => serve(req, res));
    else serve(req, res);
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}${base}`,
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
