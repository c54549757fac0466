#!/usr/bin/env node
import { CONNECTOR_VERSION } from '../version.js';

// The entry point loads nothing it does not need. A bare `--version` is answered here, before yargs
// is loaded: yargs and its helpers cost more CPU than Node's own start-up, and `--version` is
// what scripts and health checks call. Everything else, `run --version` and `--help` included, goes
// to yargs in main.ts, which answers --version the same way.
const args = process.argv.slice(2);
if (args.length === 1 && args[0] === '--version') {
  process.stdout.write(`${CONNECTOR_VERSION}\n`);
} else {
  const [{ hideBin }, { main }] = await Promise.all([import('yargs/helpers'), import('./main.js')]);
  process.exitCode = await main(hideBin(process.argv));
}
