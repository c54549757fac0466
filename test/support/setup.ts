// Loaded before every test file (vitest.config.ts setupFiles): removes the temp folders the file made.
// (temp.ts itself does not import vitest, so the benchmark can use the stand-ins outside a test run.)
import { afterAll } from 'vitest';
import { removeTempDirs } from './temp.js';

afterAll(removeTempDirs);
