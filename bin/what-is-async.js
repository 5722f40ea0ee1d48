#!/usr/bin/env node
// @ts-check
// The package's command. It runs the CLI's bundled JavaScript (see cli-build.js), rebuilt
// first if any of its TypeScript sources changed since it was built.
import * as nodeModule from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureCliBuilt } from './cli-build.js';

// Node 22 and later keep compiled code between starts; Node 20 has no such cache.
/** @type {{ enableCompileCache?: () => unknown }} */ (nodeModule).enableCompileCache?.();
// Stack traces name the TypeScript lines.
process.setSourceMapsEnabled(true);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
await import(pathToFileURL(await ensureCliBuilt(root)).href);
