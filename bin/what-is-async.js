#!/usr/bin/env node
// The package's command: runs the TypeScript CLI through tsx (a dependency), so there is
// no separate compile step to forget.
import { register } from 'tsx/esm/api';

register();
await import('../server/cli/main.ts');
