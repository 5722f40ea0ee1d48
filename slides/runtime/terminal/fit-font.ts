// The terminal font a box can take: the largest, up to the deck's own, at which the box holds
// at least MIN_FIT columns and rows. Side by side on a 1024×768 projector a terminal then
// shows the 42 × 12 its demo's output is shaped for (tests/unit/final-screens.test.ts), and a
// bigger box gets the deck's full font (18.4 px on screen at 1024×768), with more rows.

/** The columns and rows every demo's final screen is shaped to fit. */
export const MIN_FIT = { cols: 42, rows: 12 };

/** A monospace cell as a share of the font size. */
export interface CellRatio {
  width: number;
  height: number;
}

/** Measures the font's cell as xterm.js does (a run of W's in a span), at 100 px. */
export function measureCell(fontFamily: string): CellRatio {
  const span = document.createElement('span');
  span.textContent = 'W'.repeat(50);
  Object.assign(span.style, { position: 'absolute', visibility: 'hidden', whiteSpace: 'pre', fontFamily, fontSize: '100px', lineHeight: 'normal' });
  document.body.append(span);
  const r = span.getBoundingClientRect();
  span.remove();
  return r.width > 0 && r.height > 0 ? { width: r.width / 5000, height: r.height / 100 } : { width: 0.602, height: 1.17 };
}

/** The largest font (logical px, at most `cap`) at which `box` holds MIN_FIT cells, a little to spare
 *  for the scroll bar and whole-pixel cells. */
export function fontToFit(box: { width: number; height: number }, cell: CellRatio, cap: number, minRows = MIN_FIT.rows): number {
  const byCols = (box.width - 16) / (MIN_FIT.cols * cell.width);
  const byRows = box.height / (minRows * cell.height * 1.03);
  return Math.max(6, Math.floor(Math.min(cap, byCols, byRows) * 10) / 10);
}
