// What one doctor check found, and how the whole report reads: to a person (a mark, a line,
// what to do) or to a script (one JSON document). "Ready" only when every check passed.

/** ok: passed. warn: the talk runs, but something needs a look. fail: something will break on stage. */
export type Status = 'ok' | 'warn' | 'fail';

export interface Check {
  id: string;
  title: string;
  status: Status;
  detail: string;
  /** What to do about it, when it did not pass. */
  fix?: string;
  /** One line per thing found: a stale recording, a limit, a leftover process. */
  items?: string[];
}

export interface Report {
  ready: boolean;
  failed: number;
  warnings: number;
  port: number;
  checks: Check[];
}

export function report(checks: Check[], port: number): Report {
  const failed = checks.filter((c) => c.status === 'fail').length;
  const warnings = checks.filter((c) => c.status === 'warn').length;
  // A passed check needs no advice; an empty list says nothing.
  const shown = checks.map(({ fix, items, ...c }) => ({ ...c, ...(c.status !== 'ok' && fix ? { fix } : {}), ...(items?.length ? { items } : {}) }));
  return { ready: failed + warnings === 0, failed, warnings, port, checks: shown };
}

const MARK: Record<Status, string> = { ok: '✓', warn: '!', fail: '✗' };
const COLOUR: Record<Status, string> = { ok: '32', warn: '33', fail: '31' };

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const needs = (n: number) => (n === 1 ? 'needs' : 'need');

export function verdict(r: Report): string {
  if (r.failed) return `Not ready: ${plural(r.failed, 'check')} failed${r.warnings ? ` and ${r.warnings} ${needs(r.warnings)} a look` : ''}; each says above what to do.`;
  if (r.warnings) return `Nothing above stops the talk, but ${plural(r.warnings, 'check')} ${needs(r.warnings)} a look (!).`;
  return `Ready: npm start serves the talk${r.port ? ` on port ${r.port}` : ''}.`;
}

/** `text` broken at spaces into lines of at most `width` columns, the ones after the first indented by `indent`. */
export function wrap(text: string, width: number | undefined, indent: number): string[] {
  if (!width || text.length <= width) return [text];
  const lead = /^ */.exec(text)![0];
  const [firstWord, ...words] = text.slice(lead.length).split(' ');
  const lines: string[] = [];
  let line = lead + firstWord!;
  for (const word of words) {
    if (line.length + 1 + word.length > width) {
      lines.push(line);
      line = ' '.repeat(indent) + word;
    } else line += ` ${word}`;
  }
  return [...lines, line];
}

/**
 * The report as a person reads it: in colour on a terminal that shows it, and wrapped to its
 * `width` with each continuation under its own text (plain and unwrapped into a pipe).
 */
export function renderText(r: Report, opts: { colour: boolean; width?: number | undefined }): string {
  const paint = (s: Status, text: string) => (opts.colour ? `\x1b[${COLOUR[s]}m${text}\x1b[0m` : text);
  const pad = Math.max(...r.checks.map((c) => c.title.length)) + 2;
  const lines: string[] = [];
  /** `text` wrapped; its first `marked` characters (a mark or an arrow) painted as `status`. */
  const add = (text: string, indent: number, status?: Status, marked = 1) => {
    const [first, ...rest] = wrap(text, opts.width, indent);
    const lead = first!.length - first!.trimStart().length;
    lines.push(status ? first!.slice(0, lead) + paint(status, first!.slice(lead, lead + marked)) + first!.slice(lead + marked) : first!, ...rest);
  };
  for (const c of r.checks) {
    add(`${MARK[c.status]} ${c.title.padEnd(pad)}${c.detail}`, pad + 2, c.status);
    for (const item of c.items ?? []) add(`    ${item}`, 6);
    if (c.status !== 'ok' && c.fix) add(`  → ${c.fix}`, 4, c.status);
  }
  lines.push('', r.failed ? paint('fail', verdict(r)) : r.warnings ? verdict(r) : paint('ok', verdict(r)));
  return lines.join('\n') + '\n';
}
