// Speaks HTTP by hand, byte for byte, to send what no well-behaved client would.
import { connect } from 'node:net';
import { request } from 'node:http';

export interface RawReply {
  /** The status code of the first response line, or 0 when none came. */
  status: number;
  text: string;
  /** How the exchange ended: the server closed, the wait ran out, or an error. */
  ended: 'closed' | 'timeout' | 'error';
}

/** Sends `bytes` as they are and reads the answer until the server closes or `ms` pass. */
export function rawHttp(port: number, bytes: string | Buffer, ms = 1500): Promise<RawReply> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const finish = (ended: RawReply['ended']) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0), text, ended });
    };
    const timer = setTimeout(() => finish('timeout'), ms);
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.on('end', () => finish('closed'));
    socket.on('error', () => finish('error'));
    socket.write(bytes);
  });
}

/** GET `path` the ordinary way; resolves with the status, headers and body. */
export function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    // A server that never finishes its answer fails the test instead of hanging it.
    req.setTimeout(10_000, () => req.destroy(new Error(`GET ${path}: no complete answer in 10 s`)));
    req.on('error', reject);
    req.end();
  });
}
