import type { Argv } from 'yargs';
import { buildConfig, DEFAULT_DAYS, DEFAULT_DEAD_LETTER_DIR, type RunArgs } from '../config/config.js';
import { CLOUD_NAMES } from '../config/clouds.js';
import { runConnector } from '../run/run.js';
import { DEFAULT_STREAM_NAME } from '../schema/columns.js';
import { describeDemo } from './demo-report.js';
import { exitCodeOf, formatSummary } from './summary.js';
import type { CommandContext } from './context.js';

/** Flags of `run`; yargs also reads each from SECURESCORE_<FLAG>. */
export function runOptions<T>(yargs: Argv<T>) {
  return yargs
    .option('cloud', {
      type: 'string',
      choices: undefined,
      describe: `Cloud: ${CLOUD_NAMES.join(', ')} (sets Graph, authority and ingestion audience)`,
      default: 'AzurePublic',
    })
    .option('graph-endpoint', { type: 'string', describe: "Graph root for national clouds or proxies [default: the cloud's Graph]" })
    .option('authority-host', { type: 'string', describe: "Entra ID authority host [default: the cloud's login host]" })
    .option('ingestion-endpoint', {
      type: 'string',
      describe: 'Logs ingestion endpoint of the DCR (template output logsIngestionEndpoint)',
    })
    .option('dcr-immutable-id', { type: 'string', describe: 'Immutable id of the DCR (template output dcrImmutableId)' })
    .option('stream-name', { type: 'string', describe: 'DCR stream', default: DEFAULT_STREAM_NAME })
    .option('days', { type: 'number', describe: 'Days of history to ingest, 1-90 (Graph keeps 90)', default: DEFAULT_DAYS })
    .option('state', {
      type: 'string',
      describe: 'Checkpoint store: a file path or https://<account>.blob.core.windows.net/<container>/<blob>',
    })
    .option('output', { type: 'string', describe: 'Write NDJSON to FILE (or - for stdout) instead of uploading' })
    .option('demo', { type: 'boolean', describe: 'Use the bundled sample tenant instead of Graph (no Azure needed)', default: false })
    .option('tenants', {
      type: 'string',
      describe: 'JSON or YAML list of tenants to read (tenantId, displayName, optional credential and destination per tenant)',
    })
    .option('concurrency', { type: 'number', describe: 'Tenants worked on at once (each makes one Graph request at a time)', default: 4 })
    .option('shard-count', {
      type: 'number',
      describe: 'Replicas of a Kubernetes Indexed Job; with JOB_COMPLETION_INDEX each takes every N-th tenant',
    })
    .option('execution-id', { type: 'string', describe: 'Job execution shared by replicas [default: CONTAINER_APP_JOB_EXECUTION_NAME]' })
    .option('dead-letter', { type: 'string', describe: 'Folder for records the endpoint refused', default: DEFAULT_DEAD_LETTER_DIR })
    .option('max-retries', { type: 'number', describe: 'Retries per Graph request (0-10)', default: 5 })
    .option('retry-base-ms', { type: 'number', describe: 'First retry back-off in ms; doubles each retry', default: 1000 })
    .option('request-timeout-seconds', { type: 'number', describe: 'Time-out of one Graph request', default: 60 });
}

/** `run`: read Graph, normalize, deliver, print one summary; resolves to the exit code. */
export async function runCommand(args: RunArgs, context: CommandContext): Promise<number> {
  const config = buildConfig(args, context.env);
  const report = await runConnector(config, { now: () => new Date(), env: context.env, signal: context.signal });
  if (config.demo) for (const line of describeDemo(report)) context.log(line);
  for (const line of formatSummary(report)) context.log(line);
  return exitCodeOf(report);
}
