// Screenshots of every demo slide, as a presenter and a reader see them: live (every terminal
// run, shot once all ended or after --wait seconds) and replayed to the end, at projector
// sizes and on a phone (390×844, touch, reveal.js's scroll view). One PNG per slide and size
// in /tmp/demo-shots/<mode>-<width>x<height>/ (DEMO_SHOTS sets another folder).
// Usage: npx vite build && npx tsx scripts/demo-shots.ts [--live] [--replay] [--phone]
//        [--sizes 1920x1080,1024x768] [--only id,id] [--wait 20] [--zoom 1.6]
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../tests/helpers/browser.js';
import { startTestServer, ROOT } from '../tests/helpers/server.js';
import { serveStatic } from '../tests/helpers/static-server.js';
import { playReplaysToEnd } from '../tests/helpers/deck-page.js';

const OUT = process.env.DEMO_SHOTS ?? '/tmp/demo-shots';
const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const sizes = (arg('--sizes') ?? '1920x1080,1280x720,1024x768').split(',').map((s) => {
  const [width, height] = s.split('x').map(Number);
  return { width: width!, height: height! };
});
const only = arg('--only') ? new Set(arg('--only')!.split(',')) : undefined;
const waitSeconds = Number(arg('--wait') ?? 20);
const zoomSteps = Number(arg('--zoom-steps') ?? 0);
const modes = (['live', 'replay'] as const).filter((m) => process.argv.includes(`--${m}`));
if (!modes.length && !process.argv.includes('--phone')) modes.push('replay');

const browser = await launchBrowser();
const server = await startTestServer();
const site = await serveStatic(join(ROOT, 'dist'));

async function demoSlides(page: Page): Promise<{ id: string; h: number; v: number }[]> {
  return page.evaluate(() =>
    window.Reveal.getSlides()
      .filter((s) => s.querySelector('.live-terminal'))
      .map((s) => ({ id: s.id, ...(window.Reveal.getIndices(s) as { h: number; v: number }) })),
  );
}

async function shootDeck(mode: 'live' | 'replay', size: { width: number; height: number }): Promise<void> {
  const dir = join(OUT, `${mode}-${size.width}x${size.height}${zoomSteps ? `-z${zoomSteps}` : ''}`);
  mkdirSync(dir, { recursive: true });
  const page = await browser.newPage({ viewport: size });
  const url = mode === 'live' ? `${server.url}?minutes=45` : `${site.url}?minutes=45`;
  await page.goto(url);
  await page.waitForFunction(() => window.Reveal?.isReady());
  await page.evaluate(() => window.Reveal.configure({ transition: 'none', backgroundTransition: 'none' }));
  for (const s of await demoSlides(page)) {
    if (only && !only.has(s.id)) continue;
    await page.evaluate(({ h, v }) => window.Reveal.slide(h, v ?? 0), s);
    await page.waitForFunction(() => !window.Reveal.getCurrentSlide().querySelector('.live-terminal:not(.lt-mounted)'), null, { timeout: 15_000 });
    for (let z = 0; z < zoomSteps; z++) await page.keyboard.press('z');
    await page.evaluate(() => {
      for (const f of window.Reveal.getCurrentSlide().querySelectorAll('.fragment')) f.classList.add('visible');
    });
    if (mode === 'live') {
      await page.waitForFunction(() => [...window.Reveal.getCurrentSlide().querySelectorAll<HTMLElement>('.live-terminal')].every((t) => t.dataset.state !== 'starting' && t.querySelector('button[data-action="run"]')), null, { timeout: 10_000 });
      await page.evaluate(() => {
        for (const b of window.Reveal.getCurrentSlide().querySelectorAll<HTMLButtonElement>('.live-terminal button[data-action="run"]:not(:disabled)')) b.click();
      });
      await page
        .waitForFunction(() => [...window.Reveal.getCurrentSlide().querySelectorAll<HTMLElement>('.live-terminal')].every((t) => t.dataset.state === 'exited' || t.dataset.state === 'error'), null, { timeout: waitSeconds * 1000 })
        .catch(() => undefined);
    } else {
      await page.waitForFunction(() => [...window.Reveal.getCurrentSlide().querySelectorAll<HTMLElement>('.live-terminal')].every((t) => t.liveTerminal?.source?.controls || t.dataset.state === 'error'), null, { timeout: 15_000 });
      await playReplaysToEnd(page);
    }
    await page.waitForTimeout(600);
    await page.screenshot({ path: join(dir, `${s.id}.png`) });
    if (mode === 'live')
      await page.evaluate(() => {
        for (const b of window.Reveal.getCurrentSlide().querySelectorAll<HTMLButtonElement>('.live-terminal button[data-action="stop"]:not(:disabled)')) b.click();
      });
    for (let z = 0; z < zoomSteps; z++) await page.keyboard.press('z');
  }
  await page.close();
  console.log(`${mode} ${size.width}×${size.height} → ${dir}`);
}

async function shootPhone(): Promise<void> {
  const dir = join(OUT, 'phone-390x844');
  mkdirSync(dir, { recursive: true });
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const page = await context.newPage();
  await page.goto(`${site.url}?minutes=45`);
  await page.waitForFunction(() => window.Reveal?.isReady());
  const ids = await page.evaluate(() => window.Reveal.getSlides().filter((s) => s.querySelector('.live-terminal')).map((s) => s.id));
  for (const id of ids) {
    if (only && !only.has(id)) continue;
    const terms = await page.$$eval(`#${id} .live-terminal`, (els) => els.map((e) => e.id));
    for (const [k, t] of terms.entries()) {
      await page.$eval(`#${t}`, (el) => el.scrollIntoView({ block: 'start' }));
      await page.waitForTimeout(800);
      await page.screenshot({ path: join(dir, `${id}-${k + 1}.png`) });
    }
  }
  await context.close();
  console.log(`phone → ${dir}`);
}

try {
  for (const mode of modes) for (const size of sizes) await shootDeck(mode, size);
  if (process.argv.includes('--phone')) await shootPhone();
} finally {
  await browser.close();
  await Promise.all([server.close(), site.close()]);
}
