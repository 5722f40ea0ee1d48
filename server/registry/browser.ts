// Where a system Chromium or Chrome lives, for the browser tests and `doctor`. Never downloads one.
import { existsSync } from 'node:fs';

export const BROWSER_CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

export const INSTALL_BROWSER =
  'Install one (Debian/Ubuntu: sudo apt-get install chromium; macOS: install Google Chrome) or set CHROME_PATH to its executable.';

/** CHROME_PATH when it exists, else the first installed candidate, else undefined. */
export function findBrowserPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.CHROME_PATH) return existsSync(env.CHROME_PATH) ? env.CHROME_PATH : undefined;
  return BROWSER_CANDIDATES.find((p) => existsSync(p));
}
