// The doctor's checks of this machine: Node, Python, the limits the demo slides will push
// against, the port, where instance records go, and a browser for the tests.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { findPython } from '../registry/python.js';
import { findBrowserPath, INSTALL_BROWSER } from '../registry/browser.js';
import { readLimits, sysctl, tasksNow, userTasksNow, type Limits } from './limits.js';
import { FD_HEADROOM, THREAD_HEADROOM, type Need, type SlideNeeds } from './slide-needs.js';
import { instancesDir, readRecords, stateDir } from '../instance/instance-record.js';
import { startOf } from '../instance/process-table.js';
import type { Check, Status } from './check.js';

const fmt = (n: number) => (n === Infinity ? 'unlimited' : n.toLocaleString('en-US'));
/** Up to a multiple of 1024: 10,100 → 10,240, the figure people know. */
const roundUp = (n: number) => Math.ceil(n / 1024) * 1024;
/** The slides that ask: "04-c10k.html", or "04-c10k.html #c10k-threads" when one terminal does. */
const where = (n: Need) => (n.where.length === 1 ? n.where[0]! : [...new Set(n.where.map((w) => w.split(' ')[0]))].join(', '));
const isMac = process.platform === 'darwin';

export function nodeCheck(): Check {
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  const ok = major > 20 || (major === 20 && minor >= 19);
  return { id: 'node', title: 'Node.js', status: ok ? 'ok' : 'fail', detail: `v${process.versions.node}${ok ? '' : ', older than 20.19'}`, fix: 'install Node.js 20.19 or newer' };
}

export function pythonCheck(): Check {
  const py = findPython();
  if (!py.ok) return { id: 'python', title: 'Python', status: 'fail', detail: 'not usable', fix: py.message };
  let exe = py.path;
  try {
    exe = execFileSync(py.path, ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8', timeout: 10_000 }).trim() || py.path;
  } catch {
    // the version check ran it; its path is enough
  }
  return { id: 'python', title: 'Python', status: 'ok', detail: `${py.version} (${exe}${process.env.WIA_PYTHON ? ', from WIA_PYTHON' : ''})` };
}

/** Open files: each process of the biggest connections slide holds one socket per connection. */
export function openFilesCheck(needs: SlideNeeds, limits: Limits = readLimits()): Check {
  const base = { id: 'open-files', title: 'open-file limit' };
  const l = limits.openFiles;
  const need = needs.connections;
  const perProcess = need ? need.count + FD_HEADROOM : 0;
  if (!l) {
    return {
      ...base,
      status: 'warn',
      detail: 'unknown: neither /proc/self/limits nor the shell’s ulimit could be read',
      fix: `check it yourself in the shell that runs npm start: "ulimit -Hn" must show at least ${fmt(perProcess || 1024)}`,
    };
  }
  const perProcCap = isMac ? sysctl('kern.maxfilesperproc') : undefined;
  const cap = Math.min(l.hard, perProcCap ?? Infinity);
  const limitText = `soft ${fmt(l.soft)}, hard ${fmt(l.hard)}${perProcCap !== undefined ? `, kern.maxfilesperproc ${fmt(perProcCap)}` : ''}`;
  if (!need) return { ...base, status: 'ok', detail: `${limitText}; no slide opens many connections` };
  const asks = `the ${fmt(need.count)} connections of ${where(need)} (about ${fmt(perProcess)} open files a process)`;

  const items: string[] = [];
  let status: Status = cap >= perProcess ? 'ok' : 'fail';
  // The whole machine's table holds both ends of every connection.
  const fileMax = isMac ? sysctl('kern.maxfiles') : sysctl('fs.file-max');
  const inUse = isMac ? sysctl('kern.num_files') : sysctl('fs.file-nr');
  if (fileMax !== undefined && inUse !== undefined && fileMax - inUse < 2 * perProcess) {
    status = 'fail';
    items.push(`✗ the whole machine: ${fmt(inUse)} of ${fmt(fileMax)} open files in use, ${fmt(2 * perProcess)} more needed`);
  }
  if (status === 'ok') return { ...base, status, detail: `${limitText}: enough for ${asks}` };

  const fixes: string[] = [];
  if (cap < perProcess) {
    const shell = `in the shell that runs npm start: "ulimit -n ${roundUp(perProcess)}"`;
    const sysCap = perProcCap !== undefined && perProcCap < perProcess ? `, after raising the system's caps: "sudo sysctl kern.maxfilesperproc=65536 kern.maxfiles=200000"` : '';
    fixes.push(
      isMac
        ? `${shell}${sysCap} (macOS starts each shell at 256)`
        : `${shell}; above the hard limit that needs root: "sudo prlimit --nofile=65536:65536 --pid $$" in that shell, or a "nofile 65536" line in /etc/security/limits.conf (then log in again)`,
    );
  }
  if (items.length) fixes.push(`raise the machine's table: "sudo sysctl -w ${isMac ? 'kern.maxfiles' : 'fs.file-max'}=2000000"`);
  return { ...base, status, detail: `${limitText}: ${cap < perProcess ? 'too low' : 'the machine has too few'} for ${asks}`, items, fix: fixes.join('; ') };
}

interface LimitRow {
  name: string;
  /** undefined: could not be read */
  ok: boolean | undefined;
  text: string;
  fix: string;
}

function linuxThreadRows(n: number, limits: Limits): LimitRow[] {
  const tasks = tasksNow();
  const rows: LimitRow[] = [];
  const machine = (name: string, key: string) => {
    const max = sysctl(key);
    const ok = max === undefined || tasks === undefined ? undefined : tasks + n <= max;
    rows.push({ name, ok, text: `${name} ${max === undefined ? 'unknown' : fmt(max)}${tasks !== undefined ? ` (${fmt(tasks)} threads running)` : ''}`, fix: `"sudo sysctl -w ${key}=${roundUp((tasks ?? 0) + 2 * n)}"` });
  };
  machine('kernel.threads-max', 'kernel.threads-max');
  machine('kernel.pid_max', 'kernel.pid_max'); // every thread takes a pid
  // Each thread's stack is a mapping and its guard page another, in the one process.
  const maps = sysctl('vm.max_map_count');
  rows.push({
    name: 'vm.max_map_count',
    ok: maps === undefined ? undefined : 2 * n + 1000 <= maps,
    text: `vm.max_map_count ${maps === undefined ? 'unknown' : fmt(maps)} (about ${fmt(2 * n + 1000)} needed)`,
    fix: `"sudo sysctl -w vm.max_map_count=${roundUp(4 * n)}"`,
  });
  const nproc = limits.processes;
  if (process.getuid?.() === 0) {
    rows.push({ name: 'RLIMIT_NPROC', ok: true, text: `RLIMIT_NPROC ${nproc ? fmt(nproc.soft) : 'unknown'} (not enforced for root)`, fix: '' });
  } else {
    const mine = userTasksNow();
    rows.push({
      name: 'RLIMIT_NPROC',
      ok: nproc === undefined || mine === undefined ? undefined : mine + n <= nproc.soft,
      text: `RLIMIT_NPROC ${nproc ? fmt(nproc.soft) : 'unknown'}${mine !== undefined ? ` (${fmt(mine)} threads of yours running)` : ''}`,
      fix: `"ulimit -u ${roundUp((mine ?? 0) + 2 * n)}" in the shell that runs npm start (above the hard limit: an "nproc" line in /etc/security/limits.conf)`,
    });
  }
  return rows;
}

function macThreadRows(n: number): LimitRow[] {
  const perProc = sysctl('kern.num_taskthreads');
  return [
    {
      name: 'kern.num_taskthreads',
      ok: perProc === undefined ? undefined : n <= perProc,
      text: `kern.num_taskthreads ${perProc === undefined ? 'unknown' : fmt(perProc)} (threads one process may have)`,
      fix: 'macOS does not let this be raised: lower the slide’s "connections" (or "maxThreads") to fit, or present the recording of that slide',
    },
  ];
}

/** Threads: the thread-per-connection slide starts one per connection in one process. */
export function threadsCheck(needs: SlideNeeds, limits: Limits = readLimits()): Check {
  const base = { id: 'threads', title: 'thread and process limits' };
  const need = needs.threads;
  if (!need) return { ...base, status: 'ok', detail: 'no slide starts a thread per connection' };
  const n = need.count + THREAD_HEADROOM;
  const rows = isMac ? macThreadRows(n) : linuxThreadRows(n, limits);
  const bad = rows.filter((r) => r.ok === false);
  const unknown = rows.filter((r) => r.ok === undefined);
  const status: Status = bad.length ? 'fail' : unknown.length ? 'warn' : 'ok';
  const asks = `about ${fmt(n)} threads in one process (${where(need)})`;
  return {
    ...base,
    status,
    detail: status === 'ok' ? `enough for ${asks}` : bad.length ? `too low for ${asks}` : `could not read every limit for ${asks}`,
    items: rows.map((r) => `${r.ok === true ? '✓' : r.ok === false ? '✗' : '?'} ${r.text}`),
    fix: bad.length ? bad.map((r) => `${r.name}: ${r.fix}`).join('; ') : unknown.length ? `check ${unknown.map((r) => r.name).join(', ')} by hand` : '',
  };
}

function listen(port: number): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => resolve(err));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(undefined)));
  });
}

/** The port npm start would listen on (--port, else $PORT, else 2014). */
export async function portCheck(port: number): Promise<Check> {
  const base = { id: 'port', title: `port ${port}` };
  if (port === 0) return { ...base, status: 'ok', detail: 'any free port: one is picked at start' };
  const err = await listen(port);
  if (!err) return { ...base, status: 'ok', detail: 'free on 127.0.0.1' };
  if (err.code === 'EACCES') return { ...base, status: 'fail', detail: 'no permission to listen on it', fix: 'pick one above 1023: npm start -- --port N (doctor --port N checks it)' };
  if (err.code !== 'EADDRINUSE') return { ...base, status: 'fail', detail: `cannot listen on it: ${err.code ?? err.message}`, fix: 'pick another: npm start -- --port N' };
  // Is it this talk's own server, already up? Its instance record says so.
  const ours = readRecords().find((r) => r.command === 'serve' && r.port === port && startOf(r.owner.pid) === r.owner.start);
  if (ours) {
    return { ...base, status: 'warn', detail: `in use by the talk's own server, already serving (pid ${ours.owner.pid}): http://127.0.0.1:${port}/`, fix: 'use that one, or stop it (Ctrl-C in its terminal) before npm start' };
  }
  return { ...base, status: 'fail', detail: 'in use by another program', fix: 'stop what uses it, or serve on another: npm start -- --port N, or PORT=N npm start (doctor --port N checks that one)' };
}

export function browserCheck(): Check {
  const base = { id: 'browser', title: 'browser (tests only)' };
  const path = findBrowserPath();
  if (path) return { ...base, status: 'ok', detail: path };
  const env = process.env.CHROME_PATH;
  return { ...base, status: 'warn', detail: env ? `CHROME_PATH is ${env}, and there is no such file` : 'no Chromium or Chrome found', fix: `the browser tests need one. ${INSTALL_BROWSER}` };
}

/** Where instance records go: what lets the next start name what a crashed server left. */
export function stateDirCheck(): Check {
  const base = { id: 'state-dir', title: 'instance records' };
  const dir = instancesDir(stateDir());
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const probe = join(dir, `.doctor-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
    return { ...base, status: 'ok', detail: dir };
  } catch (err) {
    return {
      ...base,
      status: 'warn',
      detail: `cannot write ${dir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): demos left by a crashed server are still found by their marker, but not the sessions it recorded`,
      fix: 'set WIA_STATE_DIR to a folder you can write',
    };
  }
}
