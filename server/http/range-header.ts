// The static file middleware (sirv) reads a Range header loosely and hands `bytes=5-2` to
// fs.createReadStream, which throws. Only a single, well-formed byte range is passed on;
// any other Range header is dropped and the whole file is sent, as RFC 9110 allows.
const SINGLE_RANGE = /^bytes=(\d{1,15})-(\d{0,15})$/;

/** The Range header to keep, or undefined to serve the whole file. */
export function usableRange(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const m = SINGLE_RANGE.exec(header.trim());
  if (!m) return undefined;
  const start = Number(m[1]);
  // sirv reads "0-0" and "N-" loosely too; an explicit end must not be before the start.
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  if (m[2] !== '' && Number(m[2]) === 0) return undefined;
  return `bytes=${start}-${m[2]}`;
}
