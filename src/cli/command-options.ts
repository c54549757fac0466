import type { Argv } from 'yargs';

// The builders of the commands whose flags are not in the options table. They live apart from the
// commands, so declaring a command (for --help) does not load what running it needs.

/** The positional files of `report <ndjson..>` (its flags come from the options table). */
export function reportOptions<T>(yargs: Argv<T>) {
  return yargs.positional('ndjson', {
    type: 'string',
    array: true,
    demandOption: true,
    describe: 'NDJSON files written by run --output',
  });
}

/** Flags of `watchlist`. */
export function watchlistOptions<T>(yargs: Argv<T>) {
  return yargs
    .option('tenants', { type: 'string', describe: 'The tenants file the connector runs with (JSON or YAML)' })
    .option('tenant-id', { type: 'string', describe: 'The single tenant, when there is no tenants file' })
    .option('display-name', { type: 'string', describe: 'Display name of --tenant-id' })
    .option('out', { type: 'string', describe: 'Write the expected-tenants template to FILE [default: stdout]' })
    .option('approvers', { type: 'string', describe: 'Text file of the accounts allowed to accept risk, one UPN per line' })
    .option('approvers-out', {
      type: 'string',
      describe: 'Also write the approvers watchlist template (empty without --approvers) to FILE',
    });
}
