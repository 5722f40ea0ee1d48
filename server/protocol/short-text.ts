// What a client sent, shown back in an error or a log line: only a short, printable prefix,
// so a 60 KB bad message cannot make a 60 KB reply.
export const SHOWN_CHARS = 40;

/** At most `max` characters of `text`, control characters replaced, the cut marked. */
export function shortText(text: string, max = SHOWN_CHARS): string {
  // eslint-disable-next-line no-control-regex
  const printable = text.replace(/[\x00-\x1f\x7f]/g, '?');
  return printable.length > max ? `${printable.slice(0, max)}… (${text.length} characters)` : printable;
}

/** A value as JSON, cut to a short prefix. */
export function quoteValue(value: unknown, max = SHOWN_CHARS): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  return shortText(json ?? String(value), max);
}
