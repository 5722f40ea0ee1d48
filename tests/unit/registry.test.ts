import { describe, it, expect } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadRegistry, ManifestError } from '../../server/registry/registry.js';
import { resolveParams, buildArgv } from '../../server/registry/params.js';
import { manifestSchema } from '../../server/registry/manifest.js';
import { planLaunch } from '../../server/session/demo-launcher.js';
import { findPython } from '../../server/registry/python.js';

const ROOT = resolve(import.meta.dirname, '../..');

function tempDemos(manifests: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'wia-demos-'));
  for (const [folder, m] of Object.entries(manifests)) {
    mkdirSync(join(dir, folder));
    writeFileSync(join(dir, folder, 'demo.json'), typeof m === 'string' ? m : JSON.stringify(m));
  }
  return dir;
}

const good = {
  id: 'ok',
  title: 'Ok',
  point: 'p',
  variants: { a: { title: 'A', argv: ['python3', 'a.py', '--n', '{n}'] } },
  params: { n: { type: 'integer', description: 'n', min: 1, max: 5, default: 2 } },
  timeLimitSeconds: 10,
};

describe('the demo registry', () => {
  it('loads every demo of the project', () => {
    const reg = loadRegistry(join(ROOT, 'demos'));
    expect([...reg.keys()]).toEqual(expect.arrayContaining(['hello', 'chat']));
    for (const demo of reg.values()) expect(Object.keys(demo.manifest.variants).length).toBeGreaterThan(0);
    expect(reg.has('shared')).toBe(false); // demos/shared is plumbing, not a demo
  });

  it('ignores folders without a manifest', () => {
    const dir = tempDemos({ ok: good });
    mkdirSync(join(dir, 'notes'));
    expect([...loadRegistry(dir).keys()]).toEqual(['ok']);
    rmSync(dir, { recursive: true });
  });

  it('names the file and each bad field of a broken manifest', () => {
    let err: unknown;
    try {
      loadRegistry(join(ROOT, 'tests/fixtures/broken-demos'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ManifestError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/broken-demos\/bad\/demo\.json/);
    expect(msg).toMatch(/timeLimitSeconds: /);
    expect(msg).toMatch(/params\.delay\.default: must lie within min\.\.max/);
    expect(msg).toMatch(/variants\.one\.argv\.2: refers to \{clients\}, which is not a declared parameter/);
  });

  it('reports bad JSON and a mismatched id', () => {
    const dir = tempDemos({ broken: '{ "id": ', other: { ...good, id: 'ok' } });
    try {
      loadRegistry(dir);
      expect.unreachable();
    } catch (e) {
      const msg = (e as Error).message;
      expect(msg).toMatch(/broken\/demo\.json: invalid demo manifest\n {2}- not valid JSON/);
      expect(msg).toMatch(/other\/demo\.json[\s\S]*id: "ok" must equal its folder's name "other"/);
    }
    rmSync(dir, { recursive: true });
  });

  it('refuses a shell string where argv must be an array', () => {
    const r = manifestSchema.safeParse({ ...good, variants: { a: { title: 'A', argv: 'python3 a.py; rm -rf /' } } });
    expect(r.success).toBe(false);
  });
});

describe('parameters', () => {
  const m = manifestSchema.parse(good);
  it('fills defaults and accepts values in bounds', () => {
    expect(resolveParams(m)).toEqual({ ok: true, values: { n: 2 } });
    expect(resolveParams(m, { n: 5 })).toEqual({ ok: true, values: { n: 5 } });
  });
  // A parameter is a JSON number in range or refused: strings that look like numbers are strings.
  it.each([[{ n: 0 }], [{ n: 6 }], [{ n: 1.5 }], [{ n: 'x' }], [{ n: '' }], [{ n: true }], [{ m: 1 }], [{ n: '4' }], [{ n: '0x3' }], [{ n: ' 3 ' }], [{ n: '3e0' }], [{ n: Infinity }], [{ n: NaN }]])('refuses %j', (given) => {
    const r = resolveParams(m, given);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/parameter "[nm]"/);
  });
  it.each(['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf'])('refuses the inherited name %s as a parameter', (name) => {
    const given = JSON.parse(`{"${name}": 1}`) as Record<string, unknown>;
    const r = resolveParams(m, given);
    expect(r).toMatchObject({ ok: false, message: `demo "ok" has no parameter "${name}"; its parameters are: n` });
  });
  it('quotes only a short prefix of a bad value', () => {
    const r = resolveParams(m, { n: 'x'.repeat(10_000) });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message.length).toBeLessThan(150);
  });
  it('builds argv token by token, never through a shell', () => {
    expect(buildArgv(m.variants.a!, { n: 3 })).toEqual(['python3', 'a.py', '--n', '3']);
  });
});

describe('launch plans', () => {
  it('runs python3 demos with the interpreter found on this machine', () => {
    const reg = loadRegistry(join(ROOT, 'demos'));
    const plan = planLaunch(reg, { demo: 'hello' });
    expect(plan.ok).toBe(true);
    const py = findPython();
    if (plan.ok && py.ok) {
      expect(plan.plan.argv[0]).toBe(py.path);
      expect(plan.plan.cwd).toBe(join(ROOT, 'demos/hello'));
      expect(plan.plan.env.TERM).toBe('xterm-256color');
    }
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('refuses the variant %s (no inherited property is a variant)', (variant) => {
    const reg = loadRegistry(join(ROOT, 'demos'));
    expect(planLaunch(reg, { demo: 'hello', variant })).toEqual({ ok: false, message: `demo "hello" has no variant "${variant}"; its variants: blocking, selectors` });
  });

  it('says what to do when Python is missing', () => {
    const r = findPython({ ...process.env, WIA_PYTHON: '/nonexistent/python3' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/not found .*WIA_PYTHON.*Install it/);
  });
});
