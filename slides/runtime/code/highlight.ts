// Code on slides, as reveal.js's highlight plugin does it but with only the languages the
// deck shows (its plugin bundles all 190 of highlight.js's: 900 kB), and a slide at a time
// as slides come near (the deck calls highlightCodeIn, then Reveal.syncSlide). Same markup and class
// names (hljs, hljs-ln table rows, highlight-line, has-highlights), so reveal.css and the
// theme style it unchanged; same steps: data-line-numbers="1-3|4,6" highlights lines 1–3,
// and each later step is a copy of the block shown as a fragment. data-trim strips the
// blank lines and common indentation around the code; data-noescape keeps HTML in it.
import hljs from 'highlight.js/lib/core';
import plaintext from 'highlight.js/lib/languages/plaintext';
import python from 'highlight.js/lib/languages/python';

/** Every language a code block on a slide may name (class="language-…"). */
export const LANGUAGES = { python, plaintext } as const;
for (const [name, language] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, language);

interface LineRange {
  start?: number;
  end?: number;
}

/** "1-3,5|7" → [[{1,3},{5}],[{7}]]: one list of line ranges per step. */
export function parseSteps(attr: string): LineRange[][] {
  return attr
    .replace(/\s/g, '')
    .split('|')
    .map((step) =>
      step.split(',').map((part) => {
        if (!/^[\d-]+$/.test(part)) return {};
        const [start, end] = part.split('-').map((n) => parseInt(n, 10));
        return Number.isNaN(end) || end === undefined ? { start } : { start, end };
      }),
    );
}

function serializeStep(step: LineRange[]): string {
  return step.map((r) => (r.end !== undefined ? `${r.start}-${r.end}` : r.start !== undefined ? String(r.start) : '')).join(',');
}

/** Drops the blank lines around the code and the indentation all its lines share. */
export function trimCode(text: string): string {
  const lines = text.split('\n');
  while (lines.length && lines[0]!.trim() === '') lines.shift();
  while (lines.length && lines[lines.length - 1]!.trim() === '') lines.pop();
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.replace(/^[\s\uFEFF\xA0]+/, '').length));
  return lines.map((l) => l.slice(Number.isFinite(indent) ? indent : 0)).join('\n');
}

/** Highlighted HTML split into lines, each with the spans open across its start reopened. */
export function splitLines(html: string): string[] {
  const lines: string[] = [];
  const open: string[] = [];
  let line = '';
  for (const token of html.match(/<span[^>]*>|<\/span>|\n|[^<\n]+|</g) ?? []) {
    if (token === '\n') {
      lines.push(line + '</span>'.repeat(open.length));
      line = open.join('');
    } else {
      if (token === '</span>') open.pop();
      else if (token.startsWith('<span')) open.push(token);
      line += token;
    }
  }
  lines.push(line);
  if (lines.length > 1 && lines[lines.length - 1]!.replace(/<[^>]*>/g, '').trim() === '') lines.pop();
  return lines;
}

function lineTable(html: string): string {
  const rows = splitLines(html).map(
    (line, i) =>
      `<tr><td class="hljs-ln-line hljs-ln-numbers" data-line-number="${i + 1}"><div class="hljs-ln-n" data-line-number="${i + 1}"></div></td>` +
      `<td class="hljs-ln-line hljs-ln-code" data-line-number="${i + 1}">${line || ' '}</td></tr>`,
  );
  // A layout table: assistive technology reads the code, not a grid of cells.
  return `<table class="hljs-ln" role="presentation">${rows.join('')}</table>`;
}

function highlightLines(code: HTMLElement): void {
  const [step] = parseSteps(code.getAttribute('data-line-numbers') ?? '');
  for (const r of step ?? []) {
    if (r.start === undefined) continue;
    const rows = code.querySelectorAll(`table tr:nth-child(n+${r.start}):nth-child(-n+${r.end ?? r.start})`);
    for (const row of rows) row.classList.add('highlight-line');
    if (rows.length) code.classList.add('has-highlights');
  }
}

function languageOf(code: HTMLElement): string {
  const named = /\blanguage-([\w-]+)/.exec(code.className)?.[1];
  if (named && !hljs.getLanguage(named)) {
    console.error(`No highlighting for language-${named}: register it in slides/runtime/code/highlight.ts`);
    return 'plaintext';
  }
  return named ?? 'plaintext';
}

export function highlightBlock(code: HTMLElement): void {
  if (code.hasAttribute('data-trim')) code.textContent = trimCode(code.textContent ?? '');
  code.innerHTML = hljs.highlight(code.textContent ?? '', { language: languageOf(code), ignoreIllegals: true }).value;
  code.classList.add('hljs');
  code.dataset.highlighted = 'yes';
  if (!code.hasAttribute('data-line-numbers') || code.innerHTML.trim() === '') return;
  code.innerHTML = lineTable(code.innerHTML);
  const steps = parseSteps(code.getAttribute('data-line-numbers')!);
  if (steps.length > 1) {
    let index = parseInt(code.getAttribute('data-fragment-index') ?? '', 10);
    for (const step of steps.slice(1)) {
      const copy = code.cloneNode(true) as HTMLElement;
      copy.setAttribute('data-line-numbers', serializeStep(step));
      copy.classList.add('fragment');
      code.parentNode!.appendChild(copy);
      highlightLines(copy);
      if (Number.isNaN(index)) copy.removeAttribute('data-fragment-index');
      else copy.setAttribute('data-fragment-index', String(index++));
    }
    code.removeAttribute('data-fragment-index');
    code.setAttribute('data-line-numbers', serializeStep(steps[0]!));
  }
  highlightLines(code);
}

/** Highlights the code blocks in `scope` not highlighted yet; true when there were any. */
export function highlightCodeIn(scope: ParentNode): boolean {
  let any = false;
  for (const code of scope.querySelectorAll<HTMLElement>('pre code')) {
    if (code.dataset.highlighted) continue;
    code.parentElement!.classList.add('code-wrapper');
    // As reveal.js's plugin: markup inside a block is shown as text unless data-noescape.
    if (!code.hasAttribute('data-noescape')) code.innerHTML = code.innerHTML.replace(/</g, '&lt;').replace(/>/g, '&gt;');
    highlightBlock(code);
    any = true;
  }
  return any;
}
