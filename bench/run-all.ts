// `npm run bench`: every benchmark in turn, each in its own process so none measures
// another's leftovers. Each writes its figures under bench/results/.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const BENCHES = [
  { file: 'cli-startup.ts', what: 'how fast each command starts, as a ratio to node itself' },
  { file: 'metrics-cost.ts', what: 'what sampling 10,000 threads or sockets at 4 Hz costs' },
  { file: 'screen-state.ts', what: 'what the server\'s screen state costs on a flood: CPU per MB, with and without it, memory per run' },
  { file: 'terminal.ts', what: 'the terminal pipeline in a browser: MB/s of a flood, key echo, Ctrl-C during a flood; DOM and WebGL; the old and the new pipeline side by side' },
  { file: 'c10k-memory.ts', what: 'memory per idle connection for each server model at 1k, 5k, 10k' },
  { file: 'first-load.ts', what: 'the static site\'s first visit: bytes before the first slide, Lighthouse scores' },
  { file: 'c100k.ts', what: 'asyncio and threads at 10,000 in one process and 100,000 in several: ramp, memory, Stop' },
  { file: 'audience.ts', what: '500 audience viewers following a flood: the presenter\'s echo and Ctrl-C as ratios to none, server memory per viewer' },
];

const only = process.argv.slice(2);
let failed = 0;
for (const b of BENCHES) {
  if (only.length && !only.some((o) => b.file.startsWith(o))) continue;
  console.log(`\n━━ ${b.file}: ${b.what} ━━`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, b.file)], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.log(`${b.file} failed (exit ${r.status ?? r.signal})`);
  }
}
console.log(failed ? `\n${failed} benchmark(s) failed.` : '\nFigures written to bench/results/.');
process.exitCode = failed ? 1 : 0;
