#!/usr/bin/env node
import { CONNECTOR_VERSION } from '../version.js';

// A bare `--version` (what scripts and health checks call) is answered here, without loading yargs.
// Everything else goes to yargs in main.ts, which answers --version the same way.
const args = process.argv.slice(2);
if (args.length === 1 && args[0] === '--version') {
  process.stdout.write(`${CONNECTOR_VERSION}\n`);
} else {
  const [{ hideBin }, { main }] = await Promise.all([import('yargs/helpers'), import('./main.js')]);
  process.exitCode = await main(hideBin(process.argv));
}
