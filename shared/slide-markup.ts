// What a slide asks of the runtime, in its markup: terminals, meters, chat clients and
// "measured here" slots. Read the same way by the deck (from its DOM elements' attributes)
// and by `record` and `doctor` (from the chapter files, in Node, where there is no DOM: a
// small scanner of start tags that decodes attribute values as a browser does).
//
//   <div class="live-terminal" id="hello-blocking" data-demo="hello" data-variant="blocking"
//        data-params='{"count": 5}' data-title="blocking sockets" data-font-size="20"></div>
//   <div class="live-meters" data-terminals="id-a id-b" data-labels="a|b" data-chart-height="90"></div>
//   <div class="ws-chat-client" data-terminal="ws-chat-room"></div>
//   <span data-measure="c10k/threads">…</span>
// Dependency-free.

export type Attributes = Readonly<Record<string, string>>;
export type ParamValue = number | boolean | string;

export interface StartTag {
  /** Lower-case tag name. */
  name: string;
  attrs: Attributes;
  /** 1-based line of the tag in the text, for messages that send a person to it. */
  line: number;
}

const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0',
  mdash: '—', ndash: '–', hellip: '…', rarr: '→', larr: '←', times: '×', middot: '·', asymp: '≈',
};

/** Decodes character references (&quot; &#39; &#x2192; and the common named ones); unknown names stay as written. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z][a-z0-9]*);/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const cp = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : Number(ref.slice(1));
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
    }
    return NAMED[ref.toLowerCase()] ?? whole;
  });
}

/** Sets an own property, even one named "__proto__" (plain assignment would set the prototype). */
function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Elements whose content is text, never markup: a "<div" inside them is not a tag. */
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title']);
const SPACE = /[\t\n\f\r ]/;

/**
 * Every start tag of an HTML text with its attributes, in order. Comments, doctype and end
 * tags are skipped, as is the content of script, style, textarea and title. The first of two
 * attributes with one name wins, as in a browser.
 */
export function startTags(html: string): StartTag[] {
  const tags: StartTag[] = [];
  let line = 1;
  let counted = 0;
  const lineAt = (at: number) => {
    for (; counted < at; counted++) if (html.charCodeAt(counted) === 10) line++;
    return line;
  };
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) break;
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = end < 0 ? html.length : end + 3;
      continue;
    }
    const next = html[lt + 1] ?? '';
    if (next === '!' || next === '?' || next === '/') {
      const end = html.indexOf('>', lt);
      i = end < 0 ? html.length : end + 1;
      continue;
    }
    if (!/[A-Za-z]/.test(next)) {
      i = lt + 1;
      continue;
    }
    let j = lt + 1;
    while (j < html.length && !SPACE.test(html[j]!) && html[j] !== '/' && html[j] !== '>') j++;
    const name = html.slice(lt + 1, j).toLowerCase();
    const attrs: Record<string, string> = {};
    for (;;) {
      while (j < html.length && (SPACE.test(html[j]!) || html[j] === '/')) j++;
      if (j >= html.length || html[j] === '>') break;
      const start = j;
      j++; // a name may begin with "=", as in a browser
      while (j < html.length && !SPACE.test(html[j]!) && html[j] !== '/' && html[j] !== '>' && html[j] !== '=') j++;
      const attr = html.slice(start, j).toLowerCase();
      while (j < html.length && SPACE.test(html[j]!)) j++;
      let value = '';
      if (html[j] === '=') {
        j++;
        while (j < html.length && SPACE.test(html[j]!)) j++;
        const quote = html[j];
        if (quote === '"' || quote === "'") {
          const end = html.indexOf(quote, j + 1);
          value = html.slice(j + 1, end < 0 ? html.length : end);
          j = end < 0 ? html.length : end + 1;
        } else {
          const from = j;
          while (j < html.length && !SPACE.test(html[j]!) && html[j] !== '>') j++;
          value = html.slice(from, j);
        }
      }
      if (!Object.hasOwn(attrs, attr)) setOwn(attrs, attr, decodeEntities(value));
    }
    tags.push({ name, attrs, line: lineAt(lt) });
    i = j + 1;
    if (RAW_TEXT.has(name)) {
      const close = html.toLowerCase().indexOf(`</${name}`, i);
      i = close < 0 ? html.length : close;
    }
  }
  return tags;
}

/** A DOM element's attributes, as the scanner gives a tag's (the browser has decoded them already). */
export function attributesOf(el: { readonly attributes: ArrayLike<{ readonly name: string; readonly value: string }> }): Attributes {
  const attrs: Record<string, string> = {};
  for (const a of Array.from(el.attributes)) setOwn(attrs, a.name, a.value);
  return attrs;
}

export function hasClass(attrs: Attributes, name: string): boolean {
  return (attrs.class ?? '').split(/[\t\n\f\r ]+/).includes(name);
}

const words = (s: string | undefined) => (s ?? '').split(/\s+/).filter(Boolean);

// ---- the widgets' markup ----------------------------------------------------

export interface TerminalMarkup {
  id: string | undefined;
  demo: string;
  variant: string | undefined;
  params: Record<string, ParamValue> | undefined;
  title: string | undefined;
  /** data-font-size, logical px (the deck's default when absent). */
  fontSize: number | undefined;
  /** data-autostart: runs when mounted. */
  autostart: boolean;
  /** data-min-rows: the rows its output needs on screen (the deck's default, 12, when absent);
   *  the font is made smaller rather than show fewer. */
  minRows: number | undefined;
}

/** What is wrong with a piece of markup, in words that say what to fix; empty when nothing is. */
export type Problems = string[];

function readParams(raw: string | undefined, problems: Problems): Record<string, ParamValue> | undefined {
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    problems.push(`data-params is not JSON: ${raw}`);
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    problems.push(`data-params must be a JSON object of parameter names and values: ${raw}`);
    return undefined;
  }
  const params: Record<string, ParamValue> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') setOwn(params, k, v);
    else problems.push(`data-params: "${k}" must be a number, true/false or a string, not ${JSON.stringify(v)}`);
  }
  return params;
}

/** A `.live-terminal`'s markup; a demo missing or parameters that are not JSON are problems. */
export function readTerminal(attrs: Attributes): { markup: TerminalMarkup; problems: Problems } {
  const problems: Problems = [];
  const demo = attrs['data-demo'] ?? '';
  if (!demo) problems.push('a live terminal needs data-demo="<a folder of demos/>"');
  const size = attrs['data-font-size'] === undefined ? undefined : Number(attrs['data-font-size']);
  if (size !== undefined && !(size > 0)) problems.push(`data-font-size must be a number of pixels: ${attrs['data-font-size']}`);
  const minRows = attrs['data-min-rows'] === undefined ? undefined : Number(attrs['data-min-rows']);
  if (minRows !== undefined && !(Number.isInteger(minRows) && minRows > 0 && minRows <= 100)) problems.push(`data-min-rows must be a whole number of rows (1-100): ${attrs['data-min-rows']}`);
  return {
    markup: {
      id: attrs.id || undefined,
      demo,
      variant: attrs['data-variant'] || undefined,
      params: readParams(attrs['data-params'], problems),
      title: attrs['data-title'],
      fontSize: size !== undefined && size > 0 ? size : undefined,
      autostart: attrs['data-autostart'] !== undefined,
      minRows: minRows !== undefined && Number.isInteger(minRows) && minRows > 0 && minRows <= 100 ? minRows : undefined,
    },
    problems,
  };
}

export interface MetersMarkup {
  /** The terminals whose runs the meters show: one a column. */
  terminals: string[];
  /** Column labels, `|`-separated in the markup; empty where the slide gives none. */
  labels: string[];
  chartHeight: number | undefined;
}

export function readMeters(attrs: Attributes): MetersMarkup {
  const height = Number(attrs['data-chart-height']);
  return {
    terminals: words(attrs['data-terminals']),
    labels: (attrs['data-labels'] ?? '').split('|').map((s) => s.trim()),
    chartHeight: height > 0 ? height : undefined,
  };
}

/** A `.ws-chat-client`: the terminal whose server it joins. */
export function readChatClient(attrs: Attributes): { terminal: string } {
  return { terminal: attrs['data-terminal'] ?? '' };
}

/** A "measured here" slot, `data-measure="demo/variant"`; undefined when it names none. */
export function readMeasuredSlot(attrs: Attributes): { demo: string; variant: string } | undefined {
  const m = /^([a-z][a-z0-9-]*)\/([a-z][a-z0-9-]*)$/.exec(attrs['data-measure'] ?? '');
  return m ? { demo: m[1]!, variant: m[2]! } : undefined;
}

// ---- a whole chapter file ---------------------------------------------------

export interface SlideMarkup {
  terminals: (TerminalMarkup & { line: number; problems: Problems })[];
  meters: (MetersMarkup & { line: number })[];
  measured: { demo: string; variant: string; line: number }[];
}

/** Everything a chapter's markup asks for, in document order. */
export function readSlideMarkup(html: string): SlideMarkup {
  const out: SlideMarkup = { terminals: [], meters: [], measured: [] };
  for (const tag of startTags(html)) {
    if (hasClass(tag.attrs, 'live-terminal')) {
      const { markup, problems } = readTerminal(tag.attrs);
      out.terminals.push({ ...markup, line: tag.line, problems });
    }
    if (hasClass(tag.attrs, 'live-meters')) out.meters.push({ ...readMeters(tag.attrs), line: tag.line });
    const slot = readMeasuredSlot(tag.attrs);
    if (slot) out.measured.push({ ...slot, line: tag.line });
  }
  return out;
}
