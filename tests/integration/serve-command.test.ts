// `npm start` as a user runs it: the CLI serves the deck, prints its URL, and on SIGINT or
// SIGTERM ends every demo process it started before it exits.
import { describe, it, expect, afterAll } from 'vitest';
import { spawnCli, collect, waitForOutput } from '../helpers/cli.js';
import { TestClient } from '../helpers/ws-client.js';
import { waitGone, killAll } from '../helpers/processes.js';

const started: number[] = [];
afterAll(() => killAll(started));

describe('serve', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('serves the deck and leaves no demo process after %s', async (signal) => {
    const child = spawnCli(['serve', '--port', '0']);
    started.push(child.pid!);
    const io = collect(child);
    const [, url, port] = await waitForOutput(io.out, /(http:\/\/127\.0\.0\.1:(\d+)\/)/);
    // The URL comes first, set apart, not after pages of build output.
    expect(io.out().split('\n').findIndex((l) => l.includes(url!))).toBeLessThan(5);
    expect(io.out()).toMatch(/^ {2}➜ {2}http:\/\/127\.0\.0\.1:\d+\/$/m);
    const res = await fetch(url!);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/<div class="reveal">/);

    const c = await TestClient.connect(Number(port));
    c.send({ type: 'start', session: 1, demo: 'hello', variant: 'blocking', params: { count: 10, delay: 3 }, cols: 80, rows: 24 });
    const pid = (await c.message('started', 1)).pid;
    started.push(pid);
    await c.until(() => /request sent/.test(c.text(1)), 10_000, 'the demo running');

    child.kill(signal);
    expect(await io.exit).toBe(0);
    expect(await waitGone([pid], 1000)).toEqual([]);
    expect(io.out()).toMatch(new RegExp(`${signal}: stopping demos`));
  });

  it.each([
    [['serve', '--port', 'eighty'], /--port must be a whole number from 0 to 65535; got "eighty"/],
    [['serve', '--port', '0x50'], /--port must be a whole number from 0 to 65535; got "0x50"/],
    [['serve', '--colour'], /unknown option --colour; serve takes --port, --host, --dev, --allow-origin, --sample-hz, --grace, --audience, --audience-host, --audience-port, --audience-max, --help/],
    [['serve', '--audience', '--audience-host', '127.0.0.1'], /--audience-host 127.0.0.1 is the presenter's: the audience listens on another interface/],
    [['serve', '--audience', '--audience-host', '0.0.0.0'], /would take every interface, loopback too/],
    [['serve', '--audience-host', '127.0.0.2'], /--audience-host, --audience-port and --audience-max go with --audience/],
    [['serve', '--audience', '--dev'], /--audience serves the built deck: leave out --dev/],
    [['serve', '--audience', '--audience-host', '127.0.0.2', '--audience-max', '0'], /--audience-max must be a whole number from 1 to 5000; got "0"/],
    [['serve', '--sample-hz', '1e1'], /--sample-hz must be a number from 0 to 20; got "1e1"/],
    [['serve', 'now'], /serve takes no arguments; got "now"/],
    [['launch'], /unknown command "launch"; commands: list, run, compare, record, serve, doctor/],
  ])('refuses %j with a clear message and exit code 2', async (args, pattern) => {
    const io = collect(spawnCli(args));
    expect(await io.exit).toBe(2);
    expect(io.err()).toMatch(pattern);
  });

  it('with --audience, also serves the audience where the presenter chose, and prints its URL', async () => {
    const child = spawnCli(['serve', '--port', '0', '--audience', '--audience-host', '127.0.0.2', '--audience-port', '0']);
    started.push(child.pid!);
    const io = collect(child);
    const [, audienceUrl] = await waitForOutput(io.out, /➜ {2}(http:\/\/127\.0\.0\.2:\d+\/\?token=[\w-]+)/);
    const page = await fetch(audienceUrl!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<meta name="what-is-async-audience" content="audience">');
    child.kill('SIGTERM');
    expect(await io.exit).toBe(0);
  });

  it('says plainly when the port is taken', async () => {
    const first = spawnCli(['serve', '--port', '0']);
    started.push(first.pid!);
    const a = collect(first);
    const [, port] = await waitForOutput(a.out, /127\.0\.0\.1:(\d+)/);
    const b = collect(spawnCli(['serve', '--port', port!]));
    expect(await b.exit).toBe(2);
    expect(b.err()).toMatch(new RegExp(`port ${port} is already in use.*--port`));
    first.kill('SIGTERM');
    await a.exit;
  });

  it('prints its help', async () => {
    const io = collect(spawnCli(['serve', '--help']));
    expect(await io.exit).toBe(0);
    expect(io.out()).toMatch(/--port N .*default 2014/);
  });
});

describe('serve --dev', () => {
  it('serves the deck through Vite, beside the demo socket', async () => {
    const child = spawnCli(['serve', '--dev', '--port', '0']);
    started.push(child.pid!);
    const io = collect(child);
    try {
      const [, url, port] = await waitForOutput(io.out, /(http:\/\/127\.0\.0\.1:(\d+)\/)/);
      const html = await (await fetch(url!)).text();
      expect(html).toMatch(/@vite\/client/); // hot reload is wired in
      expect(html).toMatch(/<section id="hello-demo"[ >]/); // the chapters are inlined
      expect((await fetch(`${url}runtime/main.ts`)).status).toBe(200);
      const c = await TestClient.connect(Number(port));
      c.send({ type: 'start', session: 1, demo: 'hello', params: { count: 1, delay: 0.1 }, cols: 80, rows: 24 });
      started.push((await c.message('started', 1)).pid);
      expect((await c.message('exit', 1, 15_000)).code).toBe(0);
      await c.close();
      expect(io.err()).not.toMatch(/deprecated/);
    } finally {
      child.kill('SIGTERM');
      await io.exit;
    }
  });
});
