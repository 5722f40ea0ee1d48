// Builds the deck once before the tests when its build is missing or stale, as `npm start` does.
import { ensureDeckBuilt } from '../server/http/deck-build.js';
import { ROOT } from './helpers/server.js';

export default async function setup(): Promise<void> {
  await ensureDeckBuilt(ROOT, (s) => console.log(s));
}
