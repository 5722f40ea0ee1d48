// Finds the Python that runs the demos, once, and says plainly what to do when there is none.
import { execFileSync } from 'node:child_process';

export const MIN_PYTHON: [number, number] = [3, 8];

export type PythonCheck = { ok: true; path: string; version: string } | { ok: false; message: string };

let cached: PythonCheck | undefined;

/** The interpreter named by WIA_PYTHON, else python3 on PATH; checked for version 3.8+. */
export function findPython(env: NodeJS.ProcessEnv = process.env): PythonCheck {
  if (cached && env === process.env) return cached;
  const path = env.WIA_PYTHON || 'python3';
  let result: PythonCheck;
  try {
    const out = execFileSync(path, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], {
      encoding: 'utf8',
      timeout: 10_000,
      env,
    }).trim();
    const [major, minor] = out.split('.').map(Number);
    if (major! > MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor! >= MIN_PYTHON[1])) {
      result = { ok: true, path, version: out };
    } else {
      result = { ok: false, message: `the demos need Python ${MIN_PYTHON.join('.')} or newer, but ${path} is Python ${out}. Install a newer python3 or set WIA_PYTHON to one.` };
    }
  } catch {
    result = {
      ok: false,
      message: `Python ${MIN_PYTHON.join('.')} or newer was not found (looked for "${path}"${env.WIA_PYTHON ? ' from WIA_PYTHON' : ' on PATH'}). Install it (Debian/Ubuntu: apt-get install python3; macOS: brew install python) or set WIA_PYTHON to its path.`,
    };
  }
  if (env === process.env) cached = result;
  return result;
}
