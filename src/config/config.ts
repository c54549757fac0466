import { ConnectorError } from '../errors.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../http/retry-policy.js';
import { DEFAULT_STREAM_NAME } from '../schema/columns.js';
import { DEFAULT_STATE_PATH } from '../state/open-store.js';
import { CLOUD_NAMES, CLOUDS, UNSUPPORTED_CLOUDS, type CloudName } from './clouds.js';

/** Flags of `run` as yargs parses them (each also SECURESCORE_<FLAG>). */
export interface RunArgs {
  cloud?: string | undefined;
  graphEndpoint?: string | undefined;
  authorityHost?: string | undefined;
  ingestionEndpoint?: string | undefined;
  dcrImmutableId?: string | undefined;
  streamName?: string | undefined;
  days?: number | undefined;
  state?: string | undefined;
  output?: string | undefined;
  demo?: boolean | undefined;
  deadLetter?: string | undefined;
  tenants?: string | undefined;
  concurrency?: number | undefined;
  shardCount?: number | undefined;
  executionId?: string | undefined;
  maxRetries?: number | undefined;
  retryBaseMs?: number | undefined;
  requestTimeoutSeconds?: number | undefined;
}

/** Validated configuration of a run. */
export interface Config {
  readonly cloud: CloudName;
  readonly graphEndpoint: string;
  readonly authorityHost: string;
  readonly ingestionAudience: string;
  readonly ingestion: { endpoint: string; dcrImmutableId: string; streamName: string } | undefined;
  /** NDJSON destination (`-` for stdout) instead of uploading. */
  readonly output: string | undefined;
  readonly demo: boolean;
  readonly days: number;
  /** Checkpoint file or blob URL; undefined only for the demo. */
  readonly statePath: string | undefined;
  readonly deadLetterDir: string;
  readonly retry: RetryPolicy;
  /** `--tenants` file; undefined for the single tenant of the credential. */
  readonly tenantsFile: string | undefined;
  /** Tenants worked on at once. */
  readonly concurrency: number;
  /** This replica's share of the tenant list (Kubernetes Indexed Job). */
  readonly shard: { index: number; count: number } | undefined;
  /** The job execution this run belongs to; replicas of one execution skip tenants another one did. */
  readonly executionId: string | undefined;
}

export const DEFAULT_DAYS = 30;
export const DEFAULT_DEAD_LETTER_DIR = './dead-letter';
const DCR_ID = /^dcr-[0-9a-f]{32}$/i;

function fail(message: string): never {
  throw new ConnectorError('CONFIG', message);
}

/** An https origin (the SDKs refuse tokens over http), without path. */
function httpsOrigin(value: string, flag: string, example: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(`--${flag}: "${value}" is not a URL. Give it as ${example}`);
  }
  if (url.protocol !== 'https:') fail(`--${flag}: "${value}" is not https. Tokens are only sent over https; use ${example}`);
  if (url.pathname !== '/' && url.pathname !== '') fail(`--${flag}: "${value}" has a path. Give only the root, such as ${example}`);
  return url.origin;
}

function intInRange(value: number | undefined, flag: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max)
    fail(`--${flag}: ${String(value)} is out of range. Use a whole number from ${min} to ${max}`);
  return value;
}

function cloudOf(name: string | undefined): CloudName {
  const value = name ?? 'AzurePublic';
  const match = CLOUD_NAMES.find((c) => c.toLowerCase() === value.toLowerCase());
  if (match) return match;
  const unsupported = Object.keys(UNSUPPORTED_CLOUDS).find((c) => c.toLowerCase() === value.toLowerCase());
  if (unsupported)
    fail(`--cloud ${value}: ${UNSUPPORTED_CLOUDS[unsupported]}. Run the connector only for tenants in ${CLOUD_NAMES.join(', ')}`);
  return fail(`--cloud: "${value}" is not a cloud. Use one of ${CLOUD_NAMES.join(', ')}`);
}

/** This replica's shard: JOB_COMPLETION_INDEX (set by Kubernetes Indexed Jobs) with --shard-count. */
function shardOf(count: number | undefined, env: NodeJS.ProcessEnv): Config['shard'] {
  const rawIndex = env.JOB_COMPLETION_INDEX;
  if (count === undefined && rawIndex === undefined) return undefined;
  if (count === undefined)
    fail("--shard-count: missing while JOB_COMPLETION_INDEX is set. Set it (or SECURESCORE_SHARD_COUNT) to the Indexed Job's completions");
  const total = intInRange(count, 'shard-count', 1, 1000, 1);
  const index = rawIndex === undefined ? 0 : Number(rawIndex);
  if (!Number.isInteger(index) || index < 0 || index >= total)
    fail(`JOB_COMPLETION_INDEX: ${rawIndex} is not below --shard-count ${total}. Make --shard-count equal the job's completions`);
  return { index, count: total };
}

/** Turns parsed flags into a Config, or throws a CONFIG error that says what to change. */
export function buildConfig(args: RunArgs, env: NodeJS.ProcessEnv = {}): Config {
  const cloud = cloudOf(args.cloud);
  const defaults = CLOUDS[cloud];
  const demo = args.demo ?? false;
  const output = args.output?.trim() || undefined;
  const endpoint = args.ingestionEndpoint?.trim() || undefined;
  const dcr = args.dcrImmutableId?.trim() || undefined;

  if (endpoint && !dcr)
    fail('--dcr-immutable-id: missing while --ingestion-endpoint is set. Copy the dcrImmutableId output of the DCR deployment');
  if (dcr && !endpoint)
    fail('--ingestion-endpoint: missing while --dcr-immutable-id is set. Copy the logsIngestionEndpoint output of the DCR deployment');
  if (endpoint && output) fail('--output: set together with --ingestion-endpoint. Choose one destination: NDJSON (--output) or the DCR');
  if (!endpoint && !output && !demo) {
    fail(
      'run: no destination. Set --ingestion-endpoint and --dcr-immutable-id (or SECURESCORE_INGESTION_ENDPOINT and SECURESCORE_DCR_IMMUTABLE_ID), or --output FILE|- for NDJSON',
    );
  }
  if (dcr && !DCR_ID.test(dcr))
    fail(
      `--dcr-immutable-id: "${dcr}" is not an immutable id. It looks like dcr-0123456789abcdef0123456789abcdef (the DCR's immutableId, not its name)`,
    );
  const streamName = args.streamName?.trim() || DEFAULT_STREAM_NAME;
  if (!streamName.startsWith('Custom-'))
    fail(`--stream-name: "${streamName}" does not start with "Custom-". Use the stream declared in the DCR, ${DEFAULT_STREAM_NAME}`);

  const timeoutSeconds = intInRange(args.requestTimeoutSeconds, 'request-timeout-seconds', 1, 600, DEFAULT_RETRY_POLICY.timeoutMs / 1000);
  return {
    cloud,
    graphEndpoint: httpsOrigin(args.graphEndpoint ?? defaults.graphEndpoint, 'graph-endpoint', defaults.graphEndpoint),
    authorityHost: httpsOrigin(args.authorityHost ?? defaults.authorityHost, 'authority-host', defaults.authorityHost),
    ingestionAudience: defaults.ingestionAudience,
    ingestion:
      endpoint && dcr
        ? {
            endpoint: httpsOrigin(endpoint, 'ingestion-endpoint', 'https://<dce-or-dcr>.<region>.ingest.monitor.azure.com'),
            dcrImmutableId: dcr,
            streamName,
          }
        : undefined,
    output: output ?? (demo && !endpoint ? '-' : undefined),
    demo,
    days: intInRange(args.days, 'days', 1, 90, DEFAULT_DAYS),
    // The demo is a one-off and keeps no checkpoint unless asked to.
    statePath: args.state?.trim() || (demo ? undefined : DEFAULT_STATE_PATH),
    deadLetterDir: args.deadLetter?.trim() || DEFAULT_DEAD_LETTER_DIR,
    retry: {
      ...DEFAULT_RETRY_POLICY,
      maxRetries: intInRange(args.maxRetries, 'max-retries', 0, 10, DEFAULT_RETRY_POLICY.maxRetries),
      baseDelayMs: intInRange(args.retryBaseMs, 'retry-base-ms', 1, 60_000, DEFAULT_RETRY_POLICY.baseDelayMs),
      timeoutMs: timeoutSeconds * 1000,
    },
    tenantsFile: args.tenants?.trim() || undefined,
    concurrency: intInRange(args.concurrency, 'concurrency', 1, 64, 4),
    shard: shardOf(args.shardCount, env),
    // Azure Container Apps gives every replica of one job execution the same execution name.
    executionId: args.executionId?.trim() || env.CONTAINER_APP_JOB_EXECUTION_NAME || undefined,
  };
}
