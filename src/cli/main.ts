import yargs from 'yargs';
import { ConnectorError, exitCodeFor } from '../errors.js';
import { CONNECTOR_VERSION } from '../version.js';
import { REPORT_FLAGS, reportOptions, WATCHLIST_FLAGS, watchlistOptions, type CommandFlag } from './command-options.js';
import type { CommandContext } from './context.js';
import { Logger } from './log.js';
import { exitCodeOfStop, StopControl } from './stop.js';
import { optionsOf, type CommandName } from '../config/options.js';
import { withOptions } from './options.js';
import { checkCommandLine, type UsageCommand, type UsageFlag } from './usage.js';

/**
 * The program behind index.ts: yargs parses, one command runs. The one place that prints errors
 * and sets the exit code: 0 all delivered, 1 something not delivered (retried next run), 2 usage or
 * configuration.
 */
export async function main(argv: string[]): Promise<number> {
  endQuietlyWhenReaderLeaves();
  // Uploads in flight may finish within the grace period; past it, the process exits regardless.
  const stop = new StopControl((reason) => {
    process.stderr.write(
      `securescore-connector: still busy ${stop.graceMs / 1000} s after ${reason}; exiting now. The next run continues\n`,
    );
    process.exit(exitCodeOfStop(reason));
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      process.stderr.write(`securescore-connector: ${signal} received; finishing uploads in flight and saving the checkpoint\n`);
      stop.stop(signal);
    });
  }
  // Every line leaves through the logger: SAS signatures and keys inside settings or SDK text are cut
  // out, and text from Graph cannot break a line or drive the terminal.
  const logger = new Logger((text) => process.stderr.write(text));
  const terminal = process.stderr.isTTY === true;
  const context: CommandContext = {
    log: (line) => logger.info(line),
    setLogFormat: (format) => (logger.format = format),
    logger,
    terminal,
    writeStatus: (text) => process.stderr.write(text),
    env: process.env,
    stop,
  };
  let exitCode: number;
  try {
    // No yargs handlers: yargs lays out a command's whole help text before running its handler, on
    // every run. So yargs only parses and validates; runChosen runs the command.
    const checked = checkCommandLine(argv, COMMANDS);
    for (const note of checked.notes) logger.line('warn', note, { event: 'usage-note' });
    const parsed = await yargs(checked.argv)
      .scriptName('securescore-connector')
      .command('run', 'Read Secure Score from Microsoft Graph and send it to Log Analytics (or NDJSON)', (y) =>
        withOptions(y, 'run')
          .example('$0 run --demo', 'Try it on the bundled sample tenant; NDJSON to stdout')
          .example(
            '$0 run --ingestion-endpoint https://dcr-xyz.westeurope-1.ingest.monitor.azure.com --dcr-immutable-id dcr-0123456789abcdef0123456789abcdef',
            'Ingest the last 30 days into the DCR',
          )
          .example('SECURESCORE_OUTPUT=scores.ndjson $0 run --days 7', 'Write a week of records to a file'),
      )
      .command('replay [file]', 'Send dead letters again (a file or blob URL, or --all for a folder); accepted records are removed', (y) =>
        withOptions(y.positional('file', { type: 'string', describe: 'Dead-letter file or blob URL written by run' }), 'replay')
          .example(
            '$0 replay dead-letter/<tenant>-<run>.ndjson --ingestion-endpoint ... --dcr-immutable-id ...',
            'Re-send what the endpoint refused',
          )
          .example(
            '$0 replay --all https://<account>.blob.core.windows.net/securescore/dead-letter',
            'Re-send every dead letter of a folder',
          ),
      )
      .command('doctor', 'Check the deployment: configuration, tokens, Graph permission, the DCR stream and the state store', (y) =>
        withOptions(y, 'doctor').example(
          '$0 doctor --ingestion-endpoint ... --dcr-immutable-id ... --state https://<account>.blob.core.windows.net/<container>/<folder>',
          'One PASS/FAIL line per check, with the fix',
        ),
      )
      .command(
        'report [ndjson..]',
        'Write one self-contained HTML report (score trend, regressions, risk accepted, runs) from NDJSON written by run --output',
        (y) =>
          withOptions(reportOptions(y), 'report')
            .example('$0 report scores.ndjson -o report.html', 'A page to open or mail; nothing loads from the network')
            .example('$0 report scores-*.ndjson', 'One report over several runs; a record found twice counts once'),
      )
      .command(
        'watchlist',
        'Write the ARM template of the Sentinel watchlist of expected tenants (and of risk acceptance approvers)',
        (y) =>
          watchlistOptions(y).example(
            '$0 watchlist --tenants tenants.yaml --output expected-tenants.json',
            'Then: az deployment group create ... --template-file expected-tenants.json',
          ),
      )
      .demandCommand(1, 'no command. Name one: run, doctor, replay, report or watchlist')
      .strict()
      .version(CONNECTOR_VERSION)
      .help()
      .alias('h', 'help')
      .fail((message, error) => {
        // yargs reports some usage errors (a flag missing its value) as a YError: they are usage errors too.
        if (error && error.name !== 'YError') throw error;
        throw new ConnectorError('CONFIG', `securescore-connector: ${message ?? error?.message}. See --help`);
      })
      .parseAsync();
    exitCode = await runChosen(String(parsed._[0]), lastOfEach(parsed), context);
  } catch (error) {
    // One line each: the logger would otherwise show a message's newlines (and a stack's) as \n.
    const message =
      error instanceof ConnectorError
        ? error.message
        : `securescore-connector: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}. Please report it`;
    for (const line of message.split('\n')) logger.error(line);
    // Stopped by a signal, the error is most likely the stop itself: the exit code says which signal.
    if (stop.reason === 'SIGTERM' || stop.reason === 'SIGINT') return exitCodeOfStop(stop.reason);
    return error instanceof ConnectorError ? exitCodeFor(error.code) : 1;
  }
  if (stop.reason === 'SIGTERM' || stop.reason === 'SIGINT') return exitCodeOfStop(stop.reason);
  return exitCode;
}

/**
 * Runs the command yargs parsed and validated; resolves to its exit code. Each command's module is
 * imported here, so declaring the commands (all --help needs) loads none of them.
 */
async function runChosen(command: string, args: Record<string, unknown>, context: CommandContext): Promise<number> {
  switch (command) {
    case 'run':
      return (await import('./run-command.js')).runCommand(args, context);
    case 'replay':
      return (await import('./replay-command.js')).replayCommand(
        { ...args, file: args.file === undefined ? undefined : String(args.file) },
        context,
      );
    case 'doctor':
      return (await import('./doctor-command.js')).doctorCommand(args, context);
    case 'report':
      return (await import('./report-command.js')).reportCommand(
        { ndjson: (args.ndjson as string[] | undefined) ?? [], output: String(args.output) },
        context,
      );
    case 'watchlist':
      return (await import('./watchlist-command.js')).watchlistCommand(args, context);
    default:
      throw new ConnectorError('CONFIG', `securescore-connector: unknown command "${command}". See --help`);
  }
}

/** A command's flags, from the options table and the command's own. */
function usageFlags(command: CommandName | undefined, own: readonly CommandFlag[] = []): UsageFlag[] {
  const table = command ? optionsOf(command) : [];
  return [...table, ...own].map((f) => ({ flag: f.flag, takesValue: f.kind !== 'boolean', alias: f.alias, valueHint: f.valueHint }));
}

/** What each command takes, for the check of the command line (usage.ts). */
const COMMANDS: readonly UsageCommand[] = [
  { name: 'run', flags: usageFlags('run'), positionals: 0 },
  { name: 'doctor', flags: usageFlags('doctor'), positionals: 0 },
  {
    name: 'replay',
    flags: usageFlags('replay'),
    positionals: 1,
    tooMany: 'Replay one dead letter at a time, or every one of a folder with --all FOLDER',
  },
  { name: 'report', flags: usageFlags('report', REPORT_FLAGS), positionals: Infinity },
  { name: 'watchlist', flags: usageFlags(undefined, WATCHLIST_FLAGS), positionals: 0 },
];

/**
 * A flag given twice (or as -o and --output) takes the last value, not an array; only the list of
 * files of `report` is a list. (yargs' own "duplicate-arguments-array: false" would keep only the
 * last file of that list too.)
 */
function lastOfEach(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(args).map(([key, value]) => [key, Array.isArray(value) && key !== 'ndjson' && key !== '_' ? value.at(-1) : value]),
  );
}

/**
 * `run --output - | head -1`: once the reader of stdout (or stderr) is gone, nothing more can be
 * shown, so the process ends at once and quietly, as Unix tools do on SIGPIPE (which Node ignores).
 * Nothing is lost: a tenant still in flight keeps its checkpoint and is sent again next run, and
 * the file lock of a process that is gone is taken over.
 */
function endQuietlyWhenReaderLeaves(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      // Other write errors reach the writer (the NDJSON sink reports them in one line).
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    });
  }
}
