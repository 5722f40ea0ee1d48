// `record [demo [variant]]`: runs demo variants for real and writes their recordings, which
// the static site replays.
import { join, relative } from 'node:path';
import { recordVariant } from '../recording/recorder.js';
import { recordedOn } from '../recording/recorded-on.js';
import { pickDemo } from './demo-args.js';
import { recordingsToMake, unusedRecordings } from '../recording/recording-set.js';
import { UsageError } from './usage-error.js';
import { parseCommandArgs, sampleHzOf, SAMPLE_HZ } from './args.js';
import type { CliContext } from './command.js';
import { startDemoInstance } from './instance-start.js';

export const RECORD_HELP = `Usage: what-is-async record [demo [variant]] [--sample-hz N]

Runs every demo variant (or one demo, or one variant) for real and writes, per variant,
demos/<demo>/recordings/<variant>.cast (asciicast v2: "asciinema play" plays it) and
<variant>.metrics.jsonl (its meters on the same clock). A slide that sets its own
parameters gets its own recording too (<variant>@<param>=<value>…). The static site
replays them.

Options:
  --sample-hz N   meter samples per second (default 4)
  -h, --help      show this help
`;

export async function record(args: string[], ctx: CliContext): Promise<number> {
  const a = parseCommandArgs(args, { command: 'record', options: { ...SAMPLE_HZ }, positionals: { max: 2, usage: '[demo [variant]]' } });
  if (a.help) {
    process.stdout.write(RECORD_HELP);
    return 0;
  }
  const sampleHz = sampleHzOf(a.values);
  const positional = a.positionals;
  const registry = await ctx.registry();
  const demo = positional[0] ? pickDemo(registry, positional[0], 'record') : undefined;
  const variants = demo ? Object.keys(demo.manifest.variants) : [];
  if (demo && positional[1] && !variants.includes(positional[1])) {
    throw new UsageError(`demo "${demo.manifest.id}" has no variant "${positional[1]}"; its variants: ${variants.join(', ')}`);
  }
  const chaptersDir = join(ctx.root, 'slides/chapters');
  const jobs = recordingsToMake(registry, chaptersDir).filter(
    (j) => (!demo || j.demo === demo) && (!positional[1] || j.variant === positional[1]),
  );
  await startDemoInstance('record', (s) => process.stdout.write(`${s}\n`));
  const on = recordedOn();
  process.stdout.write(`Recording ${jobs.length} variant(s) on ${on.os}, ${on.machine}, Python ${on.python}\n`);
  let failed = 0;
  for (const [i, job] of jobs.entries()) {
    const name = `${job.demo.manifest.id} · ${job.key}`;
    const prefix = `[${i + 1}/${jobs.length}] ${name}`;
    const tty = process.stdout.isTTY;
    process.stdout.write(`${prefix} …${tty ? '' : '\n'}`);
    try {
      const r = await recordVariant(job.demo, job.variant, {
        sampleHz,
        recordedOn: on,
        slideParams: job.params,
        onProgress: (s, n) => tty && process.stdout.write(`\r${prefix} … ${s.toFixed(0)} s, ${n} events`),
      });
      process.stdout.write(`${tty ? '\r\x1b[2K' : ''}${prefix}: ${r.seconds.toFixed(1)} s, ${r.events} events, ${r.samples} samples → ${relative(process.cwd(), r.castFile)}\n`);
    } catch (err) {
      failed++;
      process.stdout.write(`${tty ? '\r\x1b[2K' : ''}${prefix}: FAILED: ${(err as Error).message}\n`);
    }
  }
  process.stdout.write(failed ? `${failed} recording(s) failed.\n` : 'Done.\n');
  const unused = unusedRecordings(registry, chaptersDir);
  if (unused.length) {
    process.stdout.write(`${unused.length} older recording(s) no slide uses any more: ${unused.map((u) => `${u.demo.manifest.id}/${u.key}`).join(', ')}. "what-is-async doctor --prune" removes them.\n`);
  }
  return failed ? 1 : 0;
}
