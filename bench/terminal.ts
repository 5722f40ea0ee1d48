/**
 * The terminal pipeline, end to end. Run: npm run bench -- terminal  (~10 min on a busy machine)
 *
 * A throwaway demo server on a loopback port (the real server, PTY and page socket) runs
 * bench/fixtures/demos/shell (bash with a known prompt) in the deck's own terminal widget, in
 * headless Chromium, with each renderer forced in turn (DOM, and WebGL — SwiftShader here):
 *   throughput  MB/s of 20 MB of 80-column lines (`yes … | head -n 250000`), from Enter until the
 *               prompt after it is parsed and drawn;
 *   echo        ms from a key pressed (its keydown in the page) until its echo is parsed, and
 *               until the frame that shows it; p50 and p95 of 40 keys at an idle prompt;
 *   Ctrl-C      ms from Ctrl-C during an endless flood until the prompt is back and drawn; median.
 * Two pipelines side by side, each with its own server and browser, alternating so they share
 * the machine's load: "before" (a 128/16 KiB window, a frame per PTY read, a terminal write per
 * frame) and "now" (DEFAULT_PIPELINE, and one write per frame drawn). Where the time goes, per
 * flood: PTY reads, frames and terminal writes, frames drawn, acks, the time the PTY was held,
 * the page's main-thread time (CDP Performance metrics) and CPU ms per MB of the server, the
 * browser's processes and the flood program (/proc). Writes bench/results/terminal.json.
 * Options: --rounds N, --lines N, --renderers dom,webgl, --pipelines name=high:low:ms:coalesce,…;
 * --external URL --term EXPR measures another server's page (see the README).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CDPSession, Page } from 'playwright-core';
import { startDemoServer, type DemoServer } from '../server/http/demo-server.js';
import { DEFAULT_PIPELINE, type PagePipeline } from '../server/session/page-socket.js';
import { DEFAULT_BATCHING, NO_BATCHING } from '../server/session/output-batcher.js';
import { ensureDeckBuilt } from '../server/http/deck-build.js';
import { launchBrowser, gotoSlide } from '../tests/helpers/browser.js';
import { pageScript } from './terminal-page.js';
import { cpuMsOf, processTree } from './process-cpu.js';

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
    // The DOM renderer is chosen by telling the widget its slide is away, which would stop its run.
    el.dataset.keepRunning = '';
    document.querySelector('#hello-demo')!.replaceChildren(el);
  });
  await gotoSlide(page, 'hello-demo');
  await page.waitForSelector('#bench-term[data-state="idle"]');
  await page.click('#bench-term button[data-action="run"]');
  await page.waitForSelector('#bench-term[data-state="running"]');
  await page.evaluate(pageScript());
  await page.evaluate('window.__bench.atPrompt()');
  return page;
}

async function useRenderer(page: Page, r: Renderer): Promise<void> {
  await page.evaluate(`(() => { const w = document.getElementById('bench-term').liveTerminal; ${r === 'dom' ? 'w.hidden()' : 'w.shown()'}; })()`);
  await page.waitForSelector(`#bench-term[data-renderer="${r}"]`, { timeout: 10_000 });
}

type Counts = Record<'writes' | 'writeBytes' | 'acks' | 'ackBytes' | 'renders' | 'frames', number>;
const PERF = ['TaskDuration', 'ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration'] as const;

async function perfMetrics(cdp: CDPSession): Promise<Record<string, number>> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  return Object.fromEntries(metrics.filter((m) => (PERF as readonly string[]).includes(m.name)).map((m) => [m.name, m.value * 1000]));
}

async function throughput({ page, cdp, server, browserPids }: Rig) {
  const run = [...server.runs.values()][0]!;
  const b0 = cpuMsOf(browserPids);
  const r0 = cpuMsOf([run.pid]);
  const s0 = structuredClone(run.stats);
  const c0 = (await page.evaluate('window.__bench.counts()')) as Counts;
  const p0 = await perfMetrics(cdp);
  const cpu0 = process.cpuUsage();
  const ms = (await page.evaluate(`window.__bench.throughput(${JSON.stringify(FLOOD)})`)) as Timing;
  const cpu = process.cpuUsage(cpu0);
  const browserCpuMs = cpuMsOf(browserPids) - b0;
  const programCpuMs = cpuMsOf([run.pid]) - r0;
  const p1 = await perfMetrics(cdp);
  const c1 = (await page.evaluate('window.__bench.counts()')) as Counts;
  const s1 = run.stats;
  const bytes = s1.outputBytes - s0.outputBytes;
  const pauses = (s: typeof s0) => s.pauses.acks + s.pauses.socket + s.pauses.screen;
  const page_ = Object.fromEntries(Object.keys(c1).map((k) => [k, c1[k as keyof Counts] - c0[k as keyof Counts]])) as Counts;
  return {
    mbPerSecond: bytes / MB / (ms.drawnMs / 1000),
    bytes,
    ms,
    server: {
      reads: s1.outputEvents - s0.outputEvents,
      pauses: pauses(s1) - pauses(s0),
      pausesBy: { acks: s1.pauses.acks - s0.pauses.acks, socket: s1.pauses.socket - s0.pauses.socket, screen: s1.pauses.screen - s0.pauses.screen },
      heldMs: s1.heldMs - s0.heldMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
    },
    /** CPU ms per MB: the server's process, the browser's processes, the flood program (bash, yes, head). */
    cpuMsPerMB: {
      server: (cpu.user + cpu.system) / 1000 / (bytes / MB),
      browser: browserCpuMs / (bytes / MB),
      program: programCpuMs / (bytes / MB),
    },
    page: { ...page_, ...(Object.fromEntries(PERF.map((k) => [k, p1[k]! - p0[k]!])) as Record<(typeof PERF)[number], number>) },
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

// ---- the pipelines compared ------------------------------------------------------

const KiB = 1024;
/** How output reached the page before this benchmark's findings: a 128/16 KiB window, a frame per PTY read. */
/** A pipeline: the server's side (window, frame batching) and the page's (one write per frame). */
type Pipeline = PagePipeline & { coalesceWrites: boolean };
const BEFORE: Pipeline = { window: { high: 128 * KiB, low: 16 * KiB }, batching: NO_BATCHING, coalesceWrites: false };
const NOW: Pipeline = { ...DEFAULT_PIPELINE, coalesceWrites: true };
/** `name=high:low:windowMs:coalesce` (KiB, KiB, ms, 0|1), comma-separated, replaces the default pair (for trying settings). */
function pipelines(): Record<string, Pipeline> {
  const spec = arg('--pipelines');
  if (!spec) return { before: BEFORE, now: NOW };
  return Object.fromEntries(
    spec.split(',').map((p) => {
      const [name, v] = p.split('=') as [string, string];
      const [high, low, windowMs, coalesce] = v.split(':').map(Number) as [number, number, number, number];
      return [name, { window: { high: high * KiB, low: low * KiB }, batching: { windowMs, maxFrameBytes: DEFAULT_BATCHING.maxFrameBytes }, coalesceWrites: coalesce !== 0 }];
    }),
  );
}

// ---- another terminal server, in the same harness (see the README: a wetty comparison) ----

/**
 * `--external URL`: a page already serving bash with the bench's prompt (bench/fixtures/demos/shell/
 * bench.rc), whose xterm.js Terminal `--term EXPR` names. Same throughput, echo and Ctrl-C as
 * above, with whatever renderer that page uses; the bytes are what its terminal was given.
 */
async function external(url: string, termExpr: string): Promise<void> {
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  const out: { mbPerSecond: number; echo: Timing[]; ctrlC: Timing }[] = [];
  try {
    await page.goto(url);
    await page.waitForFunction(`!!(${termExpr})`, undefined, { timeout: 30_000 });
    await page.evaluate(pageScript(termExpr));
    await page.evaluate('window.__bench.atPrompt()');
    for (let i = 0; i < ROUNDS; i++) {
      const c0 = (await page.evaluate('window.__bench.counts()')) as Counts;
      const ms = (await page.evaluate(`window.__bench.throughput(${JSON.stringify(FLOOD)})`)) as Timing;
      const c1 = (await page.evaluate('window.__bench.counts()')) as Counts;
      const mbPerSecond = (c1.writeBytes - c0.writeBytes) / MB / (ms.drawnMs / 1000);
      await page.evaluate(`(${termExpr}).focus()`);
      const echoes: Timing[] = [];
      let typed = '';
      for (let k = 0; k < ECHO_KEYS; k++) {
        typed += 'abcdefghij'[k % 10]!;
        await page.keyboard.press(typed.at(-1)!);
        echoes.push((await page.evaluate(`window.__bench.echo(${JSON.stringify(typed)})`)) as Timing);
      }
      await page.keyboard.press('Control+U');
      await page.evaluate('window.__bench.atPrompt()');
      await page.evaluate(`window.__bench.startFlood(${JSON.stringify(ENDLESS)}, 2e6)`);
      const c = (await page.evaluate('window.__bench.interrupt()')) as Timing;
      out.push({ mbPerSecond, echo: echoes, ctrlC: c });
      console.log(`external: ${round(mbPerSecond, 2)} MB/s, echo p50 ${round(pct(echoes.map((e) => e.parsedMs), 0.5))} ms, Ctrl-C ${round(c.drawnMs)} ms`);
    }
  } finally {
    await browser.close();
  }
  const echo = out.flatMap((o) => o.echo.map((e) => e.parsedMs));
  console.log(JSON.stringify({ url, mbPerSecond: round(median(out.map((o) => o.mbPerSecond)), 2), echoParsedMs: { p50: round(pct(echo, 0.5)), p95: round(pct(echo, 0.95)) }, ctrlCDrawnMs: round(median(out.map((o) => o.ctrlC.drawnMs))) }));
}

// ---- main ---------------------------------------------------------------------

const externalUrl = arg('--external');
if (externalUrl) {
  await external(externalUrl, arg('--term') ?? 'window.term');
  process.exit(0);
}
await ensureDeckBuilt(root, (s) => console.log(s));
const renderers = (arg('--renderers') ?? 'dom,webgl').split(',') as Renderer[];
interface Rig { server: DemoServer; page: Page; cdp: CDPSession; browserPids: number[] }
const rigs: Record<string, Rig> = {};
type Slot = { throughput: Awaited<ReturnType<typeof throughput>>[]; echo: Timing[]; ctrlC: Timing[] };
const results: Record<string, Slot> = {};
let size: unknown;
const chosen = pipelines();
try {
  for (const [name, pipeline] of Object.entries(chosen)) {
    const server = await startDemoServer({ root, port: 0, host: '127.0.0.1', mode: 'prod', demosDir: path.join(here, 'fixtures/demos'), pipeline });
    const mine = new Set(processTree(process.pid));
    const page = await openTerminal(server);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.evaluate(`document.getElementById('bench-term').liveTerminal.sourceAddon.coalesce = ${pipeline.coalesceWrites}`);
    const run = new Set(processTree([...server.runs.values()][0]!.pid));
    const browserPids = processTree(process.pid).filter((p) => !mine.has(p) && !run.has(p));
    rigs[name] = { server, page, cdp, browserPids };
    size = await page.evaluate('window.__bench.size()');
  }
  console.log(`terminal ${JSON.stringify(size)}; pipelines ${JSON.stringify(chosen)}`);
  // Alternating, so every setting shares the machine's load alike.
  for (let i = 0; i < ROUNDS; i++) {
    for (const r of renderers) {
      for (const [name, { page }] of Object.entries(rigs)) {
        await useRenderer(page, r);
        const key = `${r}/${name}`;
        const slot = (results[key] ??= { throughput: [], echo: [], ctrlC: [] });
        const t = await throughput(rigs[name]!);
        slot.throughput.push(t);
        slot.echo.push(...(await echo(page)));
        slot.ctrlC.push(await ctrlC(page));
        console.log(`${key}: ${round(t.mbPerSecond, 2)} MB/s in ${round(t.ms.drawnMs)} ms, CPU ms/MB ${JSON.stringify(t.cpuMsPerMB, (k, v) => (typeof v === 'number' ? Math.round(v) : v))}, Ctrl-C ${round(slot.ctrlC.at(-1)!.drawnMs)} ms\n  server ${JSON.stringify(t.server, (k, v) => (typeof v === 'number' ? Math.round(v) : v))}\n  page ${JSON.stringify(t.page, (k, v) => (typeof v === 'number' ? Math.round(v) : v))}`);
      }
    }
  }
} finally {
  for (const { page, server } of Object.values(rigs)) {
    await page.context().browser()?.close();
    await server.close();
  }
}
const summary = Object.fromEntries(
  Object.entries(results).map(([k, v]) => [
    k,
    {
      mbPerSecond: round(median(v.throughput.map((t) => t.mbPerSecond)), 2),
      echoParsedMs: { p50: round(pct(v.echo.map((e) => e.parsedMs), 0.5)), p95: round(pct(v.echo.map((e) => e.parsedMs), 0.95)) },
      echoDrawnMs: { p50: round(pct(v.echo.map((e) => e.drawnMs), 0.5)), p95: round(pct(v.echo.map((e) => e.drawnMs), 0.95)) },
      ctrlCDrawnMs: round(median(v.ctrlC.map((c) => c.drawnMs))),
      bytesPerRead: Math.round(median(v.throughput.map((t) => t.bytes / t.server.reads))),
      bytesPerWrite: Math.round(median(v.throughput.map((t) => t.bytes / t.page.writes))),
      bytesPerRender: Math.round(median(v.throughput.map((t) => t.bytes / t.page.renders))),
      cpuMsPerMB: Object.fromEntries(
        (['server', 'browser', 'program'] as const).map((k) => [k, Math.round(median(v.throughput.map((t) => t.cpuMsPerMB[k])))]),
      ),
      heldShare: round(median(v.throughput.map((t) => t.server.heldMs / t.ms.drawnMs)), 2),
      mainThreadBusyShare: round(median(v.throughput.map((t) => t.page.TaskDuration / t.ms.drawnMs)), 2),
    },
  ]),
);
console.log(JSON.stringify(summary, null, 2));
fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
fs.writeFileSync(
  resultsFile,
  JSON.stringify({ benchmark: 'terminal pipeline', date: new Date().toISOString(), loadAverage: os.loadavg(), size, pipelines: chosen, summary, results }, null, 2) + '\n',
);
