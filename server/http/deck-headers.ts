// Headers on every response of the demo server. The deck runs programs on the presenter's
// machine at a click, so no other site may frame it (a click on a foreign page could land on
// Run); and a file is never sniffed into something other than its declared type.
export const DECK_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "frame-ancestors 'self'",
  'x-frame-options': 'SAMEORIGIN',
  'x-content-type-options': 'nosniff',
};
