#!/usr/bin/env node
// The command line: each command lives in its own module; this file only dispatches and
// turns mistakes into a plain message and exit code 2.
import { fileURLToPath } from 'node:url';
import { dirname, resolve, join } from 'node:path';
import { ManifestError, loadRegistry } from '../registry/registry.js';
import { serveCommand } from './serve.js';
import { listCommand } from './list.js';
import { runCommand } from './run.js';
import { compareCommand } from './compare.js';
import { doctorCommand } from './doctor.js';
import { recordCommand } from './record.js';
import { UsageError } from './usage-error.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const COMMANDS = ['list', 'run', 'compare', 'record', 'serve', 'doctor'];

const HELP = `Usage: what-is-async <command> [options]

Commands:
  list                         the demos, their variants and parameters
  run <demo> [variant] [--p v] run a demo here, with a live resource meter and a summary
  compare <demo> [a b]         run two variants in turn and print them side by side
  record [demo [variant]]      record real runs for the static site to replay
  serve                        the deck with live demos on localhost (what npm start runs)
  doctor                       check Node, Python, limits, the port and a browser

Run "what-is-async <command> --help" for a command's options.
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const registry = () => loadRegistry(join(ROOT, 'demos'));
  switch (command) {
    case 'serve':
      await serveCommand(rest, ROOT);
      return -1; // keeps running until a signal
    case 'list':
      return listCommand(rest, registry());
    case 'run':
      return runCommand(rest, registry());
    case 'compare':
      return compareCommand(rest, registry());
    case 'record':
      return recordCommand(rest, registry(), join(ROOT, 'slides/chapters'));
    case 'doctor':
      return doctorCommand(rest);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(HELP);
      return 0;
    default:
      throw new UsageError(`unknown command "${command}"; commands: ${COMMANDS.join(', ')}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    const known = err instanceof UsageError || err instanceof ManifestError || err instanceof AggregateError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    if (known) {
      console.error(`what-is-async: ${(err as Error).message}`);
      process.exit(2);
    }
    console.error(err);
    process.exit(1);
  },
);
