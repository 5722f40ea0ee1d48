// A plain static file server for the built site, mounted under a sub-path, with no demo
// server behind it: what a reader of the published talk gets.
import { createServer, type Server } from 'node:http';
import sirv from 'sirv';

export interface StaticSite {
  url: string;
  close(): Promise<void>;
}

export async function serveStatic(dir: string, base = '/what-is-async/'): Promise<StaticSite> {
  const files = sirv(dir, { dev: true });
  const server: Server = createServer((req, res) => {
    if (!req.url?.startsWith(base)) {
      res.writeHead(404).end();
      return;
    }
    req.url = '/' + req.url.slice(base.length);
    files(req, res, () => {
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}${base}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
