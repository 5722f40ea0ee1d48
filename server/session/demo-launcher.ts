// Turns a validated start request into the PTY command of a registry demo, or a plain error.
import type { Registry } from '../registry/registry.js';
import { resolveParams, buildArgv } from '../registry/params.js';
import { findPython } from '../registry/python.js';
import type { ParamValue } from '../../shared/wire.js';
import { shortText } from '../protocol/short-text.js';
import type { StepSpec } from '../run/step-markers.js';

export interface LaunchPlan {
  demo: string;
  variant: string;
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  params: Record<string, ParamValue>;
  timeLimitSeconds: number;
  underTest?: { match: string };
  /** The manifest's steps: the run marks each once, when its output reaches it. */
  steps?: readonly StepSpec[];
}

export type Launch = { ok: true; plan: LaunchPlan } | { ok: false; message: string };

/** The environment a demo sees: no secrets of the server's, just what a terminal program needs. */
function demoEnv(): Record<string, string> {
  const env: Record<string, string> = {
    TERM: 'xterm-256color',
    COLORTERM: 'truecolor',
    PYTHONUNBUFFERED: '1',
    PYTHONDONTWRITEBYTECODE: '1',
    LANG: process.env.LANG && /utf-?8/i.test(process.env.LANG) ? process.env.LANG : 'C.UTF-8',
  };
  for (const key of ['PATH', 'HOME', 'USER', 'TMPDIR', 'SYSTEMROOT']) {
    const v = process.env[key];
    if (v !== undefined) env[key] = v;
  }
  return env;
}

export function planLaunch(
  registry: Registry,
  req: { demo: string; variant?: string | undefined; params?: Record<string, unknown> | undefined },
): Launch {
  const demo = registry.get(req.demo);
  if (!demo) {
    return { ok: false, message: `unknown demo "${shortText(req.demo)}"; known demos: ${[...registry.keys()].join(', ') || '(none)'}` };
  }
  const m = demo.manifest;
  const variantId = req.variant ?? m.defaultVariant ?? Object.keys(m.variants)[0]!;
  // Own keys only: "__proto__", "constructor" or "toString" must not find Object.prototype's.
  const variant = Object.hasOwn(m.variants, variantId) ? m.variants[variantId] : undefined;
  if (!variant) {
    return { ok: false, message: `demo "${m.id}" has no variant "${shortText(variantId)}"; its variants: ${Object.keys(m.variants).join(', ')}` };
  }
  const params = resolveParams(m, req.params);
  if (!params.ok) return { ok: false, message: params.message };
  const argv = buildArgv(variant, params.values);
  if (argv[0] === 'python3') {
    const py = findPython();
    if (!py.ok) return { ok: false, message: py.message };
    argv[0] = py.path;
  }
  return {
    ok: true,
    plan: {
      demo: m.id,
      variant: variantId,
      argv,
      cwd: demo.dir,
      env: demoEnv(),
      params: params.values,
      timeLimitSeconds: m.timeLimitSeconds,
      steps: m.steps,
      ...(variant.underTest ? { underTest: variant.underTest } : {}),
    },
  };
}
