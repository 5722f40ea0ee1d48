// Validates every message a client sends. A bad one yields a message naming what was wrong;
// it never throws, so one bad frame cannot take down a connection.
import { z } from 'zod';
import { MAX_SESSION_ID, type ClientMessage } from './protocol.js';

const session = z.number().int().min(1).max(MAX_SESSION_ID);
const cols = z.number().int().min(2).max(1000);
const rows = z.number().int().min(1).max(500);
const paramValue = z.union([z.number(), z.boolean(), z.string().max(200)]);

const clientMessage = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('start'),
    session,
    demo: z.string().min(1).max(64),
    variant: z.string().min(1).max(64).optional(),
    params: z.record(z.string().max(64), paramValue).optional(),
    cols,
    rows,
  }),
  z.strictObject({ type: z.literal('stop'), session }),
  z.strictObject({ type: z.literal('resize'), session, cols, rows }),
  z.strictObject({ type: z.literal('ack'), session, bytes: z.number().int().min(0).max(2 ** 32) }),
]);

export type Parsed = { ok: true; message: ClientMessage } | { ok: false; error: string; session?: number };

export function parseClientMessage(text: string): Parsed {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, error: 'message is not valid JSON' };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, error: `bad message: expected a JSON object with a "type" (start, stop, resize, ack); got ${Array.isArray(raw) ? 'an array' : JSON.stringify(raw)}` };
  }
  const r = clientMessage.safeParse(raw);
  if (r.success) return { ok: true, message: r.data };
  const s = (raw as { session?: unknown } | null)?.session;
  const issue = r.error.issues[0]!;
  const where = issue.path.length ? `field "${issue.path.join('.')}"` : 'message';
  const known = 'start, stop, resize, ack';
  const msg =
    issue.path[0] === 'type' || (issue.code === 'invalid_union' && issue.path.length === 0)
      ? `unknown message type ${JSON.stringify((raw as { type?: unknown } | null)?.type)}; known types: ${known}`
      : `${where}: ${issue.message}`;
  return { ok: false, error: `bad message: ${msg}`, ...(typeof s === 'number' && Number.isInteger(s) ? { session: s } : {}) };
}
