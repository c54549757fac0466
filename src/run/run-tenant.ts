import { ConnectorError, type ErrorCode } from '../errors.js';
import type { RecordSink } from '../sink/sink.js';
import { normalizeConnectorRun } from '../normalize/connector-run.js';
import type { TableRecord } from '../schema/records.js';
import { normalizeTenant } from '../normalize/tenant.js';
import { Warnings } from '../normalize/warnings.js';
import { RECORD_TYPES } from '../schema/columns.js';
import { advanceCheckpoint, snapshotsToRead, type TenantCheckpoint } from '../state/checkpoint.js';
import { CONNECTOR_VERSION } from '../version.js';
import type { SnapshotSource } from '../source/source.js';

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
  /** Aborted on SIGTERM/SIGINT: stops reading Graph; uploads already started are let finish. */
  readonly signal?: AbortSignal | undefined;
  /** The job execution, recorded in the checkpoint for replicas of the same execution. */
  readonly execution?: string | undefined;
  /** Sees every record once it was sent (the demo's digest); records are not kept otherwise. */
  readonly onRecords?: ((records: readonly TableRecord[]) => void) | undefined;
}

export type TenantStatus = 'Succeeded' | 'PartiallySucceeded' | 'Failed' | 'Interrupted' | 'Skipped';

/** What happened to one tenant. */
export interface TenantOutcome {
  readonly tenantId: string;
  readonly status: TenantStatus;
  /** Records produced, per RecordType. */
  readonly counts: Record<string, number>;
  readonly produced: number;
  readonly delivered: number;
  readonly rejected: TableRecord[];
  readonly warnings: Warnings;
  /** Actionable messages: the Graph failure, or one per ingestion failure cause. */
  readonly problems: string[];
  /** The checkpoint to store, present only when every record was accepted. */
  readonly nextCheckpoint: TenantCheckpoint | undefined;
  /** Code of the error that failed the tenant, if one did (AUTH and CONFIG need a person: exit 2). */
  readonly errorCode: ErrorCode | undefined;
}

function countByType(records: readonly TableRecord[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(RECORD_TYPES.map((t) => [t, 0]));
  for (const r of records) counts[r.RecordType] = (counts[r.RecordType] ?? 0) + 1;
  return counts;
}

/**
 * Reads, normalizes and delivers one tenant, then sends its ConnectorRun record. A Graph failure
 * fails the tenant as a whole before anything is sent: no half-enriched records. The checkpoint
 * advances only when the sink accepted everything it covers.
 */
export async function runTenant(input: TenantRunInput): Promise<TenantOutcome> {
  const started = input.now();
  const warnings = new Warnings();
  const ctx = { now: started.toISOString(), runId: input.runId, tenantId: input.tenantId, tenantDisplayName: input.displayName, warnings };
  const checkpoint = input.checkpoint;
  let records: TableRecord[] = [];
  let newestSnapshotDate: string | undefined;
  let failure: string | undefined;
  let errorCode: ErrorCode | undefined;
  try {
    const data = await input.source.fetch(snapshotsToRead(checkpoint, input.days, started), input.signal);
    const normalized = normalizeTenant(
      data,
      {
        snapshotCount: checkpoint?.newestSnapshotDate ? Number.POSITIVE_INFINITY : input.days,
        snapshotsAfter: checkpoint?.newestSnapshotDate,
        deliveredStateUpdates: new Set(checkpoint?.deliveredStateUpdates ?? []),
      },
      ctx,
    );
    records = normalized.records;
    newestSnapshotDate = normalized.newestSnapshotDate;
  } catch (error) {
    if (input.signal?.aborted) return interrupted(input, warnings);
    if (!(error instanceof ConnectorError)) throw error;
    failure = error.message;
    errorCode = error.code;
  }

  // Deliberately no abort signal: an upload that has started is let finish (or dead-lettered).
  const delivery = await input.sink.send(records);
  const problems = [...(failure ? [failure] : []), ...delivery.problems];
  const status = failure ? 'Failed' : delivery.rejected.length > 0 ? 'PartiallySucceeded' : 'Succeeded';
  const counts = countByType(records);
  const runRecord = normalizeConnectorRun(
    {
      status,
      counts,
      errorMessage: problems.length > 0 ? problems.join(' | ').slice(0, 4000) : undefined,
      durationSeconds: (input.now().getTime() - started.getTime()) / 1000,
      version: CONNECTOR_VERSION,
    },
    ctx,
  );
  const runDelivery = await input.sink.send([runRecord]);
  input.onRecords?.([...records, runRecord]);
  counts.ConnectorRun = 1;

  const nextCheckpoint =
    status === 'Succeeded'
      ? advanceCheckpoint(
          checkpoint,
          {
            newestSnapshotDate,
            stateUpdateIds: records.filter((r) => r.RecordType === 'ControlStateUpdate').map((r) => r.RecordId),
          },
          { runId: input.runId, at: ctx.now, execution: input.execution },
        )
      : undefined;

  return {
    tenantId: input.tenantId,
    status,
    counts,
    produced: records.length + 1,
    delivered: delivery.accepted + runDelivery.accepted,
    rejected: [...delivery.rejected, ...runDelivery.rejected],
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
    rejected: [],
    warnings,
    problems: [problem],
    nextCheckpoint: undefined,
    errorCode: undefined,
  };
}

/** Stopped by a signal while reading Graph. */
function interrupted(input: TenantRunInput, warnings: Warnings): TenantOutcome {
  return emptyOutcome(
    input.tenantId,
    'Interrupted',
    'Interrupted: stopped while reading Graph; nothing was sent and the checkpoint is unchanged. The next run starts from the same point',
    warnings,
  );
}

/** Left alone on purpose (another run or replica has it, or already did it). */
export function skippedOutcome(tenantId: string, reason: string): TenantOutcome {
  return emptyOutcome(tenantId, 'Skipped', reason);
}
