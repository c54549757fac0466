#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ConnectorError, exitCodeFor } from '../errors.js';
import { CONNECTOR_VERSION } from '../version.js';
import type { CommandContext } from './context.js';
import { runCommand, runOptions } from './run-command.js';

/**
 * Entry point. The one place that prints errors and sets the exit code:
 * 0 all delivered, 1 something not delivered (retried next run), 2 usage or configuration.
 */
async function main(argv: string[]): Promise<number> {
  const controller = new AbortController();
  const context: CommandContext = { log: (line) => process.stderr.write(`${line}\n`), env: process.env, signal: controller.signal };
  let exitCode = 0;
  try {
    await yargs(argv)
      .scriptName('securescore-connector')
      .env('SECURESCORE')
      .command(
        'run',
        'Read Secure Score from Microsoft Graph and send it to Log Analytics (or NDJSON)',
        (y) => runOptions(y)
          .example('$0 run --demo', 'Try it on the bundled sample tenant; NDJSON to stdout')
          .example('$0 run --ingestion-endpoint https://dcr-xyz.westeurope-1.ingest.monitor.azure.com --dcr-immutable-id dcr-0123456789abcdef0123456789abcdef', 'Ingest the last 30 days into the DCR')
          .example('SECURESCORE_OUTPUT=scores.ndjson $0 run --days 7', 'Write a week of records to a file'),
        async (args) => {
          exitCode = await runCommand(args, context);
        },
      )
      .demandCommand(1, 'Name a command: run. See --help')
      .strict()
      .version(CONNECTOR_VERSION)
      .help()
      .fail((message, error) => {
        throw error ?? new ConnectorError('CONFIG', `securescore-connector: ${message}. See --help`);
      })
      .parseAsync();
  } catch (error) {
    if (error instanceof ConnectorError) {
      process.stderr.write(`${error.message}\n`);
      return exitCodeFor(error.code);
    }
    process.stderr.write(`securescore-connector: unexpected error: ${error instanceof Error ? error.stack ?? error.message : String(error)}. Please report it\n`);
    return 1;
  }
  return exitCode;
}

process.exitCode = await main(hideBin(process.argv));
