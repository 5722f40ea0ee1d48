// The doctor's check for demo processes a crashed server left running (they hold ports,
// memory and file descriptors the talk will want), and --prune's way to end them now.
import { describeInstance, describeSweep, sweepLeftovers } from '../instance/leftovers.js';
import type { Check } from './check.js';

export async function leftoversCheck(prune: boolean): Promise<Check> {
  const base = { id: 'leftovers', title: 'leftover demos' };
  const found = (await sweepLeftovers({ dryRun: !prune })).filter((d) => d.leftovers.length > 0);
  const count = found.reduce((n, d) => n + d.leftovers.length, 0);
  if (count === 0) return { ...base, status: 'ok', detail: 'none: no demo outlived the server that started it' };
  if (prune) return { ...base, status: 'ok', detail: `ended ${count} left by a server that died`, items: describeSweep(found) };
  return {
    ...base,
    status: 'warn',
    detail: `${count} demo process${count === 1 ? '' : 'es'} still running, left by ${found.map(describeInstance).join('; ')} that died`,
    items: found.flatMap((d) => d.leftovers.map((l) => `${l.pid}  ${l.command}`)),
    fix: 'npm start ends them when it starts; "what-is-async doctor --prune" ends them now',
  };
}
