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

  it('counts the pages of a PDF it is given (the check can fail)', async () => {
    const page = await sites.browser.newPage();
    await page.setContent('<div style="height:100px">one</div><div style="break-before:page">two</div><div style="break-before:page">three</div>');
    const pdf = await page.pdf({ width: '400px', height: '300px' });
    await page.close();
    expect(pdfPages(pdf)).toBe(3);
  });
});
