import { randomUUID } from 'node:crypto';
import type { TokenCredential } from '@azure/identity';
import { acquireToken } from '../auth/acquire-token.js';
import { createCredential } from '../auth/credential.js';
import type { TokenLimits } from '../auth/token-guard.js';
import { RUN_MEMORY_BUDGET_ITEMS, TOKEN_REQUEST_TIMEOUT_MS } from '../limits.js';
import { tenantCredential } from '../auth/tenant-credential.js';
import type { Config, Destination } from '../config/config.js';
import { loadTenants, pickShard } from '../config/tenants.js';
import { ConnectorError, describeError } from '../errors.js';
import type { TableRecord } from '../schema/records.js';
import { openDeadLetterFolder } from '../sink/dead-letter-store.js';
import { staleLockAfterMs } from '../state/file-lock.js';
import { openCheckpointStore } from '../state/open-store.js';
import type { CheckpointStore, TenantCheckpointLock } from '../state/store.js';
import type { RunEventSink, TenantRef } from './events.js';
import { Budget } from '../http/budget.js';
import { mapWithLimit } from './pool.js';
import { preflight } from './preflight.js';
import { UnreachableAuthority } from './whole-run-failure.js';
import { failedOutcome, interruptedOutcome, runTenant, skippedOutcome, type TenantOutcome } from './run-tenant.js';
import { SinkSet } from '../sink/factory.js';
import { DEMO_TENANT_ID, demoSource } from '../source/demo-source.js';
import type { GraphRetry } from '../source/get-json.js';
import { graphSource } from '../source/graph-source.js';
import { failingSource, type GraphStats, type SnapshotSource } from '../source/source.js';
import { lazy } from '../lazy.js';

/** Result of a whole run, for the summary and the exit code. */
export interface RunReport {
  readonly runId: string;
  readonly outcomes: TenantOutcome[];
  readonly sinks: Array<{ description: string; requests: number; bytes: number }>;
  readonly graph: GraphStats;
  readonly state: string | undefined;
  readonly durationMs: number;
}

/** What the run needs from its surroundings; tests and the CLI pass their own. */
export interface RunEnvironment {
  readonly now: () => Date;
  readonly env: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal | undefined;
  /** Aborted when the grace period after a stop is over: cuts off uploads in flight. */
  readonly hardSignal?: AbortSignal | undefined;
  /** Sees every record once it was sent (the demo's digest); the run keeps none. */
  readonly onRecords?: ((records: readonly TableRecord[]) => void) | undefined;
  /** Told what each tenant is doing (started, retries, dead letters, checkpoint, finished). */
  readonly events?: RunEventSink | undefined;
}

/** A tenant to read and where its records go. */
interface TenantTarget {
  /** Undefined for the single tenant of the credential (known once a token is issued). */
  readonly tenantId: string | undefined;
  readonly displayName: string | undefined;
  readonly credential: () => TokenCredential;
  readonly ingestion: Destination | undefined;
}

async function tenantTargets(
  config: Config,
  env: NodeJS.ProcessEnv,
  home: () => TokenCredential,
  limits: TokenLimits,
): Promise<TenantTarget[]> {
  if (config.demo) return [{ tenantId: DEMO_TENANT_ID, displayName: undefined, credential: home, ingestion: config.ingestion }];
  if (!config.tenantsFile) return [{ tenantId: undefined, displayName: undefined, credential: home, ingestion: config.ingestion }];
  return (await loadTenants(config.tenantsFile, config.ingestion?.streamName)).map((entry) => ({
    tenantId: entry.tenantId,
    displayName: entry.displayName,
    credential: () => tenantCredential(entry, env, config.authorityHost, home, limits),
    ingestion: entry.destination ?? config.ingestion,
  }));
}

/**
 * Runs the connector once: every tenant of this replica, at most `--concurrency` at a time, each read,
 * normalized, delivered and checkpointed on its own, so one tenant's failure never stops another.
 */
export async function runConnector(config: Config, environment: RunEnvironment): Promise<RunReport> {
  const started = environment.now();
  const runId = randomUUID();
  // What the run writes to disk is checked before any token or Graph call, so a typo costs nothing.
  await preflight(config);
  const emit: RunEventSink = environment.events ?? (() => {});
  // Every token wait ends: after its time-out, or when the grace period after a stop is over (uploads
  // in flight still need their token during the grace period; the first token of a tenant is given
  // up at once on a stop, in connect()).
  const limits: TokenLimits = { timeoutMs: TOKEN_REQUEST_TIMEOUT_MS, signal: environment.hardSignal };
  const home = lazy(() => createCredential(config.authorityHost, limits));
  const targets = pickShard(await tenantTargets(config, environment.env, home, limits), config.shard);
  const graph: GraphStats = { requests: 0, retries: 0 };
  // An authority none of the first tenants can reach is not asked again for every other tenant.
  const authority = new UnreachableAuthority();
  // A file lock older than the run deadline (plus a margin) belongs to a run that cannot still be going.
  const store: CheckpointStore | undefined = config.statePath
    ? openCheckpointStore(config.statePath, environment.env, home, { staleAfterMs: staleLockAfterMs(config.maxRunMs / 60_000) })
    : undefined;
  const sinks = new SinkSet(config, home);
  // Memory is bounded by what the run holds of Graph data at once, not by how many tenants run.
  const budget = new Budget(RUN_MEMORY_BUDGET_ITEMS);
  const scope: RunScope = { config, environment, runId, emit, home, store, sinks, budget, graph, authority };
  await store?.open();
  try {
    const outcomes = await mapWithLimit(targets, config.concurrency, async (target, index) => {
      const tenantStarted = environment.now();
      const outcome = { ...(await settleTarget(scope, target, index)), displayName: target.displayName };
      emit({
        event: 'tenant-finished',
        tenant: { tenantId: outcome.tenantId, tenantName: target.displayName },
        status: outcome.status,
        counts: outcome.counts,
        produced: outcome.produced,
        delivered: outcome.delivered,
        problems: outcome.problems,
        durationMs: environment.now().getTime() - tenantStarted.getTime(),
      });
      return outcome;
    });
    return {
      runId,
      outcomes,
      sinks: sinks.stats(),
      graph,
      state: store?.description,
      durationMs: environment.now().getTime() - started.getTime(),
    };
  } finally {
    await sinks.close();
    await store?.close();
  }
}

/** What a run's tenants share: its settings, clock and signals, credential, stores, sinks and limits. */
interface RunScope {
  readonly config: Config;
  readonly environment: RunEnvironment;
  readonly runId: string;
  readonly emit: RunEventSink;
  readonly home: () => TokenCredential;
  readonly store: CheckpointStore | undefined;
  readonly sinks: SinkSet;
  readonly budget: Budget;
  readonly graph: GraphStats;
  readonly authority: UnreachableAuthority;
}

/**
 * One tenant's whole life: token, lock or lease, read, send, dead letter, checkpoint, ConnectorRun,
 * release. It never throws past itself (a tenant's unexpected error is that tenant's Failed run), so
 * the pool settles every tenant and run-wide resources close only after the last one is done. Only a
 * run of the credential's own single tenant lets its sign-in error end the run, with its own exit code.
 */
async function settleTarget(scope: RunScope, target: TenantTarget, rank: number): Promise<TenantOutcome> {
  const { config, environment } = scope;
  try {
    return await runTarget(scope, target, rank);
  } catch (error) {
    if (error instanceof ConnectorError && !config.tenantsFile && !config.demo) throw error;
    const tenantId = target.tenantId ?? environment.env.AZURE_TENANT_ID ?? 'unknown';
    const message =
      error instanceof ConnectorError
        ? error.message
        : `Tenant ${tenantId}: unexpected error (${describeError(error)}). The other tenants go on; please report it`;
    return { ...failedOutcome(tenantId, message), errorCode: error instanceof ConnectorError ? error.code : undefined };
  }
}

async function runTarget(scope: RunScope, target: TenantTarget, rank: number): Promise<TenantOutcome> {
  const { config, environment, runId, emit, home, store, sinks, budget } = scope;
  const { tenantId, source } = await connect(scope, target);
  const tenant: TenantRef = { tenantId, tenantName: target.displayName };
  emit({ event: 'tenant-started', tenant });
  if (environment.signal?.aborted)
    return interruptedOutcome(
      tenantId,
      `Interrupted before it started (${describeError(environment.signal.reason)}); the next run does it`,
    );
  const tenantRun = (read: SnapshotSource, lock?: TenantCheckpointLock) =>
    runTenant({
      tenantId,
      displayName: target.displayName,
      source: read,
      sink: sinks.for(target.ingestion),
      days: config.days,
      extendBackfill: config.extendBackfill,
      lock,
      runId,
      now: environment.now,
      signal: environment.signal,
      hardSignal: environment.hardSignal,
      execution: config.executionId,
      onRecords: environment.onRecords,
      events: emit,
      budget,
      rank,
      deadLetter: () => openDeadLetterFolder(config.deadLetter, environment.env, home).writer(tenantId, runId),
    });
  let lock: TenantCheckpointLock | undefined;
  try {
    const held = store ? await store.lockTenant(tenantId) : undefined;
    if (held && 'heldBy' in held) return skippedOutcome(tenantId, held.heldBy);
    lock = held;
  } catch (error) {
    // A lock or lease that cannot be had fails this tenant alone, with its own ConnectorRun; nothing is read.
    return tenantRun(failingSource(error instanceof Error ? error : new Error(describeError(error))));
  }
  try {
    if (config.executionId && lock?.checkpoint?.execution === config.executionId) {
      return skippedOutcome(tenantId, `Already delivered by another replica of execution ${config.executionId}`);
    }
    return await tenantRun(source, lock);
  } finally {
    // Released only once the tenant is done, whatever happened; a release that fails is the lease's
    // or lock's own expiry to clean up, not a reason to lose the tenant's outcome.
    await lock?.release().catch(() => undefined);
  }
}

/**
 * The tenant's id and data source. A token is fetched first so bad credentials fail with one clear
 * message; with a tenants list, that failure becomes the tenant's Failed run instead of the run's.
 */
async function connect(scope: RunScope, target: TenantTarget): Promise<{ tenantId: string; source: SnapshotSource }> {
  const { config, environment, emit, authority, graph } = scope;
  if (config.demo) return { tenantId: DEMO_TENANT_ID, source: demoSource(environment.now()) };
  try {
    const credential = target.credential();
    const { tenantId: tid } = await authority.guard(() =>
      acquireToken(credential, `${config.graphEndpoint}/.default`, 'Microsoft Graph', environment.signal),
    );
    if (target.tenantId && tid && tid.toLowerCase() !== target.tenantId.toLowerCase()) {
      throw new ConnectorError(
        'CONFIG',
        `Tenant ${target.tenantId}: the credential signs in to tenant ${tid} instead. Check the tenant's credential settings`,
      );
    }
    const tenantId = target.tenantId ?? tid ?? environment.env.AZURE_TENANT_ID ?? 'unknown';
    const tenant: TenantRef = { tenantId, tenantName: target.displayName };
    const onRetry = (retry: GraphRetry) => emit({ event: 'retry', tenant, ...retry });
    return { tenantId, source: graphSource(credential, config.graphEndpoint, config.retry, graph, onRetry) };
  } catch (error) {
    if (!(error instanceof ConnectorError) || !target.tenantId || !config.tenantsFile) throw error;
    return { tenantId: target.tenantId, source: failingSource(error) };
  }
}
