// `serve`: the deck with live demos on localhost — what `npm start` runs.
import { parseCommandArgs, parseDecimal, parseInteger, parsePort, servePort, DEFAULT_PORT } from './args.js';
import { lanAddress } from '../audience/lan-address.js';
import { isWildcard, type AudienceOptions } from '../audience/audience-listener.js';
import { startDemoInstance } from './instance-start.js';
import { UsageError } from './usage-error.js';
import type { CliContext } from './command.js';

export const SERVE_HELP = `Usage: what-is-async serve [options]

Serves the deck with live demos and prints its URL.

Options:
  --port N            port to listen on (default ${DEFAULT_PORT}, or $PORT; 0 picks a free one)
  --host H            address to bind (default 127.0.0.1). Any other than loopback
                      requires the per-launch token printed in the URL.
  --dev               Vite dev server with hot reload instead of the built deck
  --allow-origin URL  also accept WebSocket connections from this origin (repeatable)
  --sample-hz N       resource samples per second for the meters (default 4; 0 to 20, 0 turns them off)
  --grace S           seconds a running demo waits for its page after the page's connection
                      dropped or it reloaded, before it is stopped (default 30; 0 to 3600)
  --audience          also serve the audience: phones on the room's network follow your slides
                      and watch your demos read-only (its own URL and token, printed below)
  --audience-host H   the address the audience's listener binds (default: this machine's LAN
                      address); never the presenter's loopback
  --audience-port N   its port (default: the deck's port + 1; 0 picks a free one)
  --audience-max N    viewers at most (default 500); the one over it is told the room is full
  -h, --help          show this help
`;

/** Where the audience's listener goes: the presenter's choice, or this machine's LAN address. */
function audienceOptions(
  v: { 'audience-host'?: string; 'audience-port'?: string; 'audience-max'?: string },
  host: string,
  port: number,
  dev: boolean,
): AudienceOptions {
  if (dev) throw new UsageError('--audience serves the built deck: leave out --dev');
  const audienceHost = v['audience-host'] ?? lanAddress();
  if (!audienceHost) throw new UsageError('no LAN address found for the audience: connect to the room\'s network, or give an address with --audience-host');
  if (isWildcard(audienceHost)) throw new UsageError(`--audience-host ${audienceHost} would take every interface, loopback too: give one address (the LAN's)`);
  if (audienceHost === host || audienceHost === 'localhost' || audienceHost === '127.0.0.1' || audienceHost === '::1') {
    throw new UsageError(`--audience-host ${audienceHost} is the presenter's: the audience listens on another interface (the LAN's)`);
  }
  const audiencePort = v['audience-port'] !== undefined ? parsePort(v['audience-port'], '--audience-port') : port === 0 ? 0 : port + 1;
  const maxViewers = v['audience-max'] !== undefined ? parseInteger(v['audience-max'], '--audience-max', { min: 1, max: 5000 }) : undefined;
  return { host: audienceHost, port: audiencePort, ...(maxViewers !== undefined ? { maxViewers } : {}) };
}

/** Bold and underlined on a terminal that shows it, plain otherwise. */
function prominent(text: string): string {
  return process.stdout.isTTY && !process.env.NO_COLOR ? `\x1b[1;4m${text}\x1b[0m` : text;
}

export async function serve(args: string[], ctx: CliContext): Promise<number | 'serving'> {
  const a = parseCommandArgs(args, {
    command: 'serve',
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      dev: { type: 'boolean' },
      'allow-origin': { type: 'string', multiple: true },
      'sample-hz': { type: 'string' },
      grace: { type: 'string' },
      audience: { type: 'boolean' },
      'audience-host': { type: 'string' },
      'audience-port': { type: 'string' },
      'audience-max': { type: 'string' },
    },
  });
  if (a.help) {
    process.stdout.write(SERVE_HELP);
    return 0;
  }
  const v = a.values as {
    port?: string;
    host?: string;
    dev?: boolean;
    'allow-origin'?: string[];
    'sample-hz'?: string;
    audience?: boolean;
    'audience-host'?: string;
    'audience-port'?: string;
    'audience-max'?: string;
    grace?: string;
  };
  const port = servePort(v.port);
  const sampleHz = v['sample-hz'] !== undefined ? parseDecimal(v['sample-hz'], '--sample-hz', { min: 0, max: 20 }) : 4;
  const dev = v.dev === true;
  const graceSeconds = v.grace !== undefined ? parseDecimal(v.grace, '--grace', { min: 0, max: 3600 }) : undefined;
  const host = v.host ?? '127.0.0.1';
  const audience = v.audience === true ? audienceOptions(v, host, port, dev) : undefined;
  if (!audience && (v['audience-host'] !== undefined || v['audience-port'] !== undefined || v['audience-max'] !== undefined)) {
    throw new UsageError('--audience-host, --audience-port and --audience-max go with --audience');
  }

  // Loaded here, not at the top: `--help` and a mistake in the call need none of it.
  const [{ startDemoServer }, { ensureDeckBuilt }, { findPython }] = await Promise.all([
    import('../http/demo-server.js'),
    import('../http/deck-build.js'),
    import('../registry/python.js'),
  ]);
  const python = findPython();
  if (!python.ok) console.warn(`warning: ${python.message}\n         The deck will show this error on every demo slide until it is fixed.`);
  // Before anything new runs: end the demos a server that died (SIGKILL, a crash) left behind.
  const instance = await startDemoInstance('serve', (s) => console.log(s));
  if (!dev) await ensureDeckBuilt(ctx.root, (s) => console.log(s));

  let server;
  try {
    server = await startDemoServer({ root: ctx.root, host, port, mode: dev ? 'dev' : 'prod', allowOrigins: v['allow-origin'] ?? [], sampleHz, graceSeconds, audience });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
    const which = audience && e.address === audience.host ? `the audience's port ${e.port ?? audience.port} on ${audience.host}` : `port ${port}`;
    const fix = audience && e.address === audience.host ? '--audience-port N' : '--port N';
    if (e.code === 'EADDRINUSE') throw new UsageError(`${which} is already in use: stop what uses it, or pick another with ${fix} (0 picks a free one)`);
    if (e.code === 'EACCES') throw new UsageError(`no permission to listen on ${which}: pick one above 1023 with ${fix}`);
    if (e.code === 'EADDRNOTAVAIL' && audience) throw new UsageError(`${audience.host} is not an address of this machine: give one of its own with --audience-host`);
    throw err;
  }
  instance.describe('serve', server.port);
  console.log(`\n  What Is Async — the deck with live demos${dev ? ' (dev, hot reload)' : ''}\n`);
  console.log(`  ➜  ${prominent(server.url)}\n`);
  if (server.audience) {
    console.log(`  Audience (phones on this network; read-only, at most ${server.audience.maxViewers}):`);
    console.log(`  ➜  ${prominent(server.audience.url)}`);
    console.log(`     The title slide shows it as a QR code.\n`);
  }
  console.log(`  ${server.registry.size} demos · Python ${python.ok ? python.version : 'missing'} · Ctrl-C to stop\n`);

  let stopping = false;
  const stop = (sig: string) => {
    if (stopping) process.exit(130); // a second Ctrl-C: leave now
    stopping = true;
    console.log(`\n${sig}: stopping demos and the server…`);
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  return 'serving';
}
