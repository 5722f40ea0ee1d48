// `doctor`: the day before the talk, checks everything a venue can break and says what to
// do for each; --json for scripts; --prune removes what no slide uses and ends leftovers.
import { join } from 'node:path';
import { parseCommandArgs, servePort, DEFAULT_PORT } from './args.js';
import type { CliContext } from './command.js';

export const DOCTOR_HELP = `Usage: what-is-async doctor [--port N] [--json] [--prune]

Checks what the talk needs on this machine and says what to do about each problem: Node,
Python (3.8 or newer), the open-file limit against the connections the slides open, the
thread and process limits against the thread-per-connection slide, the port, demo processes
a crashed server left running, a current recording for every terminal on every slide,
recordings no slide uses, and a browser for the tests.

Says "Ready" only when every check passed. Exits 1 when a check failed (✗), 0 otherwise;
a check that needs a look (!) does not fail.

Options:
  --port N    the port to check (default $PORT, else ${DEFAULT_PORT}: the one npm start serves on)
  --json      one JSON document: { ready, failed, warnings, port, checks: [...] }
  --prune     remove the recordings no slide uses, and end the demo processes a crashed
              server left running
  -h, --help  show this help
`;

export async function doctor(args: string[], ctx: CliContext): Promise<number> {
  const a = parseCommandArgs(args, { command: 'doctor', options: { port: { type: 'string' }, json: { type: 'boolean' }, prune: { type: 'boolean' } } });
  if (a.help) {
    process.stdout.write(DOCTOR_HELP);
    return 0;
  }
  const port = servePort(a.values.port as string | undefined);
  const prune = a.values.prune === true;
  const [machine, { slideNeeds }, { recordingChecks }, { leftoversCheck }, { report, renderText }] = await Promise.all([
    import('../doctor/machine-checks.js'),
    import('../doctor/slide-needs.js'),
    import('../doctor/recording-checks.js'),
    import('../doctor/leftover-check.js'),
    import('../doctor/check.js'),
  ]);
  const registry = await ctx.registry();
  const needs = slideNeeds(registry, join(ctx.root, 'slides', 'chapters'));
  const checks = [
    machine.nodeCheck(),
    machine.pythonCheck(),
    machine.openFilesCheck(needs),
    machine.threadsCheck(needs),
    await machine.portCheck(port),
    await leftoversCheck(prune),
    machine.stateDirCheck(),
    ...recordingChecks(ctx.root, registry, { prune }),
    machine.browserCheck(),
  ];
  const r = report(checks, port);
  if (a.values.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  else {
    const tty = !!process.stdout.isTTY;
    process.stdout.write(renderText(r, { colour: tty && !process.env.NO_COLOR, width: tty ? process.stdout.columns - 1 : undefined }));
  }
  return r.failed ? 1 : 0;
}
