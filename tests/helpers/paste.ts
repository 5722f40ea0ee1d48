// Tools for the paste tests: a page that acknowledges output as it draws it (as the deck
// does), a paste sent the way the deck sends one, and `GET /` asked again and again meanwhile.
import { request } from 'node:http';
import { decodeFrame, encodeFrame, Op, MAX_CLIENT_PAYLOAD } from '../../shared/wire.js';
import type { TestClient } from './ws-client.js';

/** Acknowledges every output byte of `session` as it arrives, in batches as the deck does. */
export function ackAsDrawn(c: TestClient, session: number): () => void {
  let pending = 0;
  const onMessage = (data: Buffer, isBinary: boolean) => {
    if (!isBinary) return;
    const f = decodeFrame(new Uint8Array(data));
    if (f?.op === Op.output && f.session === session) pending += f.payload.byteLength;
  };
  c.ws.on('message', onMessage);
  const timer = setInterval(() => {
    if (pending > 0) c.send({ type: 'ack', session, bytes: pending });
    pending = 0;
  }, 20);
  return () => {
    clearInterval(timer);
    c.ws.off('message', onMessage);
  };
}

/** Sends `bytes` as input frames of at most the server's payload limit, as the deck splits a paste. */
export function paste(c: TestClient, session: number, bytes: Uint8Array): void {
  const most = MAX_CLIENT_PAYLOAD - 5;
  for (let at = 0; at < bytes.byteLength; at += most) c.sendRaw(Buffer.from(encodeFrame(Op.input, session, bytes.subarray(at, at + most))));
}

/** `n` numbered lines of `width` characters each, every one ended by Enter (\r), as a paste sends them. */
export function numberedLines(n: number, width = 99): { text: string; lines: string[] } {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const head = `line ${String(i).padStart(6, '0')} `;
    lines.push(head + 'abcdefghijklmnopqrstuvwxyz'.repeat(4).slice(0, width - head.length));
  }
  return { text: lines.map((l) => `${l}\r`).join(''), lines };
}

export interface RootPolls {
  /** Latencies of every `GET /` answered while the poll ran, in ms. */
  latencies: number[];
  /** Statuses other than 200, and errors: none expected. */
  failures: string[];
  stop(): Promise<void>;
}

function getRoot(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('GET / timed out after 10 s')));
    req.on('error', reject);
    req.end();
  });
}

/** Asks `GET /` one after another (each after the last answered) until stopped. */
export function pollRoot(port: number): RootPolls {
  const latencies: number[] = [];
  const failures: string[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      try {
        const status = await getRoot(port);
        if (status === 200) latencies.push(performance.now() - t0);
        else failures.push(`status ${status}`);
      } catch (err) {
        failures.push(String(err));
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    latencies,
    failures,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

export function summarize(ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]?.toFixed(1);
  return `${ms.length} answers, median ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms`;
}
