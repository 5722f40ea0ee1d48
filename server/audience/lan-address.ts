// The machine's address on the local network, where the audience's phones can reach it: the
// first IPv4 address of an interface that is up and not loopback.
import { networkInterfaces } from 'node:os';

export function lanAddress(interfaces = networkInterfaces()): string | undefined {
  for (const list of Object.values(interfaces)) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}
