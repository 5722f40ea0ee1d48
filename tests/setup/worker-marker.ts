// Marks this test worker's environment, so every process it starts (and theirs, even after
// setsid) can be told from an unrelated process that got a reused pid: tests/helpers/processes.ts.
import { randomBytes } from 'node:crypto';

export const TEST_MARKER_VAR = 'WIA_TEST_WORKER';

process.env[TEST_MARKER_VAR] ??= `${process.pid}.${randomBytes(6).toString('hex')}`;
