// Drives the system's Chromium or Chrome (never a downloaded browser) with playwright-core.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

export function findBrowser(): string {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) {
    if (existsSync(fromEnv)) return fromEnv;
    throw new Error(`CHROME_PATH is set to ${fromEnv}, which does not exist.`);
  }
  const found = CANDIDATES.find((p) => existsSync(p));
  if (found) return found;
  throw new Error(
    'No Chromium or Chrome found for the browser tests. Install one (Debian/Ubuntu: sudo apt-get install chromium; ' +
      'macOS: install Google Chrome) or set CHROME_PATH to its executable.',
  );
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: findBrowser(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Shows the slide with this id, as a presenter's link `#/id` would, and waits until it is current. */
export async function gotoSlide(page: import('playwright-core').Page, id: string): Promise<void> {
  await page.evaluate((slideId) => {
    const slide = document.getElementById(slideId);
    if (!slide) throw new Error(`no slide with id ${slideId}`);
    const { h, v } = window.Reveal.getIndices(slide);
    window.Reveal.slide(h, v);
  }, id);
  await page.waitForFunction((slideId) => window.Reveal.getCurrentSlide()?.id === slideId, id);
}
