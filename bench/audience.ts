/**
 * Can the audience slow the presenter? Run: npx tsx bench/audience.ts [viewers]  (~2-3 min)
 *
 * A demo server (bench/audience-server.ts, its own process) runs a flooding demo (the test
 * fixture `flood`, Python writing as fast as it can) that the presenter follows and
 * acknowledges at once, with N audience viewers following it: N WebSocket clients from this
 * process (spread over 10 loopback source addresses, each acknowledging what it got in 16 KiB
 * batches, as a page does) and 2 real Chromium pages at 390×844 on the audience URL, showing
 * the flood in the slide's terminal. Meanwhile the presenter types into a second run (the
 * fixture `stdin-hash`, which the terminal echoes) and measures:
 *   echo     ms from a keystroke sent to its echo back, 40 keystrokes, median and p90;
 *   ctrl-c   ms from Ctrl-C sent to the flood to its exit message (its whole tree gone), 3 floods;
 *   memory   the server's RSS with the viewers on (and the flood running) minus without, per viewer.
 * Once with no viewers, then with N (default 500), side by side in one run; the ratios are
 * with ÷ without (goal ≤ 1.2). Writes bench/results/audience.json. Bounded: fixed counts and
 * a deadline on every wait; every run is stopped and the server ended at the end.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { chromium, type Browser } from 'playwright-core';
import { Op, PROTOCOL, decodeFrame, encodeFrame, type ServerMessage } from '../shared/wire.js';
import { findBrowserPath } from '../server/registry/browser.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const resultsFile = path.join(here, 'results', 'audience.json');
const VIEWERS = Number(process.argv[2] ?? 500);
const SOURCES = 10;
const KEYS = 40;
const FLOODS = 3;
const PAGES = Number(process.env.AUDIENCE_BENCH_PAGES ?? 2);
const TERMINAL = 'hello-blocking'; // a terminal of a real slide, so the browser pages show it

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** CPU seconds the process has used (user + system), from /proc/PID/stat. */
function cpuOf(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

async function until<T>(f: () => T | undefined | false, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** A socket that speaks the protocol: JSON messages kept, output bytes counted (and kept, if asked). */
class Client {
  readonly messages: ServerMessage[] = [];
  text = '';
  bytes = 0;
  /** The session whose output is kept in `text` (the others are only counted). */
  keepSession: number | undefined;
  private constructor(
    readonly ws: WebSocket,
    keep: boolean,
    ack: number | undefined,
  ) {
    let pending = 0;
    ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) return void this.messages.push(JSON.parse(data.toString()) as ServerMessage);
      const f = decodeFrame(new Uint8Array(data));
      if (!f || f.op !== Op.output) return;
      this.bytes += f.payload.byteLength;
      if (keep && f.session === this.keepSession) this.text = (this.text + Buffer.from(f.payload).toString('latin1')).slice(-4096);
      if (ack !== undefined) {
        pending += f.payload.byteLength;
        if (pending >= ack) {
          ws.send(JSON.stringify({ type: 'ack', session: f.session, bytes: pending }));
          pending = 0;
        }
      }
    });
  }
  static open(url: string, origin: string, opts: { keep?: boolean; ack?: number; localAddress?: string } = {}): Promise<Client> {
    const ws = new WebSocket(url, PROTOCOL, { headers: { origin }, ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new Client(ws, opts.keep ?? false, opts.ack)));
      ws.once('error', reject);
      ws.once('unexpected-response', (_q, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }
  send(m: object): void {
    this.ws.send(JSON.stringify(m));
  }
  has(pred: (m: ServerMessage) => boolean): ServerMessage | undefined {
    return this.messages.find(pred);
  }
}

async function startServer(): Promise<{ pid: number; port: number; audiencePort: number; audienceUrl: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx/esm', path.join(here, 'audience-server.ts')], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.once('exit', (code) => reject(new Error(`the server exited (${code}) before it listened`)));
  });
  const [, port, audiencePort, audienceUrl] = line.split(' ');
  return {
    pid: child.pid!,
    port: Number(port),
    audiencePort: Number(audiencePort),
    audienceUrl: audienceUrl!,
    stop: async () => {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

async function main(): Promise<void> {
  const server = await startServer();
  const presenterUrl = `ws://127.0.0.1:${server.port}/ws`;
  const presenterOrigin = `http://127.0.0.1:${server.port}`;
  const token = new URL(server.audienceUrl).searchParams.get('token')!;
  const audienceWs = `ws://127.0.0.2:${server.audiencePort}/ws?token=${token}`;
  const audienceOrigin = `http://127.0.0.2:${server.audiencePort}`;
  let session = 100;
  let browser: Browser | undefined;

  const presenter = await Client.open(presenterUrl, presenterOrigin, { keep: true });
  // The presenter acknowledges every frame at once: it sets the flood's pace, as fast as the server goes.
  presenter.ws.on('message', (data: Buffer, isBinary) => {
    if (!isBinary) return;
    const f = decodeFrame(new Uint8Array(data));
    if (f && f.op === Op.output) presenter.send({ type: 'ack', session: f.session, bytes: f.payload.byteLength });
  });
  presenter.send({ type: 'nav', slide: 'hello-demo', h: 0, v: 3, f: -1 });

  async function startRun(demo: string, variant: string, terminal?: string): Promise<number> {
    const id = ++session;
    presenter.send({ type: 'start', session: id, demo, variant, cols: 80, rows: 24, ...(terminal ? { terminal } : {}) });
    await until(() => presenter.has((m) => m.type === 'started' && m.session === id) || presenter.has((m) => m.type === 'error' && m.session === id), 20_000, `${demo} started`);
    const err = presenter.has((m) => m.type === 'error' && m.session === id);
    if (err && err.type === 'error') throw new Error(err.message);
    return id;
  }

  async function measure(label: string, flood: number): Promise<{ echoMs: number[]; ctrlCMs: number[]; floodBytes: number; serverCores: number }> {
    const cpu0 = cpuOf(server.pid);
    const wall0 = performance.now();
    // Echo: stdin-hash reads lines; the terminal echoes each key as it is typed.
    const echo = await startRun('stdin-hash', 'lines');
    presenter.keepSession = echo;
    await sleep(500);
    const echoMs: number[] = [];
    for (let i = 0; i < KEYS; i++) {
      const key = String.fromCharCode(97 + (i % 26));
      const mark = `${key}${i % 10}`;
      presenter.text = '';
      const t0 = performance.now();
      presenter.ws.send(encodeFrame(Op.input, echo, Buffer.from(mark)));
      await until(() => presenter.text.includes(mark), 20_000, `echo ${i}`);
      echoMs.push(performance.now() - t0);
      await sleep(20);
    }
    presenter.send({ type: 'stop', session: echo });
    // Ctrl-C: the flood now, then a fresh flood (its watchers are attached again as it starts).
    const ctrlCMs: number[] = [];
    let current = flood;
    const floodBytes0 = presenter.bytes;
    for (let i = 0; i < FLOODS; i++) {
      await sleep(1500);
      const t0 = performance.now();
      presenter.ws.send(encodeFrame(Op.input, current, Buffer.from('\x03')));
      await until(() => presenter.has((m) => m.type === 'exit' && m.session === current), 30_000, 'the flood\'s exit');
      ctrlCMs.push(performance.now() - t0);
      if (i < FLOODS - 1) current = await startRun('flood', 'python', TERMINAL);
    }
    const serverCores = (cpuOf(server.pid) - cpu0) / ((performance.now() - wall0) / 1000);
    console.log(`${label}: echo median ${round(median(echoMs))} ms, ctrl-c median ${round(median(ctrlCMs))} ms, server ${round(serverCores)} cores`);
    return { echoMs, ctrlCMs, floodBytes: presenter.bytes - floodBytes0, serverCores };
  }

  try {
    // 1. No viewers.
    const rssIdle = rssOf(server.pid);
    const flood0 = await startRun('flood', 'python', TERMINAL);
    await sleep(1000);
    const rssFlood0 = rssOf(server.pid);
    const without = await measure('no viewers', flood0);

    // 2. N viewers (and two real pages), then the same measurements.
    const viewers: Client[] = [];
    const t0 = performance.now();
    for (let i = 0; i < VIEWERS; i++) {
      const v = await Client.open(audienceWs, audienceOrigin, { ack: 16 * 1024, localAddress: `127.0.1.${1 + (i % SOURCES)}` });
      v.send({ type: 'watch', session: 1, terminal: TERMINAL });
      viewers.push(v);
    }
    const connectSeconds = (performance.now() - t0) / 1000;
    const executablePath = findBrowserPath();
    const pages: { watching: boolean; text: number }[] = [];
    if (executablePath && PAGES > 0) {
      browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
      for (let i = 0; i < PAGES; i++) {
        const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
        await page.goto(server.audienceUrl);
        await page.waitForFunction(() => window.Reveal?.isReady(), null, { timeout: 30_000 });
      }
    }
    const flood1 = await startRun('flood', 'python', TERMINAL);
    await sleep(3000);
    const rssViewers = rssOf(server.pid);
    if (browser) {
      for (const ctx of browser.contexts()) {
        for (const page of ctx.pages()) {
          const p = await page.evaluate(() => {
            const el = document.querySelector<HTMLElement>('#hello-blocking');
            return { watching: el?.dataset.watching === 'true', text: el?.liveTerminal?.text().length ?? 0 };
          });
          pages.push(p);
        }
      }
    }
    const withViewers = await measure(`${VIEWERS} viewers`, flood1);
    const viewerBytes = viewers.map((v) => v.bytes);
    const resyncs = viewers.reduce((n, v) => n + v.messages.filter((m) => m.type === 'attached').length, 0);

    const result = {
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, load: os.loadavg().map((l) => round(l)) },
      viewers: VIEWERS,
      browserPages: pages,
      connectSeconds: round(connectSeconds),
      echo: {
        withoutMs: { median: round(median(without.echoMs)), p90: round(pct(without.echoMs, 0.9)) },
        withMs: { median: round(median(withViewers.echoMs)), p90: round(pct(withViewers.echoMs, 0.9)) },
        ratio: round(median(withViewers.echoMs) / median(without.echoMs)),
      },
      ctrlC: {
        withoutMs: without.ctrlCMs.map((x) => round(x)),
        withMs: withViewers.ctrlCMs.map((x) => round(x)),
        ratio: round(median(withViewers.ctrlCMs) / median(without.ctrlCMs)),
      },
      serverCpuCores: { without: round(without.serverCores), with: round(withViewers.serverCores) },
      presenterFloodMB: { without: round(without.floodBytes / 1e6, 1), with: round(withViewers.floodBytes / 1e6, 1) },
      viewerMB: { median: round(median(viewerBytes) / 1e6, 2), max: round(Math.max(...viewerBytes) / 1e6, 2) },
      attachedMessages: resyncs,
      serverRss: {
        idleMiB: round(rssIdle / 2 ** 20, 1),
        floodMiB: round(rssFlood0 / 2 ** 20, 1),
        floodWithViewersMiB: round(rssViewers / 2 ** 20, 1),
        perViewerKiB: round((rssViewers - rssFlood0) / VIEWERS / 1024, 1),
      },
    };
    fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
    fs.writeFileSync(resultsFile, JSON.stringify(result, null, 2) + '\n');
    console.log(JSON.stringify(result, null, 2));
    for (const v of viewers) v.ws.terminate();
  } finally {
    await browser?.close();
    presenter.ws.terminate();
    await server.stop();
  }
}

await main();
