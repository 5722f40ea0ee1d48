// The command line: each command lives in its own module, loaded only when it runs (so
// `--help` and `list` start at once); this file only dispatches and turns mistakes into a
// plain message and exit code 2.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from './usage-error.js';
import type { CliContext, CommandRun } from './command.js';

interface CommandEntry {
  usage: string;
  summary: string;
  load: () => Promise<CommandRun>;
}

const COMMANDS: Record<string, CommandEntry> = {
  list: { usage: 'list', summary: 'the demos, their variants and parameters', load: async () => (await import('./list.js')).list },
  run: { usage: 'run <demo> [variant] [--p v]', summary: 'run a demo here, with a live resource meter and a summary', load: async () => (await import('./run.js')).run },
  compare: { usage: 'compare <demo> [a b]', summary: 'run two variants in turn and print them side by side', load: async () => (await import('./compare.js')).compare },
  record: { usage: 'record [demo [variant]]', summary: 'record real runs for the static site to replay', load: async () => (await import('./record.js')).record },
  serve: { usage: 'serve', summary: 'the deck with live demos on localhost (what npm start runs)', load: async () => (await import('./serve.js')).serve },
  doctor: { usage: 'doctor', summary: 'the day before: check all a venue can break, say what to do', load: async () => (await import('./doctor.js')).doctor },
};

const HELP = `Usage: what-is-async <command> [options]

Commands:
${Object.values(COMMANDS)
  .map((c) => `  ${c.usage.padEnd(29)}${c.summary}`)
  .join('\n')}

Run "what-is-async <command> --help" for a command's options.
`;

/** The project folder: the nearest one up from this file that holds demos/ (the sources and the build sit at different depths). */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'demos')) || !existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no project folder (with demos/ and package.json) above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

async function main(argv: string[]): Promise<number | 'serving'> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || (command === 'help' && rest.length === 0)) {
    process.stdout.write(HELP);
    return 0;
  }
  // `help run` is `run --help`.
  const [name, args] = command === 'help' ? [rest[0]!, ['--help']] : [command, rest];
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) throw new UsageError(`unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(', ')}`);
  const root = projectRoot();
  let registry: ReturnType<CliContext['registry']> | undefined;
  const ctx: CliContext = {
    root,
    registry: () => (registry ??= import('../registry/registry.js').then((r) => r.loadRegistry(join(root, 'demos')))),
  };
  return (await entry.load())(args, ctx);
}

/** Mistakes in the call or in a demo's manifest: a plain message, no stack trace. */
function isPlainError(err: unknown): err is Error {
  if (err instanceof UsageError || err instanceof AggregateError) return true;
  const e = err as { name?: string; code?: string } | null;
  return e?.name === 'ManifestError' || !!e?.code?.startsWith('ERR_PARSE_ARGS');
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 'serving') process.exitCode = code;
  },
  (err: unknown) => {
    if (isPlainError(err)) {
      console.error(`what-is-async: ${err.message}`);
      process.exit(2);
    }
    console.error(err);
    process.exit(1);
  },
);
