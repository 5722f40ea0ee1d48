import { join } from 'node:path';
import { launchBrowser } from '../tests/helpers/browser.js';
import { serveStatic } from '../tests/helpers/static-server.js';
const site = await serveStatic(join(process.cwd(), 'dist'));
const browser = await launchBrowser();
const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
for (const id of (process.argv[2] ?? 'not-faster-demo').split(',')) {
await page.goto(site.url + '?minutes=45#/' + id);
await page.waitForSelector(`#${id} .lt-mounted`).catch(() => {});
await page.waitForTimeout(1500);
console.log(id, await page.evaluate((id) => {
  const s = document.getElementById(id)!;
  return [s.offsetHeight, ...[...s.querySelectorAll(':scope > *, .demo-cmp > *, .live-meters > *, .demo-with-meters > *')].map((e) => `${e.className || e.tagName}: h=${(e as HTMLElement).offsetHeight} sh=${e.scrollHeight} top=${(e as HTMLElement).offsetTop}`)];
}, id));
}
await browser.close(); await site.close();
