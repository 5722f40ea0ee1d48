// What a first visit downloads: every response counted by the bytes it took on the wire
// (Chromium's encodedDataLength: compressed body plus headers), split at the moment the
// first slide is shown in its final look: reveal.js ready, the slide laid out and visible,
// and the web fonts its text uses loaded.
import type { Browser } from 'playwright-core';

export interface Transfer {
  url: string;
  type: string;
  bytes: number;
}

export interface FirstLoad {
  /** Bytes of every request started before the first slide was shown (waited for to the end). */
  beforeShown: number;
  /** Bytes of everything the visit fetched until the network was quiet, shown slide included. */
  total: number;
  requestsBeforeShown: Transfer[];
  requestsAfterShown: Transfer[];
  /** Milliseconds from navigation to the first slide shown (unthrottled loopback: for ordering, not speed). */
  shownAfterMs: number;
}

export interface FirstLoadOptions {
  viewport?: { width: number; height: number };
  /** How long the network must stay quiet after the slide is shown before counting ends. */
  quietMs?: number;
}

declare global {
  interface Window {
    __firstSlideShownAt?: number;
  }
}

// Plain JavaScript, not a transpiled function: it runs in the page before the deck's code.
const MARK_SHOWN = `(() => {
  const check = () => {
    const R = window.Reveal;
    const slide = R && R.isReady && R.isReady() ? R.getCurrentSlide() : undefined;
    if (!slide || slide.getBoundingClientRect().height === 0 || getComputedStyle(slide).visibility === 'hidden') {
      requestAnimationFrame(check);
      return;
    }
    // Layout has asked for the fonts the slide's text uses: wait for them, then one paint.
    requestAnimationFrame(() => document.fonts.ready.then(() => requestAnimationFrame(() => {
      window.__firstSlideShownAt = performance.timeOrigin + performance.now();
    })));
  };
  requestAnimationFrame(check);
})();`;

export async function measureFirstLoad(browser: Browser, url: string, opts: FirstLoadOptions = {}): Promise<FirstLoad> {
  const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1280, height: 720 } });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    const requests = new Map<string, { url: string; type: string; startedAt: number; bytes?: number }>();
    cdp.on('Network.requestWillBeSent', (e) => {
      if (e.request.url.startsWith('data:')) return; // inlined: already counted in its file
      requests.set(e.requestId, { url: e.request.url, type: e.type ?? 'Other', startedAt: e.wallTime * 1000 });
    });
    const done = (id: string, bytes: number) => {
      const r = requests.get(id);
      if (r) r.bytes = bytes;
    };
    cdp.on('Network.loadingFinished', (e) => done(e.requestId, e.encodedDataLength));
    cdp.on('Network.loadingFailed', (e) => done(e.requestId, 0));

    // The page marks the moment itself, on its own clock, so nothing the runtime starts
    // right after is mistaken for part of the first load.
    await page.addInitScript({ content: MARK_SHOWN });
    const navigatedAt = Date.now();
    await page.goto(url);
    await page.waitForFunction(() => window.__firstSlideShownAt !== undefined, null, { timeout: 30_000 });
    const shownAt = (await page.evaluate(() => window.__firstSlideShownAt))!;

    // Count until every request has finished and none has started for quietMs.
    const quietMs = opts.quietMs ?? 1500;
    const deadline = Date.now() + 20_000;
    let lastCount = -1;
    let quietSince = Date.now();
    while (Date.now() < deadline) {
      const pending = [...requests.values()].some((r) => r.bytes === undefined);
      if (requests.size !== lastCount || pending) {
        lastCount = requests.size;
        quietSince = Date.now();
      } else if (Date.now() - quietSince >= quietMs) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const all = [...requests.values()];
    const entry = (r: (typeof all)[number]): Transfer => ({ url: r.url, type: r.type, bytes: r.bytes ?? 0 });
    const before = all.filter((r) => r.startedAt <= shownAt).map(entry);
    const after = all.filter((r) => r.startedAt > shownAt).map(entry);
    const sum = (ts: Transfer[]) => ts.reduce((s, t) => s + t.bytes, 0);
    return {
      beforeShown: sum(before),
      total: sum(before) + sum(after),
      requestsBeforeShown: before,
      requestsAfterShown: after,
      shownAfterMs: Math.round(shownAt - navigatedAt),
    };
  } finally {
    await context.close();
  }
}
