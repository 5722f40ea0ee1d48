import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Integration and browser tests start real servers, PTYs and a browser: give them room,
    // and keep files from competing for the 2 cores more than needed.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    fileParallelism: true,
    maxWorkers: 2,
    globalSetup: ['tests/global-setup.ts'],
    // Each worker marks its children, so clean-up never signals a reused pid.
    setupFiles: ['tests/setup/worker-marker.ts'],
  },
});
