import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The end-to-end tests start processes and servers; on a loaded two-core machine a few seconds
    // is not enough, and a time-out there would say nothing about the product.
    testTimeout: 60_000,
    // Every test file removes the temp folders it made (test/support/temp.ts).
    setupFiles: ['test/support/setup.ts'],
    hookTimeout: 60_000,
    // The JSON report lets CI print one "N passed, N failed" line.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results.json' },
  },
});
