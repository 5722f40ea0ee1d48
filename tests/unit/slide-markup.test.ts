// The one reader of a slide's widget markup (shared/slide-markup.ts): its scanner of start
// tags, which `record` and `doctor` use where there is no DOM, and what it makes of a
// terminal's, a meter's and a "measured here" slot's attributes. (tests/browser/slide-markup
// checks the scanner against Chromium's own HTML parser on every chapter.)
import { describe, it, expect } from 'vitest';
import { decodeEntities, readMeasuredSlot, readMeters, readSlideMarkup, readTerminal, startTags } from '../../shared/slide-markup.js';

describe('the start-tag scanner', () => {
  it('reads quoted, single-quoted, unquoted and empty attributes, and decodes them', () => {
    const [tag] = startTags(`<DIV Class="live-terminal cmp" data-params='{"clients": 100}' data-x=plain hidden data-title="a &amp; b &quot;c&quot; &#x2192; &#8594; &bogus;">`);
    expect(tag).toEqual({
      name: 'div',
      line: 1,
      attrs: { class: 'live-terminal cmp', 'data-params': '{"clients": 100}', 'data-x': 'plain', hidden: '', 'data-title': 'a & b "c" → → &bogus;' },
    });
  });

  it('does not end a tag at a ">" inside a quoted value, and keeps the first of two attributes with one name', () => {
    expect(startTags(`<span data-match="(\\d+) > (\\d+)" id="a" id="b">text</span><b>`)).toEqual([
      { name: 'span', line: 1, attrs: { 'data-match': '(\\d+) > (\\d+)', id: 'a' } },
      { name: 'b', line: 1, attrs: {} },
    ]);
  });

  it('skips comments, end tags, the doctype and the text of script, style and textarea', () => {
    const html = `<!doctype html>\n<!-- <div class="live-terminal" data-demo="commented-out"> -->\n<script>if (a<b) "<div class=live-terminal>"</script>\n<textarea><div></textarea></p>\n<p id="after">`;
    expect(startTags(html)).toEqual([
      { name: 'script', line: 3, attrs: {} },
      { name: 'textarea', line: 4, attrs: {} },
      { name: 'p', line: 5, attrs: { id: 'after' } },
    ]);
  });

  it('counts lines, so a mistake names the line to fix', () => {
    const { terminals } = readSlideMarkup(`<section>\n\n  <div class="live-terminal" data-demo="hello" data-params='{"count": }'></div>`);
    expect(terminals[0]).toMatchObject({ line: 3, demo: 'hello', params: undefined, problems: ['data-params is not JSON: {"count": }'] });
  });

  it('ends on anything, without throwing (seeded random markup)', () => {
    let seed = 11;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const alphabet = ['<', '>', '"', "'", '=', '/', '!', '-', ' ', '\n', 'a', 'div', 'class', '&', ';', '#x', 'live-terminal', 'data-demo', '<!--', '-->', '<script', '</script'];
    for (let n = 0; n < 3000; n++) {
      const text = Array.from({ length: Math.floor(rand() * 60) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
      const tags = startTags(text);
      for (const t of tags) expect(Object.getPrototypeOf(t.attrs)).toBe(Object.prototype);
      expect(() => readSlideMarkup(text)).not.toThrow();
    }
  });

  it('decodes character references as a browser does for the ones the deck uses', () => {
    expect(decodeEntities('&lt;&gt;&amp;&quot;&apos;&nbsp;&mdash;&ndash;&hellip;&rarr;&times;&middot;&#0;&#x110000;')).toBe('<>&"\'\u00a0—–…→×·\ufffd\ufffd');
    expect(decodeEntities('&AMP; &unknown; & alone')).toBe('& &unknown; & alone');
  });
});

describe('a terminal’s markup', () => {
  const attrs = (a: Record<string, string>) => ({ class: 'live-terminal', ...a });

  it('gives the demo, variant, parameters, title, font size and autostart', () => {
    expect(readTerminal(attrs({ id: 't', 'data-demo': 'c10k', 'data-variant': 'threads', 'data-params': '{"connections": 10000, "x": true, "m": "busy"}', 'data-title': 'T', 'data-font-size': '20', 'data-autostart': '' }))).toEqual({
      markup: { id: 't', demo: 'c10k', variant: 'threads', params: { connections: 10000, x: true, m: 'busy' }, title: 'T', fontSize: 20, autostart: true },
      problems: [],
    });
    expect(readTerminal(attrs({ 'data-demo': 'hello' })).markup).toEqual({ id: undefined, demo: 'hello', variant: undefined, params: undefined, title: undefined, fontSize: undefined, autostart: false });
  });

  it('names what is wrong: no demo, parameters that are not a JSON object of plain values, a font size that is no size', () => {
    expect(readTerminal(attrs({})).problems).toEqual(['a live terminal needs data-demo="<a folder of demos/>"']);
    expect(readTerminal(attrs({ 'data-demo': 'd', 'data-params': '[1]' })).problems).toEqual(['data-params must be a JSON object of parameter names and values: [1]']);
    const nested = readTerminal(attrs({ 'data-demo': 'd', 'data-params': '{"a": 1, "b": {"c": 2}, "__proto__": 3}' }));
    expect(nested.problems).toEqual(['data-params: "b" must be a number, true/false or a string, not {"c":2}']);
    expect(nested.markup.params).toEqual({ a: 1, ['__proto__']: 3 });
    expect(Object.getPrototypeOf(nested.markup.params)).toBe(Object.prototype);
    expect(readTerminal(attrs({ 'data-demo': 'd', 'data-font-size': 'big' })).problems).toEqual(['data-font-size must be a number of pixels: big']);
  });
});

describe('meters and "measured here" slots', () => {
  it('reads the terminals a meter follows, its labels and chart height', () => {
    expect(readMeters({ 'data-terminals': ' a  b ', 'data-labels': 'one | two', 'data-chart-height': '90' })).toEqual({ terminals: ['a', 'b'], labels: ['one', 'two'], chartHeight: 90 });
    expect(readMeters({})).toEqual({ terminals: [], labels: [''], chartHeight: undefined });
  });

  it('reads demo/variant, and nothing from a slot that names none', () => {
    expect(readMeasuredSlot({ 'data-measure': 'c10k/threads' })).toEqual({ demo: 'c10k', variant: 'threads' });
    expect(readMeasuredSlot({ 'data-measure': 'c10k' })).toBeUndefined();
    expect(readMeasuredSlot({})).toBeUndefined();
  });
});
