import type { Argv } from 'yargs';

// The flags of the commands whose settings are not in the options table (they have no SECURESCORE_*
// variable: `report` must never take SECURESCORE_OUTPUT, run's NDJSON file, as the HTML file to
// write). They live apart from the commands, so declaring a command (for --help) does not load what
// running it needs, and as data, so the command-line check (usage.ts) knows them too.

/** A flag of one command, outside the options table. */
export interface CommandFlag {
  readonly flag: string;
  readonly kind: 'string' | 'boolean';
  readonly describe: string;
  readonly alias?: string;
  readonly default?: string;
  /** What to do when the flag comes without its value. */
  readonly valueHint?: string;
}

/** Flags of `report` besides the options table's. */
export const REPORT_FLAGS: readonly CommandFlag[] = [
  {
    flag: 'output',
    kind: 'string',
    alias: 'o',
    describe: 'HTML file to write',
    default: 'securescore-report.html',
    valueHint: 'Give the HTML file to write',
  },
];

/** Flags of `watchlist`. */
export const WATCHLIST_FLAGS: readonly CommandFlag[] = [
  { flag: 'tenants', kind: 'string', describe: 'The tenants file the connector runs with (JSON or YAML)' },
  { flag: 'tenant-id', kind: 'string', describe: 'The single tenant, when there is no tenants file' },
  { flag: 'display-name', kind: 'string', describe: 'Display name of --tenant-id' },
  {
    flag: 'output',
    kind: 'string',
    alias: 'o',
    describe: 'Write the expected-tenants template to FILE [default: stdout]',
    valueHint: 'Give the file to write the expected-tenants template to',
  },
  { flag: 'approvers', kind: 'string', describe: 'Text file of the accounts allowed to accept risk, one UPN per line' },
  {
    flag: 'approvers-output',
    kind: 'string',
    describe: 'Also write the approvers watchlist template (empty without --approvers) to FILE',
  },
  {
    flag: 'prune-script',
    kind: 'string',
    describe:
      'Also write a bash script that deletes from the deployed expected-tenants watchlist every tenant not in this list (offboarding: deploying the watchlist again never deletes one)',
  },
];

function declare<T>(yargs: Argv<T>, flags: readonly CommandFlag[]): Argv<T> {
  let y = yargs;
  for (const f of flags)
    y = y.option(f.flag, {
      type: f.kind,
      describe: f.describe,
      ...(f.kind === 'string' ? { requiresArg: true, nargs: 1 } : {}),
      ...(f.alias ? { alias: f.alias } : {}),
      ...(f.default === undefined ? {} : { default: f.default }),
    }) as Argv<T>;
  return y;
}

/** The positional files of `report [ndjson..]` and its flags (the rest come from the options table). */
export function reportOptions<T>(yargs: Argv<T>) {
  // Optional for yargs: with none, the command says what to give in its own words.
  return declare(yargs, REPORT_FLAGS).positional('ndjson', {
    type: 'string',
    array: true,
    describe: 'NDJSON files written by run --output (a shell glob such as scores-*.ndjson works)',
  });
}

/** Flags of `watchlist`. */
export function watchlistOptions<T>(yargs: Argv<T>) {
  return declare(yargs, WATCHLIST_FLAGS);
}
