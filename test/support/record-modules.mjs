// Preload for `node --import`: records every module the process loads into the file named by
// RECORD_MODULES_FILE, one URL or path a line. ES modules are seen by a resolve hook (it runs on the
// loader thread on Node 20, so it appends to the file itself); CommonJS modules that other CommonJS
// modules require() bypass the hooks there, so the require cache is added at exit.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const file = process.env.RECORD_MODULES_FILE;
if (file) {
  register(new URL('./record-modules-hooks.mjs', import.meta.url), { data: { file } });
  const require = createRequire(import.meta.url);
  process.on('exit', () => {
    const paths = Object.keys(require.cache);
    if (paths.length > 0) appendFileSync(file, `${paths.join('\n')}\n`);
  });
}
