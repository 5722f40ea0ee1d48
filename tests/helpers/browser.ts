// Drives the system's Chromium or Chrome (never a downloaded browser) with playwright-core.
import { findBrowserPath, INSTALL_BROWSER } from '../../server/registry/browser.js';
import { chromium, type Browser } from 'playwright-core';

export function findBrowser(): string {
  const found = findBrowserPath();
  if (found) return found;
  if (process.env.CHROME_PATH) throw new Error(`CHROME_PATH is set to ${process.env.CHROME_PATH}, which does not exist.`);
  throw new Error(`No Chromium or Chrome found for the browser tests. ${INSTALL_BROWSER}`);
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
