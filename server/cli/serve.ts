// `serve`: the deck with live demos on localhost — what `npm start` runs.
import { parseCommandArgs, parseDecimal, servePort, DEFAULT_PORT } from './args.js';
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
  -h, --help          show this help
`;

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
    },
  });
  if (a.help) {
    process.stdout.write(SERVE_HELP);
    return 0;
  }
  const v = a.values as { port?: string; host?: string; dev?: boolean; 'allow-origin'?: string[]; 'sample-hz'?: string; grace?: string };
  const port = servePort(v.port);
  const sampleHz = v['sample-hz'] !== undefined ? parseDecimal(v['sample-hz'], '--sample-hz', { min: 0, max: 20 }) : 4;
  const dev = v.dev === true;
  const graceSeconds = v.grace !== undefined ? parseDecimal(v.grace, '--grace', { min: 0, max: 3600 }) : undefined;

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
    server = await startDemoServer({ root: ctx.root, host: v.host ?? '127.0.0.1', port, mode: dev ? 'dev' : 'prod', allowOrigins: v['allow-origin'] ?? [], sampleHz, graceSeconds });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') throw new UsageError(`port ${port} is already in use: stop what uses it, or pick another with --port N (0 picks a free one)`);
    if (e.code === 'EACCES') throw new UsageError(`no permission to listen on port ${port}: pick one above 1023 with --port N`);
    throw err;
  }
  instance.describe('serve', server.port);
  console.log(`\n  What Is Async — the deck with live demos${dev ? ' (dev, hot reload)' : ''}\n`);
  console.log(`  ➜  ${prominent(server.url)}\n`);
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
