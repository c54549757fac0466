import { ConnectorError } from '../errors.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../http/retry-policy.js';
import { DEFAULT_STREAM_NAME } from '../schema/columns.js';
import { CLOUD_NAMES, DEFAULT_CLOUD, findCloud } from './clouds.js';
import { isBlobUrl, parseBlobUrl } from '../storage/blob-url.js';
import { camelName, defaultOf, envName, OPTIONS, optionsOf, type CommandName, type OptionSpec } from './options.js';
import {
  dcrImmutableId,
  httpsOrigin,
  INGESTION_ENDPOINT_EXAMPLE,
  integerInRange,
  numberInRange,
  Problems,
  streamName,
  strictBoolean,
} from './validate.js';

/** Parsed command-line values by camelCase flag name, as yargs gives them (text, or true for a bare boolean flag). */
export type CliArgs = Readonly<Record<string, unknown>>;

/** A DCR stream to send to: the one shape every destination has (run-wide or per tenant). */
export interface Destination {
  readonly endpoint: string;
  readonly dcrImmutableId: string;
  readonly streamName: string;
}

/** Validated configuration of a command. */
export interface Config {
  readonly cloud: string;
  readonly graphEndpoint: string;
  readonly authorityHost: string;
  readonly ingestionAudience: string;
  readonly ingestion: Destination | undefined;
  /** NDJSON destination (`-` for stdout) instead of uploading. */
  readonly output: string | undefined;
  readonly demo: boolean;
  readonly days: number;
  /** Lower each tenant's checkpoint floor to --days back (send older days a first backfill left out). */
  readonly extendBackfill: boolean;
  /** Checkpoint file or blob URL; undefined only for the demo. */
  readonly statePath: string | undefined;
  /** Where refused records are kept: a folder, or a blob folder URL. */
  readonly deadLetter: string;
  /** `replay --all`: every dead letter of a folder. */
  readonly replayAll: boolean;
  readonly retry: RetryPolicy;
  /** `--tenants` file; undefined for the single tenant of the credential. */
  readonly tenantsFile: string | undefined;
  /** Tenants worked on at once. */
  readonly concurrency: number;
  /** This replica's share of the tenant list (Kubernetes Indexed Job). */
  readonly shard: { index: number; count: number } | undefined;
  /** The job execution this run belongs to; replicas of one execution skip tenants another one did. */
  readonly executionId: string | undefined;
  /** Run deadline. */
  readonly maxRunMs: number;
  /** How long in-flight uploads may take after a stop before they are cut off. */
  readonly shutdownGraceMs: number;
  /** Time-out of one ingestion (or token) request. */
  readonly ingestionTimeoutMs: number;
  readonly logFormat: 'text' | 'json';
  /** quiet: problems and the summary only; verbose: also retries and every batch sent. */
  readonly verbosity: 'quiet' | 'normal' | 'verbose';
  /** How the user gave each setting (`--output`, `SECURESCORE_OUTPUT`), for messages found after validation. */
  readonly labels: Readonly<Record<string, string>>;
}

/** One setting's raw value and the label to name it by: the flag, the variable, or the default. */
interface Raw {
  readonly value: string | number | boolean | undefined;
  readonly label: string;
  readonly given: boolean;
}

function rawOf(spec: OptionSpec, args: CliArgs, env: NodeJS.ProcessEnv): Raw {
  const given = args[camelName(spec.flag)];
  // A flag given twice (or also in a config layer) takes the last value, not both.
  const fromFlag = Array.isArray(given) ? given[given.length - 1] : given;
  if (fromFlag !== undefined && fromFlag !== null)
    return { value: fromFlag as string | number | boolean, label: `--${spec.flag}`, given: true };
  const fromEnv = env[envName(spec.flag)];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return { value: fromEnv, label: envName(spec.flag), given: true };
  return { value: spec.default, label: `--${spec.flag}`, given: false };
}

/**
 * Reads every setting of `command` from the flags, then SECURESCORE_* variables, then the defaults,
 * validates them all, and throws one CONFIG error listing every problem (each naming what the user
 * typed, the value and the expected form).
 */
export function buildConfig(args: CliArgs, env: NodeJS.ProcessEnv = {}, command: CommandName = 'run'): Config {
  const problems = new Problems();
  const raw = new Map(optionsOf(command).map((spec) => [spec.flag, rawOf(spec, args, env)]));
  const { text, label, integer, bool } = settingsReader(raw, problems);

  const cloudName = text('cloud') ?? DEFAULT_CLOUD;
  const cloud = findCloud(cloudName);
  if (!cloud) problems.fail(label('cloud'), `"${cloudName}" is not a cloud`, `Use one of ${CLOUD_NAMES.join(', ')}`);
  else if (cloud.unsupported)
    problems.fail(label('cloud'), `${cloudName}: ${cloud.unsupported}`, `Run the connector only for tenants in ${CLOUD_NAMES.join(', ')}`);
  const settings = cloud && !cloud.unsupported ? cloud : findCloud(DEFAULT_CLOUD)!;

  const demo = raw.has('demo') ? bool('demo') : false;
  const output = raw.has('output') ? text('output') : undefined;
  const { endpointText, ingestion } = destinationOf({ text, label }, command, { demo, output }, problems);

  const graphEndpoint = httpsOrigin(
    text('graph-endpoint') ?? settings.graphEndpoint,
    label('graph-endpoint'),
    settings.graphEndpoint,
    problems,
  );
  const authorityHost = httpsOrigin(
    text('authority-host') ?? settings.authorityHost,
    label('authority-host'),
    settings.authorityHost,
    problems,
  );
  const days = integer('days');
  const concurrency = integer('concurrency');
  const retry: RetryPolicy = {
    ...DEFAULT_RETRY_POLICY,
    maxRetries: integer('max-retries'),
    baseDelayMs: integer('retry-base-ms'),
    timeoutMs: integer('request-timeout-seconds') * 1000,
  };
  const shard = raw.has('shard-count') ? shardOf(raw.get('shard-count')!, env, problems) : undefined;
  const tenantsFile = raw.has('tenants') ? text('tenants') : undefined;
  if (tenantsFile && isBlobUrl(tenantsFile)) {
    try {
      parseBlobUrl(tenantsFile, label('tenants'));
    } catch (error) {
      problems.list.push((error as Error).message);
    }
  }
  // The demo reads its bundled tenant only: a tenants file beside it would be silently ignored.
  if (demo && tenantsFile)
    problems.fail(
      label('tenants'),
      `set together with ${label('demo')}`,
      `The demo reads only the bundled sample tenant; leave out ${label('demo')} to read the tenants of ${tenantsFile}`,
    );
  // The demo is a one-off and keeps no checkpoint unless asked to.
  const statePath = raw.get('state')?.given || (raw.has('state') && !demo) ? text('state') : undefined;

  const deadLetter = deadLetterOf(text('dead-letter'), label('dead-letter'), raw.get('dead-letter')?.given ?? false, statePath, problems);

  const logFormat = text('log-format') ?? 'text';
  if (logFormat !== 'text' && logFormat !== 'json')
    problems.fail(label('log-format'), `"${logFormat}" is not a log format`, 'Use text or json');
  const quiet = raw.has('quiet') ? bool('quiet') : false;
  const verbose = raw.has('verbose') ? bool('verbose') : false;
  if (quiet && verbose) problems.fail(label('quiet'), `set together with ${label('verbose')}`, 'Choose one of them');
  const maxRunMs = Math.round(integer('max-run-minutes') * 60_000);
  const shutdownGraceMs = integer('shutdown-grace-seconds') * 1000;
  const ingestionTimeoutMs = integer('ingestion-timeout-seconds') * 1000;

  if (problems.list.length > 0) throw new ConnectorError('CONFIG', problems.list.join('\n'));
  return {
    cloud: settings.name,
    graphEndpoint: graphEndpoint!,
    authorityHost: authorityHost!,
    ingestionAudience: settings.ingestionAudience,
    ingestion,
    output: output ?? (demo && !endpointText ? '-' : undefined),
    demo,
    days,
    extendBackfill: raw.has('extend-backfill') ? bool('extend-backfill') : false,
    statePath,
    deadLetter,
    replayAll: raw.has('all') ? bool('all') : false,
    retry,
    tenantsFile,
    concurrency,
    shard,
    // Azure Container Apps gives every replica of one job execution the same execution name.
    executionId: (raw.has('execution-id') ? text('execution-id') : undefined) || env.CONTAINER_APP_JOB_EXECUTION_NAME || undefined,
    maxRunMs,
    shutdownGraceMs,
    ingestionTimeoutMs,
    logFormat: logFormat === 'json' ? 'json' : 'text',
    verbosity: quiet ? 'quiet' : verbose ? 'verbose' : 'normal',
    labels: Object.fromEntries([...raw].map(([flag, r]) => [flag, r.label])),
  };
}

/** One setting as read: its value, whether it was given, and how the user spelled it. */
type RawSettings = ReadonlyMap<string, Raw>;

/** Readers of the raw settings by kind; a value that is not of its kind or out of range is a problem, and the default stands in. */
function settingsReader(raw: RawSettings, problems: Problems) {
  const specOf = (flag: string) => OPTIONS.find((o) => o.flag === flag)!;
  return {
    text: (flag: string): string | undefined => {
      const r = raw.get(flag);
      const value = r?.value === undefined || r.value === true || r.value === false ? undefined : String(r.value).trim();
      return value === '' ? undefined : value;
    },
    label: (flag: string) => raw.get(flag)?.label ?? `--${flag}`,
    integer: (flag: string): number => {
      const spec = specOf(flag);
      const r = raw.get(flag);
      const check = spec.kind === 'number' ? numberInRange : integerInRange;
      const value = r?.given ? check(r.value as string | number, r.label, spec.min!, spec.max!, problems) : undefined;
      return value ?? (spec.default as number);
    },
    bool: (flag: string): boolean => {
      const r = raw.get(flag);
      if (r?.value === undefined) return false;
      return strictBoolean(r.value as string | boolean, r.label, problems) ?? false;
    },
  };
}

/** Where records go: the DCR (endpoint, immutable id and stream, all or none), or NDJSON, or the demo's stdout; exactly one. */
function destinationOf(
  { text, label }: Pick<ReturnType<typeof settingsReader>, 'text' | 'label'>,
  command: CommandName,
  { demo, output }: { demo: boolean; output: string | undefined },
  problems: Problems,
): { endpointText: string | undefined; ingestion: Destination | undefined } {
  const endpointText = text('ingestion-endpoint');
  const dcrText = text('dcr-immutable-id');
  const endpoint = endpointText && httpsOrigin(endpointText, label('ingestion-endpoint'), INGESTION_ENDPOINT_EXAMPLE, problems);
  const dcr = dcrText && dcrImmutableId(dcrText, label('dcr-immutable-id'), problems);
  const stream = streamName(text('stream-name') ?? DEFAULT_STREAM_NAME, label('stream-name'), DEFAULT_STREAM_NAME, problems);

  if (endpointText && !dcrText) {
    problems.fail(
      '--dcr-immutable-id',
      `missing while ${label('ingestion-endpoint')} is set`,
      'Copy the dcrImmutableId output of the DCR deployment',
    );
  }
  if (dcrText && !endpointText) {
    problems.fail(
      '--ingestion-endpoint',
      `missing while ${label('dcr-immutable-id')} is set`,
      'Copy the logsIngestionEndpoint output of the DCR deployment',
    );
  }
  if (endpointText && output) {
    problems.fail(
      label('output'),
      `set together with ${label('ingestion-endpoint')}`,
      'Choose one destination: NDJSON (--output) or the DCR',
    );
  }
  if (!endpointText && !dcrText && !output && !demo) {
    problems.fail(
      command,
      'no destination',
      command === 'replay'
        ? 'Set --ingestion-endpoint and --dcr-immutable-id (or SECURESCORE_INGESTION_ENDPOINT and SECURESCORE_DCR_IMMUTABLE_ID) of the DCR to re-send to'
        : 'Set --ingestion-endpoint and --dcr-immutable-id (or SECURESCORE_INGESTION_ENDPOINT and SECURESCORE_DCR_IMMUTABLE_ID), or --output FILE|- for NDJSON',
    );
  }
  return { endpointText, ingestion: endpoint && dcr ? { endpoint, dcrImmutableId: dcr, streamName: stream! } : undefined };
}

/**
 * Where dead letters go: as given, else beside a blob `--state` (`<container>/dead-letter` of the
 * same account, so they outlive a container's replica), else the default folder.
 */
function deadLetterOf(value: string | undefined, label: string, given: boolean, statePath: string | undefined, problems: Problems): string {
  const location = value ?? (defaultOf('dead-letter') as string);
  if (given && isBlobUrl(location)) {
    try {
      parseBlobUrl(location, label);
    } catch (error) {
      problems.list.push((error as Error).message);
    }
    return location;
  }
  if (given || !statePath || !isBlobUrl(statePath)) return location;
  try {
    const state = parseBlobUrl(statePath);
    return `${state.accountUrl}/${encodeURIComponent(state.container)}/dead-letter`;
  } catch {
    // A --state that is no blob URL is reported when the store opens; the folder default stands.
    return location;
  }
}

/** This replica's shard: JOB_COMPLETION_INDEX (set by Kubernetes Indexed Jobs) with --shard-count. */
function shardOf(count: Raw, env: NodeJS.ProcessEnv, problems: Problems): Config['shard'] {
  const rawIndex = env.JOB_COMPLETION_INDEX;
  if (count.value === undefined && rawIndex === undefined) return undefined;
  if (count.value === undefined) {
    return problems.fail(
      '--shard-count',
      'missing while JOB_COMPLETION_INDEX is set',
      "Set it (or SECURESCORE_SHARD_COUNT) to the Indexed Job's completions",
    );
  }
  const total = integerInRange(count.value as string | number, count.label, 1, 1000, problems);
  if (total === undefined) return undefined;
  // Without an index every replica would be replica 0: each reads the same share, the rest none.
  if (rawIndex === undefined && total > 1)
    return problems.fail(
      count.label,
      `${total} without JOB_COMPLETION_INDEX, so this replica would read only 1 in ${total} of the tenants`,
      'Run it in a Kubernetes Indexed Job (which sets JOB_COMPLETION_INDEX), or leave out --shard-count',
    );
  const index = rawIndex === undefined ? 0 : Number(rawIndex);
  if (!Number.isInteger(index) || index < 0 || index >= total) {
    return problems.fail(
      'JOB_COMPLETION_INDEX',
      `${rawIndex} is not below ${count.label} ${total}`,
      "Make --shard-count equal the job's completions",
    );
  }
  return { index, count: total };
}
