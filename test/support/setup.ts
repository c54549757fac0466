// Loaded before every test file (vitest.config.ts setupFiles): registers the temp-folder clean-up.
import './temp.js';
