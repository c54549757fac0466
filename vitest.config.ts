import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Most of an end-to-end test is waiting on its child process and the stand-ins, so two test files at
// once fit on two cores (vitest's default there is one, which left a core idle for most of the suite).
const forks = Math.max(2, availableParallelism() - 1);

export default defineConfig({
  test: {
    // The end-to-end tests start processes and servers; on a loaded two-core machine a few seconds
    // is not enough, and a time-out there would say nothing about the product.
    testTimeout: 60_000,
    pool: 'forks',
    poolOptions: { forks: { minForks: forks, maxForks: forks } },
    // Every test file removes the temp folders it made (test/support/temp.ts).
    setupFiles: ['test/support/setup.ts'],
    hookTimeout: 60_000,
    // The JSON report lets CI print one "N passed, N failed" line.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results.json' },
  },
});
