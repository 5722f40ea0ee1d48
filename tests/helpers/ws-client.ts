// A test client that speaks the demo protocol over a real WebSocket.
import WebSocket from 'ws';
import { PROTOCOL, WS_PATH, Op, decodeFrame, encodeFrame, type ClientMessage, type ServerMessage } from '../../shared/wire.js';

export class TestClient {
  readonly messages: ServerMessage[] = [];
  private readonly output = new Map<number, Buffer[]>();
  private readonly counts = new Map<number, number>();
  /** Output kept per session for text checks; a flood is counted, not kept. */
  static readonly KEEP = 1024 * 1024;
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) {
        const f = decodeFrame(new Uint8Array(data));
        if (f && f.op === Op.output) {
          const total = (this.counts.get(f.session) ?? 0) + f.payload.byteLength;
          this.counts.set(f.session, total);
          const list = this.output.get(f.session) ?? [];
          if (total <= TestClient.KEEP) list.push(Buffer.from(f.payload));
          this.output.set(f.session, list);
        }
      } else {
        this.messages.push(JSON.parse(data.toString()) as ServerMessage);
      }
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static connect(port: number, opts: { origin?: string | null; protocol?: string; path?: string; localAddress?: string; host?: string } = {}): Promise<TestClient> {
    const host = opts.host ?? '127.0.0.1';
    const origin = opts.origin === undefined ? `http://${host}:${port}` : opts.origin;
    const ws = new WebSocket(`ws://${host}:${port}${opts.path ?? WS_PATH}`, opts.protocol ?? PROTOCOL, {
      headers: origin ? { origin } : {},
      ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
    });
    return new Promise((resolve, reject) => {
      const client = new TestClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  send(msg: ClientMessage | Record<string, unknown>): void {
    this.ws.send(JSON.stringify(msg));
  }

  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  input(session: number, text: string): void {
    this.ws.send(encodeFrame(Op.input, session, Buffer.from(text)));
  }

  text(session: number): string {
    return Buffer.concat(this.output.get(session) ?? []).toString('utf8');
  }

  bytes(session: number): number {
    return this.counts.get(session) ?? 0;
  }

  /** Waits until `pred` holds, checked after every message; fails after `ms`. */
  async until<T>(pred: () => T | null | undefined | false, ms = 10_000, what = 'condition'): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = pred();
      if (v) return v;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${ms} ms waiting for ${what}; messages: ${JSON.stringify(this.messages).slice(-800)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 100));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  message<T extends ServerMessage['type']>(type: T, session?: number, ms?: number): Promise<Extract<ServerMessage, { type: T }>> {
    return this.until(
      () => this.messages.find((m) => m.type === type && (session === undefined || ('session' in m && m.session === session))) as Extract<ServerMessage, { type: T }> | undefined,
      ms,
      `a "${type}" message${session !== undefined ? ` for session ${session}` : ''}`,
    );
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((r) => {
      this.ws.once('close', () => r());
      this.ws.close();
    });
  }
}
