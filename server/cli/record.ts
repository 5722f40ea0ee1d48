// `record [demo [variant]]`: runs demo variants for real and writes their recordings, which
// the static site replays.
import { join, relative } from 'node:path';
import { recordVariant } from '../recording/recorder.js';
import { recordedOn } from '../recording/recorded-on.js';
import { pickDemo } from './demo-args.js';
import { slideDemos } from '../recording/slide-demos.js';
import { recordingKey } from '../protocol/recording.js';
import { UsageError } from './usage-error.js';
import { parseCommandArgs, sampleHzOf, SAMPLE_HZ } from './args.js';
import type { CliContext } from './command.js';

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
  const chaptersDir = join(ctx.root, 'slides/chapters');
  const demos = positional[0] ? [pickDemo(registry, positional[0], 'record')] : [...registry.values()];
  const onSlides = slideDemos(chaptersDir);
  const jobs = demos.flatMap((d) => {
    const m = d.manifest;
    const variants = Object.keys(m.variants);
    if (positional[1] && !variants.includes(positional[1])) {
      throw new UsageError(`demo "${m.id}" has no variant "${positional[1]}"; its variants: ${variants.join(', ')}`);
    }
    const wanted = positional[1] ? [positional[1]] : variants;
    const defaults = wanted.map((v) => ({ demo: d, variant: v, params: undefined as Record<string, number | boolean | string> | undefined }));
    const fromSlides = onSlides
      .filter((s) => s.demo === m.id && s.params && Object.keys(s.params).length > 0)
      .map((s) => ({ demo: d, variant: s.variant ?? m.defaultVariant ?? variants[0]!, params: s.params }))
      .filter((j) => wanted.includes(j.variant));
    return [...defaults, ...fromSlides];
  });
  const on = recordedOn();
  process.stdout.write(`Recording ${jobs.length} variant(s) on ${on.os}, ${on.machine}, Python ${on.python}\n`);
  let failed = 0;
  for (const [i, job] of jobs.entries()) {
    const name = `${job.demo.manifest.id} · ${recordingKey(job.variant, job.params)}`;
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
  return failed ? 1 : 0;
}
