// Wraps the server's request and upgrade handlers: an error thrown while handling one is a bug,
// but it ends only that request (a 500, or a closed socket) and is logged once with the request
// that caused it. The process goes on serving.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { shortText } from '../protocol/short-text.js';
import type { IncidentLog } from './incident-log.js';

/** A request line for a log: the method and a short prefix of the target. */
export function describeRequest(req: IncomingMessage): string {
  return `${shortText(String(req.method), 16)} ${shortText(String(req.url), 80)}`;
}

export function guardRequests(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
  incidents: IncidentLog,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      incidents.record(err, describeRequest(req));
      if (res.headersSent) res.destroy();
      else res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('internal error of the demo server (logged on its terminal)\n');
    }
  };
}

export function guardUpgrades(
  handle: (req: IncomingMessage, socket: Duplex, head: Buffer) => void,
  incidents: IncidentLog,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    try {
      handle(req, socket, head);
    } catch (err) {
      incidents.record(err, `an upgrade to ${describeRequest(req)}`);
      socket.destroy();
    }
  };
}
