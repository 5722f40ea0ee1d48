/**
 * The terminal pipeline, end to end. Run: npm run bench -- terminal  (~3 min)
 *
 * A throwaway demo server on a loopback port (the real server, PTY and page socket) runs
 * bench/fixtures/demos/shell (bash with a known prompt) in the deck's own terminal widget, in
 * headless Chromium, with each renderer forced in turn (WebGL — SwiftShader here — and DOM):
 *   throughput  MB/s of 20 MB of 80-column lines (`yes … | head -n 250000`), from Enter until the
 *               prompt after it is parsed and drawn;
 *   echo        ms from a key pressed (its keydown in the page) until its echo is parsed, and
 *               until the frame that shows it; p50 and p95 of 40 keys at an idle prompt;
 *   Ctrl-C      ms from Ctrl-C during an endless flood until the prompt is back and drawn; median.
 * Each pipeline setting is measured in the same run, alternating (see PIPELINES), so "before"
 * and "after" share the machine's load. Server-side counters come from the run itself (bytes,
 * PTY reads, pauses). Writes bench/results/terminal.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { startDemoServer, type DemoServer } from '../server/http/demo-server.js';
import { ensureDeckBuilt } from '../server/http/deck-build.js';
import { launchBrowser, gotoSlide } from '../tests/helpers/browser.js';
import { PAGE_SCRIPT } from './terminal-page.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const resultsFile = path.join(here, 'results', 'terminal.json');
const MB = 1e6;
const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const ROUNDS = Number(arg('--rounds') ?? 3);
const LINES = Number(arg('--lines') ?? 250_000);
const ECHO_KEYS = 40;
const FLOOD = `yes $(printf '%079d' 0 | tr 0 y) | head -n ${LINES}`;
const ENDLESS = `yes $(printf '%079d' 0 | tr 0 y)`;

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

type Renderer = 'webgl' | 'dom';
interface Timing { parsedMs: number; drawnMs: number }

async function openTerminal(server: DemoServer): Promise<Page> {
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(server.url);
  await page.waitForFunction(() => window.Reveal?.isReady());
  await page.evaluate(() => {
    const el = document.createElement('div');
    el.className = 'live-terminal';
    el.id = 'bench-term';
    el.dataset.demo = 'shell';
    el.dataset.title = 'bench · bash';
    document.querySelector('#hello-demo')!.replaceChildren(el);
  });
  await gotoSlide(page, 'hello-demo');
  await page.waitForSelector('#bench-term[data-state="idle"]');
  await page.click('#bench-term button[data-action="run"]');
  await page.waitForSelector('#bench-term[data-state="running"]');
  await page.evaluate(PAGE_SCRIPT);
  await page.evaluate('window.__bench.atPrompt()');
  return page;
}

async function useRenderer(page: Page, r: Renderer): Promise<void> {
  await page.evaluate(`(() => { const w = document.getElementById('bench-term').liveTerminal; ${r === 'dom' ? 'w.hidden()' : 'w.shown()'}; })()`);
  await page.waitForSelector(`#bench-term[data-renderer="${r}"]`, { timeout: 10_000 });
}

async function throughput(page: Page, server: DemoServer): Promise<{ mbPerSecond: number; bytes: number; reads: number; pauses: number; ms: Timing }> {
  const run = [...server.runs.values()][0]!;
  const bytes0 = run.stats.outputBytes;
  const reads0 = run.stats.outputEvents;
  const pauses0 = run.stats.pauses.acks + run.stats.pauses.socket + run.stats.pauses.screen;
  const ms = (await page.evaluate(`window.__bench.throughput(${JSON.stringify(FLOOD)})`)) as Timing;
  const bytes = run.stats.outputBytes - bytes0;
  return {
    mbPerSecond: bytes / MB / (ms.drawnMs / 1000),
    bytes,
    reads: run.stats.outputEvents - reads0,
    pauses: run.stats.pauses.acks + run.stats.pauses.socket + run.stats.pauses.screen - pauses0,
    ms,
  };
}

async function echo(page: Page): Promise<Timing[]> {
  const out: Timing[] = [];
  await page.click('#bench-term .lt-screen');
  let typed = '';
  for (let i = 0; i < ECHO_KEYS; i++) {
    const ch = 'abcdefghij'[i % 10]!;
    typed += ch;
    await page.keyboard.press(ch);
    out.push((await page.evaluate(`window.__bench.echo(${JSON.stringify(typed)})`)) as Timing);
  }
  await page.keyboard.press('Control+U');
  await page.evaluate('window.__bench.atPrompt()');
  return out;
}

async function ctrlC(page: Page): Promise<Timing> {
  await page.evaluate(`window.__bench.startFlood(${JSON.stringify(ENDLESS)}, 2e6)`);
  return (await page.evaluate('window.__bench.interrupt()')) as Timing;
}

// ---- main ---------------------------------------------------------------------

await ensureDeckBuilt(root, (s) => console.log(s));
const server = await startDemoServer({ root, port: 0, host: '127.0.0.1', mode: 'prod', demosDir: path.join(here, 'fixtures/demos') });
const page = await openTerminal(server);
const size = await page.evaluate('window.__bench.size()');
console.log(`terminal ${JSON.stringify(size)}`);
const results: Record<string, { throughput: Awaited<ReturnType<typeof throughput>>[]; echo: Timing[]; ctrlC: Timing[] }> = {};
try {
  for (let i = 0; i < ROUNDS; i++) {
    for (const r of ['dom', 'webgl'] as Renderer[]) {
      await useRenderer(page, r);
      const key = r;
      const slot = (results[key] ??= { throughput: [], echo: [], ctrlC: [] });
      const t = await throughput(page, server);
      slot.throughput.push(t);
      slot.echo.push(...(await echo(page)));
      slot.ctrlC.push(await ctrlC(page));
      console.log(`${key}: ${round(t.mbPerSecond, 2)} MB/s (${t.reads} reads, ${t.pauses} pauses), Ctrl-C ${round(slot.ctrlC.at(-1)!.drawnMs)} ms`);
    }
  }
} finally {
  await page.context().browser()?.close();
  await server.close();
}
const summary = Object.fromEntries(
  Object.entries(results).map(([k, v]) => [
    k,
    {
      mbPerSecond: round(median(v.throughput.map((t) => t.mbPerSecond)), 2),
      echoParsedMs: { p50: round(pct(v.echo.map((e) => e.parsedMs), 0.5)), p95: round(pct(v.echo.map((e) => e.parsedMs), 0.95)) },
      echoDrawnMs: { p50: round(pct(v.echo.map((e) => e.drawnMs), 0.5)), p95: round(pct(v.echo.map((e) => e.drawnMs), 0.95)) },
      ctrlCDrawnMs: round(median(v.ctrlC.map((c) => c.drawnMs))),
      bytesPerRead: Math.round(median(v.throughput.map((t) => t.bytes / t.reads))),
    },
  ]),
);
console.log(JSON.stringify(summary, null, 2));
fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
fs.writeFileSync(
  resultsFile,
  JSON.stringify({ benchmark: 'terminal pipeline', date: new Date().toISOString(), loadAverage: os.loadavg(), size, summary, results }, null, 2) + '\n',
);
