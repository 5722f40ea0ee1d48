// Reads a request's target (`req.url`) without ever throwing: `new URL(req.url, base)` throws
// on targets such as `//`, `/\\` or `//:99999`, and a target like `//evil.example/` would be
// taken for a host. Only origin-form targets ("/path?query") are accepted here.
export interface RequestTarget {
  pathname: string;
  query: URLSearchParams;
}

/** The path and query of an origin-form target, or undefined when it is anything else. */
export function parseRequestTarget(url: string | undefined): RequestTarget | undefined {
  if (typeof url !== 'string' || !url.startsWith('/') || url.length > 8192) return undefined;
  try {
    // A fixed scheme and host in front: the whole target is then path and query, never authority.
    const parsed = new URL(`http://target.invalid${url}`);
    if (parsed.host !== 'target.invalid') return undefined;
    return { pathname: parsed.pathname, query: parsed.searchParams };
  } catch {
    return undefined;
  }
}
