// Starts tests/helpers/child-server.ts and stops it: see there.
import { spawn } from 'node:child_process';
import { ROOT } from './server.js';

export interface ServerProcess {
  port: number;
  pid: number;
  /** How it ended, once it has: "code N" or "signal X"; undefined while it runs. */
  ended(): string | undefined;
  /** SIGTERM, then SIGKILL if it has not ended in 5 s (a hung server ignores SIGTERM). */
  close(): Promise<void>;
}

export async function startServerProcess(demos: 'project' | 'fixtures'): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx/esm', 'tests/helpers/child-server.ts', demos], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let how: string | undefined;
  const exited = new Promise<void>((r) =>
    child.once('exit', (code, signal) => {
      how = signal ? `signal ${signal}` : `code ${code}`;
      r();
    }),
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /port (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`the server process exited (${code}) before it listened`)));
  });
  return {
    port,
    pid: child.pid!,
    ended: () => how,
    close: async () => {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}
