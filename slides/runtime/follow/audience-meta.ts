// What the demo server says about an audience, in the page's <meta name=AUDIENCE_META>: on
// the presenter's deck, the audience URL (`serve --audience`); on an audience page, "audience".
import { AUDIENCE_META } from '../../../shared/wire.js';

export type AudienceRole = { kind: 'presenter'; url: string } | { kind: 'audience' } | undefined;

export function audienceRole(doc: Document = document): AudienceRole {
  const content = doc.querySelector(`meta[name="${AUDIENCE_META}"]`)?.getAttribute('content');
  if (!content) return undefined;
  if (content === 'audience') return { kind: 'audience' };
  return /^https?:\/\//.test(content) ? { kind: 'presenter', url: content } : undefined;
}
