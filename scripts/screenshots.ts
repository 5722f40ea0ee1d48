// Walks every slide of the built deck at projector sizes and writes one PNG per slide to
// /tmp/deck-shots/<width>x<height>/, so a person can look at the whole talk at once.
// Usage: npx vite build && npx tsx scripts/screenshots.ts [--light] [--phone] [--only id,id]
//        [--replay] [--end] [--run N] [--minutes N]
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser } from '../tests/helpers/browser.js';
import { startTestServer } from '../tests/helpers/server.js';
import { playReplaysToEnd } from '../tests/helpers/deck-page.js';

const OUT = process.env.DECK_SHOTS ?? '/tmp/deck-shots';
const SIZES = [
  { width: 1920, height: 1080 },
  { width: 1024, height: 768 },
];
const light = process.argv.includes('--light');
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg > 0 ? new Set((process.argv[onlyArg + 1] ?? '').split(',')) : undefined;
// --run N: on the slides shown, press ▶ Run on every terminal and wait N seconds before the shot.
const runArg = process.argv.indexOf('--run');
const runSeconds = runArg > 0 ? Number(process.argv[runArg + 1]) : 0;
// --phone: also a phone (reveal.js's scroll view), 390×844.
// --minutes N: the slot to show (e.g. 45: with the slides kept for a longer one).
const minutesArg = process.argv.indexOf('--minutes');
// --replay: the online talk's replays instead of live demos (?demos=replay);
// --end: with --replay, every terminal on the slide seeks to the end of its recording first.
const replay = process.argv.includes('--replay');
const toEnd = process.argv.includes('--end');
const params = new URLSearchParams();
if (minutesArg > 0) params.set('minutes', String(Number(process.argv[minutesArg + 1])));
if (replay) params.set('demos', 'replay');
const query = params.size ? `?${params}` : '';
const sizes = [...(process.argv.includes('--big-only') ? SIZES.slice(0, 1) : SIZES), ...(process.argv.includes('--phone') ? [{ width: 390, height: 844 }] : [])];

/** Pages of 12 thumbnails (3 × 4), to look at the whole deck in a few images. */
async function contactSheets(dir: string): Promise<void> {
  const files = readdirSync(dir).filter((f) => /^\d+-.*\.png$/.test(f)).sort();
  const sheet = await browser.newPage({ viewport: { width: 1920, height: 1200 } });
  for (let i = 0; i < files.length; i += 12) {
    const cells = files
      .slice(i, i + 12)
      .map((f) => `<figure><img src="data:image/png;base64,${readFileSync(join(dir, f)).toString('base64')}"><figcaption>${f}</figcaption></figure>`)
      .join('');
    await sheet.setContent(
      `<style>body{margin:0;background:#555;display:grid;grid-template-columns:repeat(3,1fr);gap:6px;padding:6px;font:16px sans-serif;color:#fff}
       figure{margin:0}img{width:100%;display:block;border:1px solid #000}</style>${cells}`,
    );
    await sheet.screenshot({ path: join(dir, `sheet-${String(i / 12 + 1)}.png`), fullPage: true });
  }
  await sheet.close();
}

const server = await startTestServer();
const browser = await launchBrowser();
const problems: string[] = [];
try {
  for (const size of sizes) {
    const dir = join(OUT, `${size.width}x${size.height}${light ? '-light' : ''}${replay ? '-replay' : ''}${toEnd ? '-end' : ''}${runSeconds ? '-run' : ''}`);
    if (!only) rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const page = await browser.newPage({ viewport: size });
    page.on('pageerror', (e) => problems.push(`${size.width}: page error: ${e.stack ?? String(e)}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`${size.width}: console: ${m.text()}`);
    });
    await page.goto(server.url + query);
    await page.waitForFunction(() => window.Reveal?.isReady());
    await page.evaluate((l) => {
      window.Reveal.configure({ transition: 'none', backgroundTransition: 'none' });
      if (l) document.documentElement.classList.add('theme-light');
    }, light);
    const slides = await page.evaluate(() =>
      window.Reveal.getSlides().map((s) => ({ id: s.id, ...window.Reveal.getIndices(s) })),
    );
    for (const [i, s] of slides.entries()) {
      if (only && !only.has(s.id)) continue;
      await page.evaluate(({ h, v }) => window.Reveal.slide(h, v ?? 0), s);
      // Show every fragment, as at the end of the slide's build.
      await page.evaluate(() => {
        for (const f of window.Reveal.getCurrentSlide().querySelectorAll('.fragment')) f.classList.add('visible');
      });
      await page.waitForTimeout(350);
      if (runSeconds > 0) {
        await page.evaluate(() => {
          for (const b of document.querySelectorAll<HTMLButtonElement>('section.present .live-terminal button[data-action="run"]:not(:disabled)')) b.click();
        });
        await page.waitForTimeout(runSeconds * 1000);
      }
      if (toEnd) {
        await page
          .waitForFunction(() => [...document.querySelectorAll<HTMLElement>('section.present .live-terminal')].every((t) => t.liveTerminal?.source?.controls), null, { timeout: 10_000 })
          .catch(() => undefined);
        await playReplaysToEnd(page);
        await page.waitForTimeout(500);
      }
      const over = await page.evaluate(() => {
        const el = window.Reveal.getCurrentSlide() as HTMLElement;
        const { width, height } = window.Reveal.getConfig() as { width: number; height: number };
        return { sh: el.scrollHeight, sw: el.scrollWidth, width, height };
      });
      if (over.sh > over.height || over.sw > over.width)
        problems.push(`${size.width}: slide ${i + 1} ${s.id || `${s.h}/${s.v}`} overflows: ${over.sw}×${over.sh}`);
      const name = `${String(i + 1).padStart(2, '0')}-${s.id || `${s.h}-${s.v ?? 0}`}.png`;
      await page.screenshot({ path: join(dir, name) });
      if (runSeconds > 0)
        await page.evaluate(() => {
          for (const b of document.querySelectorAll<HTMLButtonElement>('section.present .live-terminal button[data-action="stop"]:not(:disabled)')) b.click();
        });
    }
    console.log(`${slides.length} slides → ${dir}`);
    await page.close();
    if (!only) await contactSheets(dir);
  }
} finally {
  await browser.close();
  await server.close();
}
for (const p of problems) console.log(p);
