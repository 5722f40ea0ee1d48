#!/usr/bin/env node
// The command line: `serve` now; each command lives in its own module.
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { serveCommand, UsageError } from './serve-command.js';
import { ManifestError } from './registry/registry.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const HELP = `Usage: what-is-async <command> [options]

Commands:
  serve     serve the deck with live demos on localhost (what npm start runs)

Run "what-is-async <command> --help" for a command's options.
`;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serveCommand(rest, ROOT);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(HELP);
      return;
    default:
      throw new UsageError(`unknown command "${command}"; commands: serve`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError || err instanceof ManifestError || err instanceof AggregateError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`what-is-async: ${(err as Error).message}`);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
