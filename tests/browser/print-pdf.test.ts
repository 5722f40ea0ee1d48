// The printed handout: reveal.js's print view (?print-pdf) printed to PDF by the browser, as a
// reader's "Save as PDF" does, has one page per slide: no slide spills onto a second page,
// none is left out. Every demo slide prints its recording's final screen and meter values.
import { describe, it, expect } from 'vitest';
import { useLiveAndStatic } from '../helpers/deck-sites.js';

const sites = useLiveAndStatic();

/** Pages in a PDF: its page objects ("/Type /Page", not the "/Type /Pages" tree nodes). */
function pdfPages(pdf: Buffer): number {
  return (pdf.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length;
}

describe('the deck printed to PDF', () => {
  it('has one page per slide, in the 30-minute talk and with the longer slot’s slides', { timeout: 180_000 }, async () => {
    for (const query of ['?print-pdf', '?print-pdf&minutes=45']) {
      const page = await sites.browser.newPage({ viewport: { width: 1280, height: 720 } });
      await page.goto(`${sites.site.url}${query}`);
      await page.waitForFunction(() => window.Reveal?.isReady() && document.querySelector('.reveal .pdf-page') !== null);
      // Everything a printed page shows is in place: pictures, highlighted code, each terminal's final screen.
      await page.waitForFunction(
        () =>
          !document.querySelector('.live-terminal:not([data-snapshot="true"]):not([data-state="error"]), .live-meters:not(.lm-mounted), pre code:not(.hljs), .picture:not(.pic-mounted)'),
        null,
        { timeout: 60_000 },
      );
      await page.evaluate(() => document.fonts.ready);
      const { slides, pages } = await page.evaluate(() => ({
        slides: window.Reveal.getSlides().length,
        pages: document.querySelectorAll('.reveal .pdf-page').length,
      }));
      const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
      await page.close();
      console.log(`${query}: ${slides} slides, ${pages} print pages, ${pdfPages(pdf)} PDF pages`);
      expect(pages, `${query}: reveal.js laid out one page per slide`).toBe(slides);
      expect(pdfPages(pdf), `${query}: the PDF has one page per slide`).toBe(slides);
    }
  });

  it('shows each demo’s final screen, where its conclusion is: the rows a printed page shows (subs, c10k, one-fetch)', { timeout: 120_000 }, async () => {
    const page = await sites.browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(`${sites.site.url}?print-pdf`);
    await page.waitForFunction(() => window.Reveal?.isReady() && document.querySelector('.reveal .pdf-page') !== null);
    await page.waitForFunction(() => !document.querySelector('.live-terminal:not([data-snapshot="true"]):not([data-state="error"])'), null, { timeout: 60_000 });
    await page.emulateMedia({ media: 'print' });
    // The rows of each snapshot that lie inside its box: what the page prints of it.
    const printed = await page.evaluate(() =>
      Object.fromEntries(
        [...document.querySelectorAll<HTMLElement>('.live-terminal[data-snapshot="true"]')].map((t) => {
          const box = t.querySelector('.lt-snapshot')!.getBoundingClientRect();
          const rows = [...t.querySelectorAll('.lt-snapshot pre > div > div')].filter((r) => {
            const b = r.getBoundingClientRect();
            return b.height > 0 && b.top >= box.top - 1 && b.bottom <= box.bottom + 1;
          });
          return [t.id, rows.map((r) => r.textContent ?? '')];
        }),
      ),
    );
    await page.close();
    // A wrapped line is read whole again.
    const text = (id: string) => (printed[id] ?? []).map((r) => r.trimEnd()).join('\n');
    const conclusions: Record<string, RegExp[]> = {
      'subs-pool': [/s of CPU each; [\d.]+ of \d+ cores busy/, /process pool: ping [\d.]+ s, answered first/],
      'subs-asyncio': [/s of CPU each; [\d.]+ of \d+ cores busy/, /asyncio: ping [\d.]+ s, behind \d+ orders?/],
      'c10k-threads': [/holding 10,000 idle/, /KiB per connec/],
      'c10k-asyncio': [/holding 10,000 idle/, /KiB per connec/],
      'one-fetch-blocking': [/ValueError: /, /the whole path is there:|it starts in the loop;/],
      'one-fetch-callbacks': [/ValueError: /, /the whole path is there:|it starts in the loop;/],
      'one-fetch-asyncio': [/ValueError: /, /the whole path is there:|it starts in the loop;/],
    };
    for (const [id, points] of Object.entries(conclusions)) {
      expect(printed[id]?.length ?? 0, `#${id} printed rows`).toBeGreaterThan(5);
      for (const point of points) expect(text(id).replace(/\n/g, ''), `#${id}: ${point} printed, in:\n${text(id)}`).toMatch(point);
      // The end of the run is on the page: its exit line.
      expect(text(id), `#${id}: its last line printed`).toMatch(/── (exited|stopped)/);
    }
  });

  it('counts the pages of a PDF it is given (the check can fail)', async () => {
    const page = await sites.browser.newPage();
    await page.setContent('<div style="height:100px">one</div><div style="break-before:page">two</div><div style="break-before:page">three</div>');
    const pdf = await page.pdf({ width: '400px', height: '300px' });
    await page.close();
    expect(pdfPages(pdf)).toBe(3);
  });
});
