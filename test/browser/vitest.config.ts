import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The browser tests: kept out of `npm test` (their files end in .browser.ts, which vitest's default
 * pattern does not match) because they need Debian's chromium. Run by `npm run test:browser` and CI.
 */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/browser/**/*.browser.ts'],
    // Starting a browser and the CLI twice on a loaded two-core machine takes a while.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results-browser.json' },
  },
});
