// Before the tests, as `npm start` and the command would: builds the deck when its build is
// missing or stale, and the CLI when its sources changed, once rather than in racing tests.
import { ensureDeckBuilt } from '../server/http/deck-build.js';
import { buildCli, freshEntry } from '../bin/cli-build.js';
import { ROOT } from './helpers/server.js';

export default async function setup(): Promise<void> {
  if (!freshEntry(ROOT)) await buildCli(ROOT);
  await ensureDeckBuilt(ROOT, (s) => console.log(s));
}
