// `serve`: the deck with live demos on localhost — what `npm start` runs.
import { parseArgs } from 'node:util';
import { startDemoServer } from '../http/demo-server.js';
import { ensureDeckBuilt } from '../http/deck-build.js';
import { findPython } from '../registry/python.js';
import { UsageError } from './usage-error.js';

export const DEFAULT_PORT = 2014;

export const SERVE_HELP = `Usage: what-is-async serve [options]

Serves the deck with live demos and prints its URL.

Options:
  --port N            port to listen on (default ${DEFAULT_PORT}, or $PORT; 0 picks a free one)
  --host H            address to bind (default 127.0.0.1). Any other than loopback
                      requires the per-launch token printed in the URL.
  --dev               Vite dev server with hot reload instead of the built deck
  --allow-origin URL  also accept WebSocket connections from this origin (repeatable)
  --sample-hz N       resource samples per second for the meters (default 4; 0 to 20, 0 turns them off)
  -h, --help          show this help
`;


function parsePort(text: string, from: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) throw new UsageError(`${from} must be a port number from 0 to 65535; got "${text}"`);
  return n;
}

export async function serveCommand(args: string[], root: string): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      dev: { type: 'boolean', default: false },
      'allow-origin': { type: 'string', multiple: true, default: [] },
      'sample-hz': { type: 'string', default: '4' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(SERVE_HELP);
    return;
  }
  const port = values.port !== undefined ? parsePort(values.port, '--port') : process.env.PORT ? parsePort(process.env.PORT, 'PORT') : DEFAULT_PORT;

  const sampleHz = Number(values['sample-hz']);
  if (!Number.isFinite(sampleHz) || sampleHz < 0 || sampleHz > 20) {
    throw new UsageError(`--sample-hz must be a number from 0 to 20; got "${values['sample-hz']}"`);
  }
  const python = findPython();
  if (!python.ok) console.warn(`warning: ${python.message}\n         The deck will show this error on every demo slide until it is fixed.`);
  if (!values.dev) await ensureDeckBuilt(root, (s) => console.log(s));

  let server;
  try {
    server = await startDemoServer({ root, host: values.host, port, mode: values.dev ? 'dev' : 'prod', allowOrigins: values['allow-origin'], sampleHz });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') throw new UsageError(`port ${port} is already in use: stop what uses it, or pick another with --port N (0 picks a free one)`);
    if (e.code === 'EACCES') throw new UsageError(`no permission to listen on port ${port}: pick one above 1023 with --port N`);
    throw err;
  }
  console.log(`\n  What Is Async — the deck with live demos${values.dev ? ' (dev, hot reload)' : ''}\n`);
  console.log(`  ${server.url}\n`);
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
}
