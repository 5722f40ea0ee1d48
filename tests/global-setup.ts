// Before the tests, as `npm start` and the command would: builds the deck when its build is
// missing or stale, and the CLI when its sources changed, once rather than in racing tests.
// The demo servers the tests start keep their instance records in a folder of the run's own,
// not in the user's state folder, where a real `npm start` would report them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDeckBuilt } from '../server/http/deck-build.js';
import { buildCli, freshEntry } from '../bin/cli-build.js';
import { ROOT } from './helpers/server.js';

export default async function setup(): Promise<() => void> {
  const state = mkdtempSync(join(tmpdir(), 'wia-test-state-'));
  process.env.WIA_STATE_DIR ??= state;
  if (!freshEntry(ROOT)) await buildCli(ROOT);
  await ensureDeckBuilt(ROOT, (s) => console.log(s));
  return () => rmSync(state, { recursive: true, force: true });
}
