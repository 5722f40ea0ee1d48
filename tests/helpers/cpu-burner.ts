// A busy presenter's laptop, on demand: processes that each keep one core busy, started by a
// test and ended by their pids (never by name). They end themselves after `maxSeconds` too,
// so a test that dies cannot leave them spinning.
import { spawn } from 'node:child_process';
import { findPython } from '../../server/registry/python.js';
import { killAll, waitGone } from './processes.js';

export interface Burners {
  pids: number[];
  stop(): Promise<void>;
}

/** Starts `count` busy loops (one per core they should take) and waits until they spin. */
export async function burnCpu(count: number, started: number[], maxSeconds = 120): Promise<Burners> {
  const python = findPython();
  if (!python.ok) throw new Error(python.message);
  const code = `import sys, time\nend = time.time() + ${maxSeconds}\nprint('spinning', flush=True)\nwhile time.time() < end:\n    pass`;
  const children = Array.from({ length: count }, () => spawn(python.path, ['-c', code], { stdio: ['ignore', 'pipe', 'ignore'] }));
  const pids = children.map((c) => c.pid!);
  started.push(...pids);
  await Promise.all(children.map((c) => new Promise((r) => c.stdout.once('data', r))));
  return {
    pids,
    async stop() {
      killAll(pids);
      await waitGone(pids);
    },
  };
}
