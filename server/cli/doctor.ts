// `doctor`: checks what the demos and tests need on this machine and says what to fix.
import { createServer } from 'node:net';
import { execFileSync } from 'node:child_process';
import { findPython } from '../registry/python.js';
import { findBrowserPath } from '../registry/browser.js';
import { parseCommandArgs, parsePort, DEFAULT_PORT } from './args.js';

export const DOCTOR_HELP = `Usage: what-is-async doctor [--port N]

Checks Node, Python, the open-file limit, the port, and a browser for the tests, and says
what to fix. Exits 1 when something the talk needs is missing.

Options:
  --port N    the port to check (default ${DEFAULT_PORT}, the one npm start serves on)
  -h, --help  show this help
`;

type Check = { name: string; ok: boolean; detail: string; fix?: string; optional?: boolean };

function nodeCheck(): Check {
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  const ok = major > 20 || (major === 20 && minor >= 19);
  return { name: 'Node.js', ok, detail: `v${process.versions.node}`, ...(ok ? {} : { fix: 'install Node.js 20.19 or newer' }) };
}

function pythonCheck(): Check {
  const py = findPython();
  return py.ok ? { name: 'Python', ok: true, detail: `${py.version} (${py.path})` } : { name: 'Python', ok: false, detail: 'not usable', fix: py.message };
}

/** The open-file limit a demo process gets: it caps the connections one process can hold. */
function fdLimitCheck(): Check {
  const py = findPython();
  let soft = NaN;
  let hard = NaN;
  if (py.ok) {
    try {
      [soft, hard] = execFileSync(py.path, ['-c', 'import resource; print(*resource.getrlimit(resource.RLIMIT_NOFILE))'], { encoding: 'utf8' })
        .trim()
        .split(' ')
        .map((n) => (n === '-1' ? Infinity : Number(n))) as [number, number];
    } catch {
      // reported below
    }
  }
  if (!Number.isFinite(soft) && !Number.isFinite(hard) && Number.isNaN(soft)) {
    return { name: 'open-file limit', ok: true, optional: true, detail: 'unknown (needs Python to read it)' };
  }
  const enough = hard >= 10_240;
  return {
    name: 'open-file limit',
    ok: enough,
    optional: true,
    detail: `soft ${soft}, hard ${hard}; the demos raise the soft limit to the hard one`,
    ...(enough ? {} : { fix: `the C10K demo needs about 10,240 open files per process: raise the hard limit (Linux: "ulimit -Hn 65536" as root or in /etc/security/limits.conf; macOS: "sudo launchctl limit maxfiles 65536 200000")` }),
  };
}

function portCheck(port: number): Promise<Check> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', (err: NodeJS.ErrnoException) =>
      resolve({ name: `port ${port}`, ok: false, optional: true, detail: err.code === 'EADDRINUSE' ? 'in use' : String(err.code), fix: `stop what uses it, or serve on another: npm start -- --port N` }),
    );
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve({ name: `port ${port}`, ok: true, detail: 'free on 127.0.0.1' })));
  });
}

function browserCheck(): Check {
  const path = findBrowserPath();
  return path
    ? { name: 'browser (tests only)', ok: true, optional: true, detail: path }
    : { name: 'browser (tests only)', ok: false, optional: true, detail: 'no Chromium or Chrome found', fix: 'for the browser tests: apt-get install chromium (Debian/Ubuntu) or install Google Chrome, or set CHROME_PATH' };
}

export async function doctor(args: string[]): Promise<number> {
  const a = parseCommandArgs(args, { command: 'doctor', options: { port: { type: 'string' } } });
  if (a.help) {
    process.stdout.write(DOCTOR_HELP);
    return 0;
  }
  const port = typeof a.values.port === 'string' ? parsePort(a.values.port, '--port') : DEFAULT_PORT;
  const checks = [nodeCheck(), pythonCheck(), fdLimitCheck(), await portCheck(port), browserCheck()];
  for (const c of checks) {
    const mark = c.ok ? '✓' : c.optional ? '!' : '✗';
    process.stdout.write(`${mark} ${c.name.padEnd(22)} ${c.detail}\n`);
    if (!c.ok && c.fix) process.stdout.write(`  → ${c.fix}\n`);
  }
  const broken = checks.filter((c) => !c.ok && !c.optional);
  process.stdout.write(broken.length ? `\n${broken.length} problem(s) stop the talk from running; fix them as shown above.\n` : '\nReady: npm start serves the talk.\n');
  return broken.length ? 1 : 0;
}
