// What a presenter sees when the stage goes wrong, in a real browser against real servers:
// the demo server SIGKILLed and started again (the deck reconnects by itself, says the running
// demo was lost, and is usable without a click), a page reload and a dropped socket in the
// middle of a run (the run is taken back with its screen and its meters' history), the grace
// period passing (the run's processes end), and the fail-over to the recording (R, the button,
// and D for every terminal) when a live demo cannot run.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, gotoSlide } from '../helpers/browser.js';
import { ROOT, startTestServer } from '../helpers/server.js';
import { isRunning, killGroups, track, waitGone } from '../helpers/processes.js';
import { descendants } from '../../server/session/process-tree.js';
import type { DemoServer } from '../../server/http/demo-server.js';

const CHAT = '#chat-asyncio';
const HELLO = '#hello-blocking';
let browser: Browser;
const cleanUp: (() => unknown)[] = [];
const pids: number[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  for (const f of cleanUp.reverse()) await f();
  await browser?.close();
  killGroups(pids);
});

/** A page that keeps every WebSocket it opens (window.demoSockets), so a test can drop one. */
async function openDeck(url: string, viewport = { width: 1280, height: 720 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  cleanUp.push(() => context.close());
  await context.addInitScript(() => {
    const Native = window.WebSocket;
    const all: WebSocket[] = [];
    (window as unknown as { demoSockets: WebSocket[] }).demoSockets = all;
    window.WebSocket = class extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        all.push(this);
      }
    } as typeof WebSocket;
  });
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => window.Reveal?.isReady());
  await page.evaluate(() => window.Reveal.configure({ transition: 'none' }));
  return page;
}

const state = (page: Page, sel: string) => page.$eval(sel, (el) => (el as HTMLElement).dataset.state);
const text = (page: Page, sel: string) => page.$eval(sel, (el) => (el as HTMLElement).liveTerminal?.text() ?? '');
/** The rows the terminal shows now, as the server's screen state gives them. */
const screenText = (page: Page, sel: string) =>
  page.$eval(sel, (el) => {
    const term = (el as HTMLElement).liveTerminal!.term;
    const buf = term.buffer.active;
    const lines: string[] = [];
    for (let y = 0; y < term.rows; y++) lines.push(buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '');
    return lines.join('\n').trimEnd();
  });
const readings = (page: Page, sel: string) => page.$eval(sel, (el) => (el as HTMLElement).liveTerminal?.source?.current?.readings.length ?? 0);
const heldRun = (page: Page, id: string) => page.evaluate((k) => JSON.parse(sessionStorage.getItem(`what-is-async.run.${k}`) ?? 'null') as { runId: string } | null, id);

/** Lines kept whole: the last line before may have grown since, so it need only begin the same. */
function continues(before: string, after: string): boolean {
  const a = before.split('\n').map((l) => l.trimEnd());
  const b = after.split('\n').map((l) => l.trimEnd());
  if (b.length < a.length) return false;
  return a.every((line, i) => (i === a.length - 1 ? b[i]!.startsWith(line) : b[i] === line));
}

/** Polls until the page's screen and the server's agree (the bots type every few seconds; between their lines both are still). */
async function screensAgree(page: Page, sel: string, server: () => string | undefined): Promise<string> {
  let last = '';
  for (let i = 0; i < 100; i++) {
    const [mine, theirs] = [await screenText(page, sel), server()];
    if (mine === theirs && mine.length > 0) return mine;
    last = `page:\n${mine}\nserver:\n${theirs}`;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the page's screen never matched the server's:\n${last}`);
}

async function runChat(page: Page): Promise<void> {
  await gotoSlide(page, 'chat-demo');
  await page.waitForSelector(`${CHAT}[data-state="idle"]`);
  await page.click(`${CHAT} button[data-action="run"]`);
  await page.waitForSelector(`${CHAT}[data-state="running"]`);
  await page.waitForFunction((s) => /quit/i.test(document.querySelector<HTMLElement>(s)?.liveTerminal?.text() ?? ''), CHAT, { timeout: 15_000 });
}

describe('a running demo survives a reload and a dropped socket', () => {
  let server: DemoServer;
  beforeAll(async () => {
    server = await startTestServer({ graceSeconds: 30 });
    cleanUp.push(() => server.close());
  });

  it('a page reload takes the run back: the same screen as the server’s and as before, the meters’ history, and output goes on', { timeout: 60_000 }, async () => {
    const page = await openDeck(server.url);
    await runChat(page);
    await page.click(`${CHAT} .lt-screen`);
    await page.keyboard.type('typed before the reload');
    await page.keyboard.press('Enter');
    await page.waitForFunction((s) => /typed before the reload/.test(document.querySelector<HTMLElement>(s)!.liveTerminal!.text()), CHAT);
    const held = await heldRun(page, 'chat-asyncio');
    expect(held?.runId).toBeDefined();
    const run = server.runs.get(held!.runId)!;
    await page.waitForFunction((s) => ((document.querySelector<HTMLElement>(s)!.liveTerminal!.source!.current?.readings.length ?? 0) >= 4), CHAT, { timeout: 15_000 });
    const before = await text(page, CHAT);
    const readingsBefore = await readings(page, CHAT);
    await screensAgree(page, CHAT, () => run.screenText());

    await page.reload();
    await page.waitForFunction(() => window.Reveal?.isReady());
    // The same slide (the URL's #/chat-demo), and the run taken back by itself.
    await page.waitForSelector(`${CHAT}[data-state="running"]`, { timeout: 15_000 });
    expect(run.exit).toBeUndefined();
    expect(server.runs.count).toBe(1);
    expect((await heldRun(page, 'chat-asyncio'))?.runId).toBe(held!.runId);
    await screensAgree(page, CHAT, () => run.screenText());
    const after = await text(page, CHAT);
    expect(continues(before, after), `before:\n${before}\n\nafter:\n${after}`).toBe(true);
    expect(await readings(page, CHAT)).toBeGreaterThanOrEqual(readingsBefore);
    expect(await page.$eval(`${CHAT} .lt-status`, (e) => e.textContent)).toBe('running');
    // Output goes on, and typing reaches the program again.
    await page.click(`${CHAT} .lt-screen`);
    await page.keyboard.type('typed after the reload');
    await page.keyboard.press('Enter');
    await page.waitForFunction((s) => /typed after the reload/.test(document.querySelector<HTMLElement>(s)!.liveTerminal!.text()), CHAT);
    expect(run.paceSetter).toBeDefined();
    expect(run.consumerCount).toBe(1);
    await page.click(`${CHAT} button[data-action="stop"]`);
    await page.waitForSelector(`${CHAT}[data-state="exited"]`);
    expect(await heldRun(page, 'chat-asyncio')).toBeNull();
    await page.context().close();
  });

  it('a socket dropped under the run: "reconnecting…" then the run back, the same screen, output going on', { timeout: 60_000 }, async () => {
    const page = await openDeck(server.url);
    await runChat(page);
    const held = (await heldRun(page, 'chat-asyncio'))!;
    const run = server.runs.get(held.runId)!;
    await screensAgree(page, CHAT, () => run.screenText());
    const before = await text(page, CHAT);
    const seen: string[] = [];
    await page.exposeFunction('noteLink', (s: string) => seen.push(s));
    await page.evaluate((s) => {
      const el = document.querySelector<HTMLElement>(s)!;
      new MutationObserver(() => (window as unknown as { noteLink(s: string): void }).noteLink(el.dataset.link ?? 'none')).observe(el, { attributes: true, attributeFilter: ['data-link'] });
      (window as unknown as { demoSockets: WebSocket[] }).demoSockets.at(-1)!.close();
    }, CHAT);
    await page.waitForFunction(() => (window as unknown as { demoSockets: WebSocket[] }).demoSockets.at(-1)!.readyState === WebSocket.OPEN);
    await page.waitForFunction((s) => !document.querySelector<HTMLElement>(s)!.dataset.link && document.documentElement.dataset.demoLink === 'open', CHAT);
    expect(seen).toEqual(['reconnecting', 'none']);
    expect(await state(page, CHAT)).toBe('running');
    await screensAgree(page, CHAT, () => run.screenText());
    expect(continues(before, await text(page, CHAT))).toBe(true);
    await page.click(`${CHAT} .lt-screen`);
    await page.keyboard.type('after the drop');
    await page.keyboard.press('Enter');
    await page.waitForFunction((s) => /after the drop/.test(document.querySelector<HTMLElement>(s)!.liveTerminal!.text()), CHAT);
    expect(run.consumerCount).toBe(1);
    await page.context().close();
    // The page is gone: the run waits for it (30 s here), then stops. Stopped now, by the server's owner.
    await run.stop();
  });

  it('after the grace period the run is stopped and its whole process tree is gone', async () => {
    const brief = await startTestServer({ graceSeconds: 1 });
    cleanUp.push(() => brief.close());
    const page = await openDeck(brief.url);
    await runChat(page);
    const run = brief.runs.get((await heldRun(page, 'chat-asyncio'))!.runId)!;
    const tree = [run.pid, ...descendants(run.pid)].map(track);
    pids.push(...tree);
    await page.context().close();
    expect((await run.done).reason).toBe('disconnected');
    expect(tree.filter(isRunning)).toEqual([]);
  });
});

describe('the server killed and started again; fail-over to the recording', () => {
  let child: ChildProcess | undefined;
  let port = 0;

  async function startChild(p: number): Promise<number> {
    const c = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/servers/deck-server.ts', String(p)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    child = c;
    pids.push(track(c.pid!));
    return new Promise((resolve, reject) => {
      let out = '';
      c.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      c.once('exit', (code) => reject(new Error(`the server exited (${code}) before it listened: ${out}`)));
    });
  }
  beforeAll(async () => {
    port = await startChild(0);
    cleanUp.push(() => {
      if (child && child.exitCode === null) child.kill('SIGTERM');
    });
  });

  it('reconnects by itself within 2 s of the server being back, says the running demo was lost, and is usable; R plays a recording where Run failed', { timeout: 90_000 }, async () => {
    const page = await openDeck(`http://127.0.0.1:${port}/`);
    await runChat(page);
    const tree = [child!.pid!, ...descendants(child!.pid!)].map(track);
    pids.push(...tree);
    const order: string[] = [];
    child!.kill('SIGKILL');
    await page.waitForFunction(() => document.documentElement.dataset.demoLink === 'reconnecting', null, { timeout: 10_000 });
    order.push('status shown');
    expect(await page.$eval('.demo-link', (e) => (e as HTMLElement).hidden ? '' : e.textContent)).toMatch(/reconnecting…/);
    await page.waitForSelector(`${CHAT}[data-link="reconnecting"]`);
    expect(await page.$eval(`${CHAT} .lt-status`, (e) => e.textContent)).toBe('reconnecting…');
    // A calm note, not an error: the terminal still shows its run.
    expect(await state(page, CHAT)).toBe('running');

    // No server: Run on another terminal fails, and offers its recording; R plays it, labelled.
    await gotoSlide(page, 'hello-demo');
    await page.waitForSelector(`${HELLO}[data-state="idle"]`);
    await page.click(`${HELLO} button[data-action="run"]`);
    await page.waitForSelector(`${HELLO}[data-state="error"][data-offer="recording"]`);
    expect(await text(page, HELLO)).toMatch(/press R/);
    await page.keyboard.press('r'); // the terminal gave the keys back to the deck when its run failed
    await page.waitForSelector(`${HELLO}[data-source="recording"] .lt-recorded`);
    expect(await page.$eval(`${HELLO} .lt-recorded`, (e) => e.textContent)).toMatch(/^recorded on \d{4}-\d\d-\d\d · .+, Python 3/);
    await page.waitForFunction((s) => document.querySelector<HTMLElement>(s)?.dataset.state !== 'error', HELLO);
    await page.waitForFunction((s) => /requests in/.test(document.querySelector<HTMLElement>(s)!.liveTerminal!.text()), HELLO, { timeout: 20_000 });
    await gotoSlide(page, 'chat-demo');
    order.push('server down');

    // The server again, on the same port (its sweep ends what the dead one left).
    const back = Date.now();
    expect(await startChild(port)).toBe(port);
    const listening = Date.now();
    order.push('server back');
    await page.waitForFunction(
      (s) => document.documentElement.dataset.demoLink === 'open' && /The demo that was running was lost/.test(document.querySelector<HTMLElement>(s)!.liveTerminal!.text()),
      CHAT,
      { timeout: 10_000, polling: 50 },
    );
    const usable = Date.now();
    order.push('usable');
    console.log(`reconnect: the server listened ${listening - back} ms after its start; the page was usable ${usable - listening} ms after that`);
    expect(order).toEqual(['status shown', 'server down', 'server back', 'usable']);
    expect(usable - listening).toBeLessThan(2000);
    expect(await page.$eval('.demo-link', (e) => (e as HTMLElement).hidden)).toBe(true);
    expect(await state(page, CHAT)).toBe('error');
    expect(await page.$eval(`${CHAT}`, (e) => (e as HTMLElement).dataset.offer)).toBe('recording');
    // Nothing of the killed server's demo is left.
    expect(await waitGone(tree, 5000)).toEqual([]);
    // Usable: Run starts the demo on the new server, no reload.
    await page.click(`${CHAT} button[data-action="run"]`);
    await page.waitForSelector(`${CHAT}[data-state="running"]`);
    await page.waitForFunction((s) => /quit/i.test(document.querySelector<HTMLElement>(s)!.liveTerminal!.text()), CHAT, { timeout: 15_000 });

    // D: every terminal plays its recording (the meters its track), and D again: live.
    await page.click('#chat-demo h2'); // the keys back to the slides, as the caption says
    await page.keyboard.press('d');
    await page.waitForSelector(`${CHAT}[data-source="recording"]`);
    expect(await page.$eval('.demo-link', (e) => e.textContent)).toMatch(/demos: recordings/);
    await page.click(`${CHAT} button[data-action="run"]`);
    await page.waitForFunction((s) => Number(document.querySelector<HTMLElement>(s)?.dataset.rssBytes ?? 0) > 0, '#chat-demo .live-meters', { timeout: 15_000 });
    // Mounted later, a terminal follows the switch too: the hello slide's now replay.
    await gotoSlide(page, 'hello-demo');
    await page.waitForSelector(`#hello-selectors[data-source="recording"]`);
    await gotoSlide(page, 'chat-demo');
    await page.keyboard.press('d');
    await page.waitForSelector(`${CHAT}[data-source="live"][data-state="idle"]`);
    expect(await page.$eval('.demo-link', (e) => (e as HTMLElement).hidden)).toBe(true);
    await page.context().close();
  });
});

describe('fail-over when the server refuses a start, or the demo crashes', () => {
  it('a start refused (the server at its limit) offers the recording: the button plays it in place', async () => {
    const full = await startTestServer({ runsTotal: 0 });
    cleanUp.push(() => full.close());
    const page = await openDeck(full.url, { width: 1024, height: 768 }); // a projector's size
    await gotoSlide(page, 'chat-demo');
    await page.waitForSelector(`${CHAT}[data-state="idle"]`);
    await page.click(`${CHAT} button[data-action="run"]`);
    await page.waitForSelector(`${CHAT}[data-state="error"][data-offer="recording"]`);
    expect(await text(page, CHAT)).toMatch(/its limit/);
    await page.click(`${CHAT} button[data-action="recording"]`);
    await page.waitForSelector(`${CHAT}[data-source="recording"][data-state="running"]`);
    expect(await page.$eval(`${CHAT} .lt-recorded`, (e) => e.textContent)).toMatch(/^recorded on \d{4}-/);
    // …where a person sees it: inside the terminal's box, not under its screen (at 1024×768 the deck is scaled to 0.77).
    expect(
      await page.$eval(`${CHAT} .lt-recorded`, (e) => {
        const r = e.getBoundingClientRect();
        const box = e.closest('.live-terminal')!.getBoundingClientRect();
        const top = document.elementFromPoint(r.left + 5, r.top + r.height / 2);
        return { inside: r.bottom <= box.bottom + 1 && r.top >= box.top, onTop: top === e || e.contains(top) };
      }),
    ).toEqual({ inside: true, onTop: true });
    await page.waitForFunction((s) => Number(document.querySelector<HTMLElement>(s)?.dataset.rssBytes ?? 0) > 0, '#chat-demo .live-meters', { timeout: 15_000 });
    await page.context().close();
  });

  it('a demo that crashes offers the recording of the same demo and parameters', { timeout: 60_000 }, async () => {
    // The project's demos, with hello's blocking sample replaced by one that crashes.
    const demos = mkdtempSync(join(tmpdir(), 'wia-crashing-demos-'));
    cleanUp.push(() => rmSync(demos, { recursive: true, force: true }));
    cpSync(join(ROOT, 'demos'), demos, { recursive: true, filter: (src) => !src.includes('/recordings') });
    writeFileSync(join(demos, 'hello/blocking.py'), 'import sys\nprint("connecting…", flush=True)\nraise SystemExit("lost the backend")\n');
    expect(readFileSync(join(demos, 'hello/demo.json'), 'utf8')).toMatch(/blocking\.py/);
    const crashing = await startTestServer({ demosDir: demos });
    cleanUp.push(() => crashing.close());
    const page = await openDeck(crashing.url);
    await gotoSlide(page, 'hello-demo');
    await page.waitForSelector(`${HELLO}[data-state="idle"]`);
    await page.click(`${HELLO} button[data-action="run"]`);
    await page.waitForSelector(`${HELLO}[data-state="exited"][data-offer="recording"]`, { timeout: 15_000 });
    expect(await text(page, HELLO)).toMatch(/exited with code 1/);
    // A clean exit offers nothing.
    expect(await page.$eval('#hello-selectors', (e) => (e as HTMLElement).dataset.offer ?? '')).toBe('');
    await page.keyboard.press('r'); // the terminal gave the keys back to the deck when its run failed
    await page.waitForSelector(`${HELLO}[data-source="recording"]`);
    await page.waitForFunction((s) => /requests in/.test(document.querySelector<HTMLElement>(s)!.liveTerminal!.text()), HELLO, { timeout: 20_000 });
    await page.context().close();
  });
});
