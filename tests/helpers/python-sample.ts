// Runs one of the demos' Python samples directly (not through the demo server), as a user would
// from its folder, and collects what it printed.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { findPython } from '../../server/registry/python.js';
import { track } from './processes.js';

export interface SampleRun<J = unknown> {
  code: number | null;
  /** stdout and stderr, in the order they arrived */
  out: string;
  /** the last output line that starts with "{", parsed (the samples' --json figures), if any */
  json?: J;
}

export interface SampleOptions {
  /** SIGKILL the sample's whole process group after this long */
  timeoutMs: number;
  /** gets the sample's pid at once, so afterAll can end its group (killGroups) whatever happens */
  started: number[];
  /** called right after the spawn, e.g. to watch the process while it runs */
  onSpawn?: (child: ChildProcessWithoutNullStreams) => void;
}

/** Runs `python <argv>` in `cwd`, in its own process group, and resolves when it has closed its output. */
export function runPythonSample<J = unknown>(cwd: string, argv: string[], opts: SampleOptions): Promise<SampleRun<J>> {
  const python = findPython();
  if (!python.ok) throw new Error(python.message);
  return new Promise((done, fail) => {
    const child = spawn(python.path, argv, {
      cwd,
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
      detached: true, // its own process group: afterAll can end it and its children
    });
    const pid = track(child.pid!);
    opts.started.push(pid);
    opts.onSpawn?.(child);
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const timer = setTimeout(() => {
      if (child.exitCode !== null || child.signalCode !== null) return; // reaped: its number may be anyone's now
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone
      }
    }, opts.timeoutMs);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, out, json: lastJsonLine<J>(out) });
    });
  });
}

function lastJsonLine<J>(out: string): J | undefined {
  const line = out.split('\n').reverse().find((l) => l.startsWith('{'));
  if (!line) return undefined;
  try {
    return JSON.parse(line) as J;
  } catch {
    return undefined;
  }
}

/** The figures of a --json run; throws with its output if it failed or printed none. */
export function figuresOf<J>(run: SampleRun<J>, what: string): J {
  if (run.code !== 0 || !run.json) throw new Error(`${what} exited ${run.code}:\n${run.out}`);
  return run.json;
}
