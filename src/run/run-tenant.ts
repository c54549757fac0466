import { ConnectorError, describeError, type ErrorCode } from '../errors.js';
import type { RecordSink } from '../sink/sink.js';
import { normalizeConnectorRun } from '../normalize/connector-run.js';
import type { TableRecord } from '../schema/records.js';
import { TenantNormalizer, type RecordBatch } from '../normalize/tenant.js';
import { Warnings } from '../normalize/warnings.js';
import { RECORD_TYPES } from '../schema/columns.js';
import { advanceCheckpoint, deliveredDays as daysDelivered, snapshotsToRead, type TenantCheckpoint } from '../state/checkpoint.js';
import { CONNECTOR_VERSION } from '../version.js';
import type { SnapshotSource } from '../source/source.js';
import type { RunEventSink } from './events.js';

/** One tenant's run. */
export interface TenantRunInput {
  readonly tenantId: string;
  readonly displayName?: string | undefined;
  readonly source: SnapshotSource;
  readonly sink: RecordSink;
  /** Days to backfill when there is no checkpoint yet. */
  readonly days: number;
  /** What earlier runs delivered; undefined on a first run or without a state store. */
  readonly checkpoint?: TenantCheckpoint | undefined;
  readonly runId: string;
  readonly now: () => Date;
  /** Aborted on SIGTERM/SIGINT or the deadline: stops reading Graph; uploads already started are let finish. */
  readonly signal?: AbortSignal | undefined;
  /** Aborted when the grace period is over: uploads in flight are cut off (their records dead-lettered). */
  readonly hardSignal?: AbortSignal | undefined;
  /** The job execution, recorded in the checkpoint for replicas of the same execution. */
  readonly execution?: string | undefined;
  /** Keeps records the destination refused (appends to the tenant's dead-letter file). */
  readonly deadLetter?: ((records: readonly TableRecord[]) => Promise<void>) | undefined;
  /** Sees every record once it was sent (the demo's digest); records are not kept otherwise. */
  readonly onRecords?: ((records: readonly TableRecord[]) => void) | undefined;
  /** Told how far the tenant got (records read, batches sent), for progress and logs. */
  readonly events?: RunEventSink | undefined;
}

export type TenantStatus = 'Succeeded' | 'PartiallySucceeded' | 'Failed' | 'Interrupted' | 'Skipped';

/** What happened to one tenant. */
export interface TenantOutcome {
  readonly tenantId: string;
  /** The tenants file's name for it, shown beside the id. */
  readonly displayName?: string | undefined;
  readonly status: TenantStatus;
  /** Records produced, per RecordType. */
  readonly counts: Record<string, number>;
  readonly produced: number;
  readonly delivered: number;
  /** Records the destination refused (they went to the dead-letter file). */
  readonly rejectedCount: number;
  readonly warnings: Warnings;
  /** Actionable messages: the Graph failure, or one per ingestion failure cause. */
  readonly problems: string[];
  /** The checkpoint to store, present only when every record was accepted. */
  readonly nextCheckpoint: TenantCheckpoint | undefined;
  /** Code of the error that failed the tenant, if one did (AUTH and CONFIG need a person: exit 2). */
  readonly errorCode: ErrorCode | undefined;
}

/** Records buffered before a send: enough to fill several 1 MB requests, few enough to hold. */
const SEND_BATCH_RECORDS = 5_000;

/**
 * Reads, normalizes and delivers one tenant in bounded pieces, then sends its ConnectorRun record.
 * Profiles are read first, so every record is complete when it is sent; snapshots then stream through
 * the normalizer and the sink, and nothing is kept once sent (refused records go to `deadLetter`). A
 * Graph failure or a stop ends the tenant with a Failed ConnectorRun; the checkpoint advances only when
 * every record was accepted.
 */
export async function runTenant(input: TenantRunInput): Promise<TenantOutcome> {
  const started = input.now();
  const warnings = new Warnings();
  const ctx = { now: started.toISOString(), runId: input.runId, tenantId: input.tenantId, tenantDisplayName: input.displayName, warnings };
  const checkpoint = input.checkpoint;
  const tenant = { tenantId: input.tenantId, tenantName: input.displayName };
  const counts: Record<string, number> = Object.fromEntries(RECORD_TYPES.map((t) => [t, 0]));
  const problems: string[] = [];
  const deliveredDays: string[] = [];
  const snapshotDates: string[] = [];
  const stateUpdateIds: string[] = [];
  let produced = 0;
  let accepted = 0;
  let rejected = 0;
  let failure: string | undefined;
  let errorCode: ErrorCode | undefined;

  let buffer: RecordBatch[] = [];
  let buffered = 0;
  const flush = async () => {
    if (buffered === 0) return;
    const batches = buffer;
    buffer = [];
    buffered = 0;
    const records = batches.flatMap((b) => b.records);
    input.events?.({ event: 'progress', tenant, stage: 'sending', produced, delivered: accepted });
    // Only the hard signal: an upload that has started is let finish within the grace period.
    const result = await input.sink.send(records, input.hardSignal);
    accepted += result.accepted;
    rejected += result.rejected.length;
    input.events?.({ event: 'batch-sent', tenant, records: records.length, accepted: result.accepted, rejected: result.rejected.length });
    for (const p of result.problems) if (!problems.includes(p)) problems.push(p);
    for (const t of result.trimmed ?? []) warnings.add('record-trimmed', `${t}; cut to fit the Logs Ingestion limits`);
    if (result.rejected.length > 0) await input.deadLetter?.(result.rejected);
    const refused = new Set(result.rejected.map((r) => r.RecordId));
    for (const batch of batches) {
      if (batch.records.some((r) => refused.has(r.RecordId))) continue;
      if (batch.day) {
        deliveredDays.push(batch.day);
        snapshotDates.push(String(batch.records[0]?.SnapshotDate ?? ''));
      }
      for (const r of batch.records) if (r.RecordType === 'ControlStateUpdate') stateUpdateIds.push(r.RecordId);
    }
    input.onRecords?.(records);
  };
  const take = async (batches: readonly RecordBatch[]) => {
    for (const batch of batches) {
      for (const r of batch.records) counts[r.RecordType] = (counts[r.RecordType] ?? 0) + 1;
      produced += batch.records.length;
      buffer.push(batch);
      buffered += batch.records.length;
    }
    input.events?.({ event: 'progress', tenant, stage: 'reading', produced, delivered: accepted });
    if (buffered >= SEND_BATCH_RECORDS) await flush();
  };

  try {
    const profiles = await input.source.profiles(input.signal);
    const delivered = daysDelivered(checkpoint);
    // A version-1 checkpoint knows only its newest day: every day up to it counts as delivered.
    const through =
      checkpoint?.newestSnapshotDate && !checkpoint.deliveredSnapshots ? checkpoint.newestSnapshotDate.slice(0, 10) : undefined;
    const normalizer = new TenantNormalizer(
      profiles,
      {
        snapshotCount: checkpoint?.newestSnapshotDate ? Number.POSITIVE_INFINITY : input.days,
        isDelivered: (day) => delivered.has(day) || (through !== undefined && day <= through),
        deliveredStateUpdates: new Set(checkpoint?.deliveredStateUpdates ?? []),
      },
      ctx,
    );
    for await (const chunk of input.source.snapshots(snapshotsToRead(checkpoint, input.days, started), input.signal)) {
      await take(normalizer.push(chunk));
    }
    await take(normalizer.finish());
  } catch (error) {
    failure = input.signal?.aborted
      ? `Interrupted: ${describeError(input.signal.reason)} while reading Graph; what was read so far was sent, the checkpoint is unchanged. The next run continues from the same point`
      : error instanceof ConnectorError
        ? error.message
        : `Tenant ${input.tenantId}: unexpected error (${describeError(error)}). The other tenants go on; please report it`;
    errorCode = error instanceof ConnectorError && !input.signal?.aborted ? error.code : undefined;
  }
  await flush();

  if (failure) problems.unshift(failure);
  const status = failure ? 'Failed' : rejected > 0 ? 'PartiallySucceeded' : 'Succeeded';
  const runRecord = normalizeConnectorRun(
    {
      status,
      kind: checkpoint?.newestSnapshotDate ? 'Incremental' : 'Backfill',
      counts: { ...counts },
      errorMessage: problems.length > 0 ? problems.join(' | ').slice(0, 4000) : undefined,
      durationSeconds: (input.now().getTime() - started.getTime()) / 1000,
      version: CONNECTOR_VERSION,
    },
    ctx,
  );
  const runDelivery = await input.sink.send([runRecord], input.hardSignal);
  if (runDelivery.rejected.length > 0) await input.deadLetter?.(runDelivery.rejected);
  input.onRecords?.([runRecord]);
  counts.ConnectorRun = 1;

  const nextCheckpoint =
    status === 'Succeeded'
      ? advanceCheckpoint(
          checkpoint,
          { days: deliveredDays, snapshotDates, stateUpdateIds },
          { runId: input.runId, at: ctx.now, execution: input.execution },
        )
      : undefined;

  return {
    tenantId: input.tenantId,
    displayName: input.displayName,
    status: failure && input.signal?.aborted ? 'Interrupted' : status,
    counts,
    produced: produced + 1,
    delivered: accepted + runDelivery.accepted,
    rejectedCount: rejected + runDelivery.rejected.length,
    warnings,
    problems: [...problems, ...runDelivery.problems.filter((p) => !problems.includes(p))],
    nextCheckpoint,
    errorCode,
  };
}

/** An outcome with nothing produced: nothing sent, checkpoint unchanged. */
function emptyOutcome(tenantId: string, status: TenantStatus, problem: string, warnings = new Warnings()): TenantOutcome {
  return {
    tenantId,
    status,
    counts: Object.fromEntries(RECORD_TYPES.map((t) => [t, 0])),
    produced: 0,
    delivered: 0,
    rejectedCount: 0,
    warnings,
    problems: [problem],
    nextCheckpoint: undefined,
    errorCode: undefined,
  };
}

/** Not started because the run was stopped: not delivered (exit 1 for a deadline). */
export function interruptedOutcome(tenantId: string, reason: string): TenantOutcome {
  return emptyOutcome(tenantId, 'Interrupted', reason);
}

/** Left alone on purpose (another run or replica has it, or already did it). */
export function skippedOutcome(tenantId: string, reason: string): TenantOutcome {
  return emptyOutcome(tenantId, 'Skipped', reason);
}
