// The online talk's first visit: the built static site on a loopback static server that
// gzips as real hosts do, measured two ways on the title slide and on a demo slide:
//   - bytes on the wire before the slide is shown (headless Chromium, CDP network events),
//   - Lighthouse (mobile: simulated 4× CPU slowdown, 150 ms RTT, 1.6 Mbps), its Performance
//     and Accessibility scores and paint timings; the median of several runs.
// Writes bench/results/first-load.json.
// Usage: tsx bench/first-load.ts [--dist DIR] [--out FILE] [--runs N]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { ensureDeckBuilt } from '../server/http/deck-build.js';
import { findBrowser, launchBrowser } from '../tests/helpers/browser.js';
import { measureFirstLoad, type Transfer } from '../tests/helpers/first-load.js';
import { serveStatic } from '../tests/helpers/static-server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const dist = path.resolve(arg('--dist') ?? path.join(root, 'dist'));
const out = path.resolve(arg('--out') ?? path.join(here, 'results', 'first-load.json'));
const RUNS = Number(arg('--runs') ?? 3);

// Lighthouse's mobile settings throughout (4× CPU slowdown, 150 ms RTT, 1.6 Mbps). On its
// phone screen (412 px) reveal.js shows the scroll view, which cannot open a link to a slide
// (reveal.js issue #3815: it lands on the title); the demo slide is measured on a tablet-sized
// screen (1024×768) with the same throttling, and the title on both.
const PHONE = { width: 412, height: 823, deviceScaleFactor: 1.75 };
const TABLET = { width: 1024, height: 768, deviceScaleFactor: 2 };
const PAGES = [
  { name: 'title slide, phone', hash: '', screen: PHONE },
  { name: 'title slide, tablet', hash: '', screen: TABLET },
  { name: 'demo slide (chat: terminal and meters), tablet', hash: '#/chat-demo', screen: TABLET },
];

interface LighthouseRun {
  performance: number;
  accessibility: number;
  fcpMs: number;
  lcpMs: number;
  tbtMs: number;
  cls: number;
  speedIndexMs: number;
  totalByteWeight: number;
  accessibilityFailures: string[];
}

async function runLighthouse(url: string, port: number, screen: typeof PHONE): Promise<LighthouseRun> {
  const result = await lighthouse(url, {
    port,
    output: 'json',
    logLevel: 'error',
    onlyCategories: ['performance', 'accessibility'],
    formFactor: 'mobile',
    screenEmulation: { mobile: true, disabled: false, ...screen },
  });
  if (!result) throw new Error(`Lighthouse returned nothing for ${url}`);
  const { lhr } = result;
  if (lhr.runtimeError) throw new Error(`Lighthouse: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
  const num = (id: string) => lhr.audits[id]?.numericValue ?? NaN;
  const a11y = lhr.categories.accessibility!;
  return {
    performance: Math.round((lhr.categories.performance?.score ?? 0) * 100),
    accessibility: Math.round((a11y.score ?? 0) * 100),
    fcpMs: Math.round(num('first-contentful-paint')),
    lcpMs: Math.round(num('largest-contentful-paint')),
    tbtMs: Math.round(num('total-blocking-time')),
    cls: Number(num('cumulative-layout-shift').toFixed(3)),
    speedIndexMs: Math.round(num('speed-index')),
    totalByteWeight: Math.round(num('total-byte-weight')),
    accessibilityFailures: a11y.auditRefs
      .filter((r) => r.weight > 0 && lhr.audits[r.id]?.score === 0)
      .map((r) => r.id),
  };
}

function median(runs: LighthouseRun[]): LighthouseRun {
  // The run with the median Performance score, so its timings belong together.
  return [...runs].sort((a, b) => a.performance - b.performance)[Math.floor(runs.length / 2)]!;
}

const kib = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
const short = (ts: Transfer[], base: string) => ts.map((t) => ({ ...t, url: t.url.replace(base, '') }));

if (!arg('--dist')) await ensureDeckBuilt(root, (s) => console.log(s));
const site = await serveStatic(dist, '/what-is-async/', { gzip: true });
const browser = await launchBrowser();
const chrome = await chromeLauncher.launch({
  chromePath: findBrowser(),
  chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
const results = [];
try {
  for (const p of PAGES) {
    const url = site.url + p.hash;
    const load = await measureFirstLoad(browser, url, { viewport: { width: p.screen.width, height: p.screen.height } });
    console.log(`${p.name}: ${kib(load.beforeShown)} before it is shown (${load.requestsBeforeShown.length} requests), ${kib(load.total)} until the network is quiet`);
    const runs: LighthouseRun[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await runLighthouse(url, chrome.port, p.screen));
    const m = median(runs);
    console.log(
      `  Lighthouse (mobile, median of ${RUNS}): Performance ${m.performance}, Accessibility ${m.accessibility}; ` +
        `FCP ${m.fcpMs} ms, LCP ${m.lcpMs} ms, TBT ${m.tbtMs} ms, CLS ${m.cls}, ${kib(m.totalByteWeight)}` +
        (m.accessibilityFailures.length ? `; failing: ${m.accessibilityFailures.join(', ')}` : ''),
    );
    results.push({
      page: p.name,
      hash: p.hash,
      screen: p.screen,
      bytesBeforeShown: load.beforeShown,
      bytesUntilQuiet: load.total,
      requestsBeforeShown: short(load.requestsBeforeShown, site.url),
      requestsAfterShown: short(load.requestsAfterShown, site.url),
      lighthouse: { median: m, runs },
    });
  }
} finally {
  await chrome.kill();
  await browser.close();
  await site.close();
}

fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(
  out,
  JSON.stringify(
    {
      what: 'first visit of the static site: bytes before the slide is shown (gzip, loopback), Lighthouse mobile scores',
      date: new Date().toISOString(),
      machine: { os: `${os.type()} ${os.release()}`, cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version },
      // Lighthouse's simulated CPU times scale what it observes: a busy machine lowers the scores.
      loadAverageAtEnd: os.loadavg().map((l) => Number(l.toFixed(2))),
      lighthouse: (await import('lighthouse/package.json', { with: { type: 'json' } })).default.version,
      dist: path.relative(root, dist) || dist,
      pages: results,
    },
    null,
    2,
  ) + '\n',
);
console.log(`→ ${path.relative(process.cwd(), out)}`);
