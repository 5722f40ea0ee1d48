// The wire protocol between the deck and the demo server, shared by both sides.
// Dependency-free so the browser bundle can import it.
//
// One WebSocket per page, sessions multiplexed by a client-chosen id. The version is the
// WebSocket subprotocol, so a mismatched client is refused at the handshake.
// Hot path (terminal bytes) travels in binary frames: [opcode u8][session u32 BE][payload].
// Control travels as small JSON text frames.

import type { MeterReading, ResourceSample } from './sample.js';

export type { MeterReading, ResourceSample };

export const PROTOCOL = 'what-is-async.v1';
export const WS_PATH = '/ws';
/**
 * The demo server marks the deck it serves with <meta name=SERVER_META content=PROTOCOL>;
 * a deck without it (the static site) replays recordings instead of probing for a server.
 */
export const SERVER_META = 'what-is-async-demo-server';
export const serverMetaTag = (): string => `<meta name="${SERVER_META}" content="${PROTOCOL}">`;
/**
 * With an audience on (`serve --audience`), the presenter's deck carries the audience URL in
 * <meta name=AUDIENCE_META content=URL> (its QR slide shows it, and it sends its slide to the
 * server); the deck served to the audience carries content="audience" instead.
 */
export const AUDIENCE_META = 'what-is-async-audience';
export const audienceMetaTag = (content: string): string => `<meta name="${AUDIENCE_META}" content="${escapeAttribute(content)}">`;
function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
/** Largest frame a client may send; input and control messages are tiny. */
export const MAX_CLIENT_PAYLOAD = 64 * 1024;
export const MAX_SESSION_ID = 0xffffffff;

export const Op = {
  /** server → client: bytes the PTY wrote */
  output: 1,
  /** client → server: keystrokes for the PTY */
  input: 2,
} as const;
export type Opcode = (typeof Op)[keyof typeof Op];

export type ParamValue = number | boolean | string;

// ---- client → server -------------------------------------------------------
export interface StartMessage {
  type: 'start';
  session: number;
  demo: string;
  variant?: string;
  params?: Record<string, ParamValue>;
  cols: number;
  rows: number;
  /**
   * The slide's terminal id (its element id, as shared/slide-markup.ts names it): whoever
   * watches that terminal (an audience page, the speaker view) follows this run.
   */
  terminal?: string;
}
export interface StopMessage { type: 'stop'; session: number }
export interface ResizeMessage { type: 'resize'; session: number; cols: number; rows: number }
/** The client has written `bytes` more output bytes to its terminal. */
export interface AckMessage { type: 'ack'; session: number; bytes: number }
/**
 * Takes back a run this page started, after its socket dropped or the page reloaded, under a
 * new session id: `runId` and `secret` are those its `started` message gave. Answered by
 * `attached`, or by an `error` for the session when the run is gone (or the pair is wrong).
 */
export interface AttachMessage { type: 'attach'; session: number; runId: string; secret: string; cols: number; rows: number }
/**
 * Follow, read-only, the presenter's current run of a terminal (and the runs it starts there
 * later). Answered by `attached` (readOnly) when one runs, else by `idle`.
 */
export interface WatchMessage { type: 'watch'; session: number; terminal: string }
/** Stop following what `watch` asked for under this session. */
export interface UnwatchMessage { type: 'unwatch'; session: number }
/** Where the presenter is: reveal.js's indices, and the slide's id (the audience's deck may hold more slides). */
export interface NavState { slide: string; h: number; v: number; f: number }
/** The presenter's deck moved (sent by the presenter's page only; the server passes it to the audience). */
export interface NavMessage extends NavState { type: 'nav' }
export type ClientMessage = StartMessage | StopMessage | ResizeMessage | AckMessage | AttachMessage | WatchMessage | UnwatchMessage | NavMessage;

// ---- server → client -------------------------------------------------------
export interface DemoSummary {
  id: string;
  title: string;
  point: string;
  interactive: boolean;
  defaultVariant: string;
  variants: { id: string; title: string }[];
}
export interface WelcomeMessage {
  type: 'welcome';
  protocol: string;
  demos: DemoSummary[];
  limits: { sessionsPerPage: number; maxPayload: number };
  /** 'audience': this socket only watches (the audience listener); absent: the presenter's. */
  role?: 'audience';
}
export interface StartedMessage {
  type: 'started';
  session: number;
  demo: string;
  variant: string;
  pid: number;
  argv: string[];
  params: Record<string, ParamValue>;
  timeLimitSeconds: number;
  /** The run's id on the server, and the secret that lets this page (only) take it back. */
  runId: string;
  secret: string;
  /** How long the server keeps the run when this page's socket goes away. */
  graceSeconds: number;
}
/** A run as it stands, for a page taking it back (or following it) from the middle. */
export interface RunSnapshot {
  runId: string;
  demo: string;
  variant: string;
  params: Record<string, ParamValue>;
  pid: number;
  timeLimitSeconds: number;
  /** Wall-clock start, ms since the epoch. */
  startedAt: number;
  /** The screen as serialized escape sequences, to write into a reset terminal of cols × rows. */
  screen: { data: string; cols: number; rows: number };
  /** The meter readings so far, oldest first. */
  readings: MeterReading[];
  /** Steps reached so far; `at` in ms since the run started. */
  markers: { label: string; at: number }[];
  exit?: { code: number | null; signal: string | null; reason: ExitReason };
}
/**
 * The page now follows a run that was already going: `snapshot` is where it stands. Output
 * frames, metrics, markers and the exit follow for `session` as for a run the page started.
 * The screen's bytes count as output the page must acknowledge once it has drawn them.
 */
export interface AttachedMessage {
  type: 'attached';
  session: number;
  snapshot: RunSnapshot;
  readOnly: boolean;
}
export type ExitReason = 'exited' | 'stopped' | 'timeout' | 'disconnected' | 'shutdown';
export interface ExitMessage {
  type: 'exit';
  session: number;
  code: number | null;
  signal: string | null;
  reason: ExitReason;
}
export interface ErrorMessage {
  type: 'error';
  /** Present when the error concerns one session; the connection itself stays usable. */
  session?: number;
  message: string;
}
/** A resource sample of the session's process under test, a few times a second. */
export interface MetricsMessage extends MeterReading {
  type: 'metrics';
  session: number;
  /** The followed process: the session's root, or the one the manifest marks as under test. */
  underTest: { pid: number; match: string | null };
}
/** The run reached one of its manifest's steps (an output line matched it): a moment worth naming. */
export interface MarkerMessage {
  type: 'marker';
  session: number;
  label: string;
}
/** Nothing runs in the watched terminal now; `attached` comes when the presenter starts it. */
export interface IdleMessage { type: 'idle'; session: number; terminal: string }
/** To an audience page: the presenter's slide, on connecting and on every change. */
export interface NavStateMessage extends NavState { type: 'nav' }
export type ServerMessage =
  | WelcomeMessage
  | StartedMessage
  | ExitMessage
  | ErrorMessage
  | MetricsMessage
  | MarkerMessage
  | AttachedMessage
  | IdleMessage
  | NavStateMessage;

// ---- binary frames ---------------------------------------------------------
const HEADER = 5;

export function encodeFrame(op: Opcode, session: number, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(HEADER + payload.byteLength);
  frame[0] = op;
  new DataView(frame.buffer).setUint32(1, session >>> 0);
  frame.set(payload, HEADER);
  return frame;
}

export interface Frame { op: number; session: number; payload: Uint8Array }

/** Returns null for a frame too short to hold its header. */
export function decodeFrame(data: Uint8Array): Frame | null {
  if (data.byteLength < HEADER) return null;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return { op: data[0]!, session: view.getUint32(1), payload: data.subarray(HEADER) };
}

/** Plain words for an exit, shown in the terminal. */
export function describeExit(m: Pick<ExitMessage, 'code' | 'signal' | 'reason'>): string {
  switch (m.reason) {
    case 'stopped': return 'stopped';
    case 'timeout': return 'stopped: it reached its time limit';
    case 'disconnected': return 'stopped: the page disconnected';
    case 'shutdown': return 'stopped: the demo server shut down';
    case 'exited':
      if (m.signal) return `ended by signal ${m.signal}`;
      return m.code === 0 ? 'exited normally (code 0)' : `exited with code ${m.code}`;
  }
}
