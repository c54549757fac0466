/**
 * The one table of settings: flag, environment variable, default, range and help text. yargs is
 * built from it (cli/), validation reads it (config.ts), and the deploy tests check the container
 * templates against it, so a new setting is one row here plus its use.
 */
import { DEFAULT_RETRY_POLICY } from '../http/retry-policy.js';
import { DEFAULT_STREAM_NAME } from '../schema/columns.js';
import { CLOUD_NAMES, DEFAULT_CLOUD } from './clouds.js';

/** The commands that take settings. */
export type CommandName = 'run' | 'doctor' | 'replay' | 'report';

/** One setting. Every value arrives as text (flag or environment) and is validated in config.ts. */
export interface OptionSpec {
  /** Flag name without dashes, e.g. `dcr-immutable-id`; its variable is SECURESCORE_DCR_IMMUTABLE_ID. */
  readonly flag: string;
  readonly kind: 'string' | 'integer' | 'number' | 'boolean';
  readonly describe: string;
  /** Applied when neither the flag nor the variable is set. */
  readonly default?: string | number | boolean;
  /** Shown in --help where the default is computed. */
  readonly defaultDescription?: string;
  /** Inclusive range for integers. */
  readonly min?: number;
  readonly max?: number;
  readonly commands: readonly CommandName[];
  /** One-letter short form, e.g. `q` for `-q`. */
  readonly alias?: string;
  /** What to do when the flag comes without its value (else: see the command's --help). */
  readonly valueHint?: string;
}

const RUN_DOCTOR: readonly CommandName[] = ['run', 'doctor'];
const ALL: readonly CommandName[] = ['run', 'doctor', 'replay'];

/** Every setting, in --help order. */
export const OPTIONS: readonly OptionSpec[] = [
  {
    flag: 'cloud',
    kind: 'string',
    describe: `Cloud: ${CLOUD_NAMES.join(', ')} (sets Graph, authority and ingestion audience together)`,
    default: DEFAULT_CLOUD,
    commands: ALL,
  },
  {
    flag: 'graph-endpoint',
    kind: 'string',
    describe: 'Graph root, for proxies',
    defaultDescription: "the cloud's Graph",
    commands: RUN_DOCTOR,
  },
  {
    flag: 'authority-host',
    kind: 'string',
    describe: 'Entra ID authority host',
    defaultDescription: "the cloud's login host",
    commands: ALL,
  },
  {
    flag: 'ingestion-endpoint',
    kind: 'string',
    describe: 'Logs ingestion endpoint of the DCR (template output logsIngestionEndpoint)',
    commands: ALL,
  },
  {
    flag: 'dcr-immutable-id',
    kind: 'string',
    describe: 'Immutable id of the DCR, dcr-... (template output dcrImmutableId)',
    commands: ALL,
  },
  { flag: 'stream-name', kind: 'string', describe: 'Stream declared in the DCR', default: DEFAULT_STREAM_NAME, commands: ALL },
  {
    flag: 'output',
    kind: 'string',
    describe: 'Write NDJSON to FILE (or - for stdout) instead of uploading',
    commands: RUN_DOCTOR,
    alias: 'o',
    valueHint: 'Give a file name, or - for stdout',
  },
  {
    flag: 'days',
    kind: 'integer',
    describe: 'Days of history to ingest on a first run (Graph keeps 90)',
    default: 30,
    min: 1,
    max: 90,
    commands: RUN_DOCTOR,
  },
  {
    flag: 'extend-backfill',
    kind: 'boolean',
    describe:
      'Once, after raising --days: also send the days up to --days back from the newest delivered one that the first backfill left out',
    default: false,
    commands: ['run'],
  },
  {
    flag: 'state',
    kind: 'string',
    describe: 'Checkpoint store: a file path, or a blob folder https://<account>.blob.core.windows.net/<container>/<folder>',
    default: '.securescore/checkpoint.json',
    defaultDescription: '.securescore/checkpoint.json (none for --demo)',
    commands: RUN_DOCTOR,
  },
  {
    flag: 'dead-letter',
    kind: 'string',
    describe:
      'Where records the endpoint refused are kept: a folder, or a blob folder https://<account>.blob.core.windows.net/<container>/<folder>',
    default: './dead-letter',
    defaultDescription: './dead-letter, or <container>/dead-letter of a blob --state',
    commands: ALL,
  },
  {
    flag: 'all',
    kind: 'boolean',
    describe: 'Replay every dead letter of a folder or blob folder (the one given, else --dead-letter)',
    default: false,
    commands: ['replay'],
  },
  {
    flag: 'tenants',
    kind: 'string',
    describe: 'JSON or YAML list of tenants to read (tenantId, displayName, optional credential and destination per tenant)',
    commands: RUN_DOCTOR,
  },
  {
    flag: 'concurrency',
    kind: 'integer',
    describe: 'Tenants worked on at once (each makes one Graph request at a time; memory is bounded whatever the number)',
    // Graph's limit (4 concurrent requests per tenant per app) is per tenant, and each tenant makes one
    // request at a time, so it does not bound this; it is enough tenants at once to hide Graph's latency
    // (`npm run bench` measures it). Memory is bounded by the run's budget, not by this.
    default: 32,
    min: 1,
    max: 128,
    commands: RUN_DOCTOR,
  },
  {
    flag: 'shard-count',
    kind: 'integer',
    describe: 'Replicas of a Kubernetes Indexed Job; with JOB_COMPLETION_INDEX each takes every N-th tenant',
    min: 1,
    max: 1000,
    commands: RUN_DOCTOR,
  },
  {
    flag: 'execution-id',
    kind: 'string',
    describe: 'Job execution shared by replicas',
    defaultDescription: 'CONTAINER_APP_JOB_EXECUTION_NAME',
    commands: RUN_DOCTOR,
  },
  {
    flag: 'max-retries',
    kind: 'integer',
    describe: 'Retries per Graph or Logs Ingestion request',
    default: DEFAULT_RETRY_POLICY.maxRetries,
    min: 0,
    max: 10,
    commands: ALL,
  },
  {
    flag: 'retry-base-ms',
    kind: 'integer',
    describe: 'First retry back-off in ms; doubles each retry, with jitter',
    default: DEFAULT_RETRY_POLICY.baseDelayMs,
    min: 1,
    max: 60_000,
    commands: ALL,
  },
  {
    flag: 'request-timeout-seconds',
    kind: 'integer',
    describe: 'Time-out of one Graph request',
    default: DEFAULT_RETRY_POLICY.timeoutMs / 1000,
    min: 1,
    max: 600,
    commands: RUN_DOCTOR,
  },
  {
    flag: 'max-run-minutes',
    kind: 'number',
    describe: 'Run deadline: after it the run stops cleanly (uploads in flight finish, the checkpoint keeps only what was delivered)',
    default: 30,
    min: 0.1,
    max: 1440,
    commands: RUN_DOCTOR,
  },
  {
    flag: 'shutdown-grace-seconds',
    kind: 'integer',
    describe: 'After SIGTERM/SIGINT or the deadline, how long uploads in flight may take before they are cut off and the process exits',
    default: 25,
    min: 1,
    max: 300,
    commands: ALL,
  },
  {
    flag: 'ingestion-timeout-seconds',
    kind: 'integer',
    describe: 'Time-out of one Logs Ingestion request (a token has its own: 10 s per request to Entra ID, 30 s in all)',
    default: 60,
    min: 1,
    max: 600,
    commands: ALL,
  },
  {
    flag: 'log-format',
    kind: 'string',
    describe: 'text (for people) or json (one JSON object per line, for container log tables)',
    defaultDescription: 'text (the container templates set json)',
    default: 'text',
    commands: [...ALL, 'report'],
  },
  {
    flag: 'quiet',
    kind: 'boolean',
    describe: 'Print only problems and the summary',
    default: false,
    alias: 'q',
    commands: [...ALL, 'report'],
  },
  {
    flag: 'verbose',
    kind: 'boolean',
    describe: 'Also print every Graph retry and every batch sent',
    default: false,
    alias: 'v',
    commands: [...ALL, 'report'],
  },
  {
    flag: 'demo',
    kind: 'boolean',
    describe: 'Use the bundled sample tenant instead of Graph (no Azure needed)',
    default: false,
    commands: RUN_DOCTOR,
  },
];

/** The environment variable of a flag: `dcr-immutable-id` → `SECURESCORE_DCR_IMMUTABLE_ID`. */
export function envName(flag: string): string {
  return `SECURESCORE_${flag.replace(/-/g, '_').toUpperCase()}`;
}

/** The camelCase key yargs gives a flag: `dcr-immutable-id` → `dcrImmutableId`. */
export function camelName(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The default of a setting, from the table. */
export function defaultOf(flag: string): string | number | boolean | undefined {
  return OPTIONS.find((o) => o.flag === flag)?.default;
}

/** The settings of one command. */
export function optionsOf(command: CommandName): OptionSpec[] {
  return OPTIONS.filter((o) => o.commands.includes(command));
}
