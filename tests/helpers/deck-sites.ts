// The deck twice, for tests that compare what a presenter and a reader get: served live by a
// demo server, and built on a plain static server (no demo server: replays), one browser.
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { Browser } from 'playwright-core';
import type { DemoServer } from '../../server/http/demo-server.js';
import { launchBrowser } from './browser.js';
import { ROOT, startTestServer } from './server.js';
import { serveStatic, type StaticSite } from './static-server.js';

export interface DeckSites {
  server: DemoServer;
  site: StaticSite;
  browser: Browser;
  close(): Promise<void>;
}

export async function liveAndStatic(): Promise<DeckSites> {
  const [server, site, browser] = await Promise.all([startTestServer(), serveStatic(join(ROOT, 'dist')), launchBrowser()]);
  return {
    server,
    site,
    browser,
    async close() {
      await browser.close();
      await Promise.all([server.close(), site.close()]);
    },
  };
}

/** Both, started before the file's tests and closed after them. */
export function useLiveAndStatic(): Omit<DeckSites, 'close'> {
  let sites: DeckSites | undefined;
  beforeAll(async () => {
    sites = await liveAndStatic();
  });
  afterAll(() => sites?.close());
  const get = (): DeckSites => {
    if (!sites) throw new Error('the deck sites are not started yet (use them inside a test)');
    return sites;
  };
  return {
    get server() {
      return get().server;
    },
    get site() {
      return get().site;
    },
    get browser() {
      return get().browser;
    },
  };
}
