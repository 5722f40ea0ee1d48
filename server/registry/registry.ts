// Every folder under demos/ with a demo.json is a demo. Adding a demo means adding a folder.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { manifestSchema, type Manifest } from './manifest.js';
import type { DemoSummary } from '../../shared/wire.js';

export interface Demo {
  manifest: Manifest;
  /** Absolute path of the demo's folder: its programs run with this as the working directory. */
  dir: string;
}

export class ManifestError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid demo manifest\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ManifestError';
  }
}

export type Registry = ReadonlyMap<string, Demo>;

/** Reads and validates one manifest; throws a ManifestError naming the file and each bad field. */
export function loadManifest(file: string, folderName: string, shownAs = file): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ManifestError(shownAs, [`not valid JSON: ${(err as Error).message}`]);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
    throw new ManifestError(shownAs, problems);
  }
  if (parsed.data.id !== folderName) {
    throw new ManifestError(shownAs, [`id: "${parsed.data.id}" must equal its folder's name "${folderName}"`]);
  }
  return parsed.data;
}

/** Loads every demo under `demosDir`; collects all broken manifests into one error. */
export function loadRegistry(demosDir: string): Registry {
  const demos = new Map<string, Demo>();
  const errors: ManifestError[] = [];
  const folders = readdirSync(demosDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  for (const folder of folders) {
    const file = join(demosDir, folder, 'demo.json');
    if (!existsSync(file)) continue;
    try {
      demos.set(folder, { manifest: loadManifest(file, folder, relative(process.cwd(), file) || file), dir: join(demosDir, folder) });
    } catch (err) {
      if (err instanceof ManifestError) errors.push(err);
      else throw err;
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, errors.map((e) => e.message).join('\n'));
  return demos;
}

/** The demos as the wire's welcome lists them. */
export function demoSummaries(registry: Registry): DemoSummary[] {
  return [...registry.values()].map(({ manifest: m }) => ({
    id: m.id,
    title: m.title,
    point: m.point,
    interactive: m.interactive,
    defaultVariant: m.defaultVariant ?? Object.keys(m.variants)[0]!,
    variants: Object.entries(m.variants).map(([id, v]) => ({ id, title: v.title })),
  }));
}
