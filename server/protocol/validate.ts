// Validates every message a client sends. A bad one yields a message naming what was wrong;
// it never throws, so one bad frame cannot take down a connection.
import { z } from 'zod';
import { MAX_SESSION_ID, type ClientMessage } from '../../shared/wire.js';
import { quoteValue, shortText } from './short-text.js';

const session = z.number().int().min(1).max(MAX_SESSION_ID);
const cols = z.number().int().min(2).max(1000);
const rows = z.number().int().min(1).max(500);
/** A slide's terminal id (an element id): letters, digits, '-' and '_'. */
const terminal = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'a terminal id is a letter, then letters, digits, "-" or "_" (at most 64)');
const index = z.number().int().min(0).max(9999);
const paramValue = z.union([z.number(), z.boolean(), z.string().max(200)]);

const clientMessage = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('start'),
    session,
    demo: z.string().min(1).max(64),
    variant: z.string().min(1).max(64).optional(),
    // Parameter names are camelCase words (as manifests declare them): never "__proto__".
    params: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,63}$/, 'parameter names are letters and digits'), paramValue).optional(),
    cols,
    rows,
    terminal: terminal.optional(),
  }),
  z.strictObject({ type: z.literal('stop'), session }),
  z.strictObject({ type: z.literal('resize'), session, cols, rows }),
  z.strictObject({ type: z.literal('ack'), session, bytes: z.number().int().min(0).max(2 ** 32) }),
  z.strictObject({
    type: z.literal('attach'),
    session,
    runId: z.string().regex(/^[0-9a-f-]{36}$/, 'a run id is the one its "started" message gave'),
    secret: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a secret is the one its "started" message gave'),
    cols,
    rows,
  }),
  z.strictObject({ type: z.literal('watch'), session, terminal }),
  z.strictObject({ type: z.literal('unwatch'), session }),
  z.strictObject({
    type: z.literal('nav'),
    slide: z.string().regex(/^[A-Za-z0-9_-]{0,64}$/, 'a slide id is letters, digits, "-" or "_" (at most 64)'),
    h: index,
    v: index,
    f: z.number().int().min(-1).max(9999),
  }),
]);

export type Parsed = { ok: true; message: ClientMessage } | { ok: false; error: string; session?: number };

/** What an audience page may send: it watches, and acknowledges what it drew; nothing else. */
export const AUDIENCE_TYPES: readonly string[] = ['watch', 'unwatch', 'ack'];
const KNOWN = 'start, stop, resize, ack, attach, watch, unwatch, nav';

export function parseClientMessage(text: string, allowed?: readonly string[]): Parsed {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, error: 'message is not valid JSON' };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, error: `bad message: expected a JSON object with a "type" (${allowed ? allowed.join(', ') : KNOWN}); got ${Array.isArray(raw) ? 'an array' : quoteValue(raw)}` };
  }
  if (allowed) {
    const type = (raw as { type?: unknown }).type;
    const sess = (raw as { session?: unknown }).session;
    if (!(typeof type === 'string' && allowed.includes(type))) {
      // Whatever else is in it, and whether or not it would be well formed: refused by its type.
      return { ok: false, error: `${quoteValue(type)} refused: an audience page only watches the presenter's demos (it may send ${allowed.join(', ')}); it cannot start, stop, type into or resize one`, ...(typeof sess === 'number' && Number.isInteger(sess) ? { session: sess } : {}) };
    }
  }
  // JSON.parse makes "__proto__" an own key; the schema below would skip it without a word.
  const protoAt = protoKeyPath(raw);
  if (protoAt !== undefined) {
    const s = (raw as { session?: unknown }).session;
    return { ok: false, error: `bad message: the key "__proto__"${protoAt ? ` in "${protoAt}"` : ''} is not allowed`, ...(typeof s === 'number' && Number.isInteger(s) ? { session: s } : {}) };
  }
  const s = (raw as { session?: unknown } | null)?.session;
  const r = clientMessage.safeParse(raw);
  if (r.success) return { ok: true, message: r.data };
  const issue = r.error.issues[0]!;
  const where = issue.path.length ? `field "${shortText(issue.path.join('.'))}"` : 'message';
  const known = allowed ? allowed.join(', ') : KNOWN;
  const msg =
    issue.path[0] === 'type' || (issue.code === 'invalid_union' && issue.path.length === 0)
      ? `unknown message type ${quoteValue((raw as { type?: unknown } | null)?.type)}; known types: ${known}`
      : `${where}: ${shortText(issue.message, 120)}`;
  return { ok: false, error: `bad message: ${msg}`, ...(typeof s === 'number' && Number.isInteger(s) ? { session: s } : {}) };
}

/** Where an own "__proto__" key sits in a message (top level or one level down), if anywhere. */
function protoKeyPath(raw: object): string | undefined {
  if (Object.hasOwn(raw, '__proto__')) return '';
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value === 'object' && value !== null && Object.hasOwn(value, '__proto__')) return shortText(key);
  }
  return undefined;
}
