import { ConnectorError, describeError, type ErrorCode } from '../errors.js';
import { sendAll, type RecordSink } from '../sink/sink.js';
import { normalizeConnectorRun } from '../normalize/connector-run.js';
import type { TableRecord } from '../schema/records.js';
import { TenantNormalizer, type RecordBatch } from '../normalize/tenant.js';
import { Warnings } from '../normalize/warnings.js';
import { RECORD_TYPES } from '../schema/columns.js';
import { advanceCheckpoint, isDeliveredBy, snapshotsToRead, type TenantCheckpoint } from '../state/checkpoint.js';
import { CONNECTOR_VERSION } from '../version.js';
import type { SnapshotSource } from '../source/source.js';
import type { RunEventSink } from './events.js';
import type { Budget } from '../http/budget.js';

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
  /** The run's memory budget, shared by its tenants: each Graph chunk is reserved from it. */
  readonly budget?: Budget | undefined;
  /** The tenant's place in the run: an earlier tenant's chunks go first, so tenants finish in turn. */
  readonly rank?: number | undefined;
}

/**
 * What a first run's read of the tenant's profiles counts for in the run's budget, in control scores:
 * 400 profiles with their texts weigh about as much as 4,000 control scores. Measured by `npm run bench`.
 */
const PROFILE_READ_ITEMS = 4_000;

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

/**
 * Reads, normalizes and delivers one tenant in bounded pieces. Profiles are read first, so every
 * record is complete when it is sent; snapshots then stream through the normalizer into the sink's
 * upload, which serializes each record once and sends full requests as they fill, so nothing is kept
 * once sent (refused records go to `deadLetter` as soon as their refusal is final). The ConnectorRun
 * record travels in the last request, made once every other request has its answer. A Graph failure or
 * a stop ends the tenant with a Failed ConnectorRun; the checkpoint advances only when every record
 * was accepted.
 */
export async function runTenant(input: TenantRunInput): Promise<TenantOutcome> {
  const started = input.now();
  const warnings = new Warnings();
  const ctx = { now: started.toISOString(), runId: input.runId, tenantId: input.tenantId, tenantDisplayName: input.displayName, warnings };
  const checkpoint = input.checkpoint;
  const tenant = { tenantId: input.tenantId, tenantName: input.displayName };
  const counts: Record<string, number> = Object.fromEntries(RECORD_TYPES.map((t) => [t, 0]));
  // What was written, to tell the checkpoint once the refusals are known: days, and state update ids.
  const writtenDays = new Map<string, string>();
  const stateUpdateIds: string[] = [];
  const refusedDays = new Set<string>();
  const refusedIds = new Set<string>();
  let produced = 0;
  let accepted = 0;
  let failure: string | undefined;
  let errorCode: ErrorCode | undefined;

  const upload = input.sink.upload({
    // Only the hard signal: an upload that has started is let finish within the grace period.
    signal: input.hardSignal,
    onRefused: async (records) => {
      for (const r of records) {
        if (r.RecordType === 'ControlStateUpdate') refusedIds.add(r.RecordId);
        else if (typeof r.SnapshotDate === 'string' && (r.RecordType === 'DailyScore' || r.RecordType === 'ControlScore'))
          refusedDays.add(r.SnapshotDate.slice(0, 10));
      }
      await input.deadLetter?.(records);
    },
    onSent: (records, ok) => {
      accepted += ok;
      input.events?.({ event: 'batch-sent', tenant, records, accepted: ok, rejected: records - ok });
    },
  });
  const write = async (batches: Iterable<RecordBatch>) => {
    for (const batch of batches) {
      for (const r of batch.records) {
        counts[r.RecordType] = (counts[r.RecordType] ?? 0) + 1;
        if (r.RecordType === 'ControlStateUpdate') stateUpdateIds.push(r.RecordId);
      }
      produced += batch.records.length;
      if (batch.day) writtenDays.set(batch.day, String(batch.records[0]?.SnapshotDate ?? ''));
      await upload.write(batch.records);
      input.onRecords?.(batch.records);
    }
    input.events?.({ event: 'progress', tenant, stage: 'reading', produced, delivered: accepted });
  };

  try {
    const budget = input.budget;
    const rank = input.rank ?? 0;
    const { normalizer, controls } = await openNormalizer(input, ctx);
    // Before each chunk's reservation (and Graph's answer) the part-filled request is sent: it holds
    // one of the run's request slots, which would otherwise stay idle while the tenant waits. Earlier
    // tenants' chunks go first, so tenants finish in turn rather than all hold a part of their work.
    const reserve = async (items: number) => {
      await upload.flush();
      return budget ? budget.reserve(items, input.signal, rank) : () => {};
    };
    const plan = { controls, reserve };
    await eachChunk(input.source.snapshots(snapshotsToRead(checkpoint, input.days, started), input.signal, plan), (chunk) =>
      write(normalizer.push(chunk)),
    );
    await write(normalizer.finish());
  } catch (error) {
    failure = input.signal?.aborted
      ? `Interrupted: ${describeError(input.signal.reason)} while reading Graph; what was read so far was sent, the checkpoint is unchanged. The next run continues from the same point`
      : error instanceof ConnectorError
        ? error.message
        : `Tenant ${input.tenantId}: unexpected error (${describeError(error)}). The other tenants go on; please report it`;
    errorCode = error instanceof ConnectorError && !input.signal?.aborted ? error.code : undefined;
  }

  const kind = checkpoint?.newestSnapshotDate ? 'Incremental' : 'Backfill';
  const runRecord = (sofar: { rejected: number; problems: readonly string[] }) => {
    const problems = [...(failure ? [failure] : []), ...sofar.problems];
    const status: TenantStatus = failure ? 'Failed' : sofar.rejected > 0 ? 'PartiallySucceeded' : 'Succeeded';
    const record = normalizeConnectorRun(
      {
        status,
        kind,
        counts: { ...counts },
        errorMessage: problems.length > 0 ? problems.join(' | ').slice(0, 4000) : undefined,
        durationSeconds: (input.now().getTime() - started.getTime()) / 1000,
        version: CONNECTOR_VERSION,
      },
      ctx,
    );
    return { record, status, problems };
  };
  const result = await upload.end((sofar) => runRecord(sofar).record);
  for (const t of result.trimmed) warnings.add('record-trimmed', `${t}; cut to fit the Logs Ingestion limits`);
  const final = runRecord(result);
  let runAccepted = result.lastAccepted;
  let runProblems: string[] = [];
  if (!result.lastAccepted) {
    // The request with the ConnectorRun was refused: it said nothing of that refusal, so a corrected one goes alone.
    const again = await sendAll(input.sink, [final.record], input.hardSignal);
    runAccepted = again.accepted === 1;
    runProblems = again.problems;
    if (again.rejected.length > 0) await input.deadLetter?.(again.rejected);
  }
  input.onRecords?.([final.record]);
  counts.ConnectorRun = 1;

  const days = [...writtenDays].filter(([day]) => !refusedDays.has(day));
  const nextCheckpoint =
    final.status === 'Succeeded'
      ? advanceCheckpoint(
          checkpoint,
          {
            days: days.map(([day]) => day),
            snapshotDates: days.map(([, date]) => date),
            stateUpdateIds: stateUpdateIds.filter((id) => !refusedIds.has(id)),
          },
          { runId: input.runId, at: ctx.now, execution: input.execution },
        )
      : undefined;

  return {
    tenantId: input.tenantId,
    displayName: input.displayName,
    status: failure && input.signal?.aborted ? 'Interrupted' : final.status,
    counts,
    produced: produced + 1,
    delivered: result.accepted + (runAccepted ? 1 : 0),
    rejectedCount: result.rejected + (runAccepted ? 0 : 1),
    warnings,
    problems: [...final.problems, ...runProblems.filter((p) => !final.problems.includes(p))],
    nextCheckpoint,
    errorCode,
  };
}

/**
 * Reads the tenant's profiles and builds its normalizer, in a call of its own: the raw profiles
 * (descriptions, remediation texts) are not kept in runTenant's frame for the whole run; the
 * normalizer keeps only what it uses of them. A first run's read is counted in the budget, so a
 * backfill of many tenants holds a few tenants' profiles at once, not all of them; an incremental run
 * reads them without waiting, so that Graph's latency is paid by its tenants side by side (the budget
 * would queue them for memory they barely use).
 */
async function openNormalizer(input: TenantRunInput, ctx: ConstructorParameters<typeof TenantNormalizer>[2]) {
  const checkpoint = input.checkpoint;
  const incremental = checkpoint?.newestSnapshotDate !== undefined;
  const release = incremental ? undefined : await input.budget?.reserve(PROFILE_READ_ITEMS, input.signal, input.rank ?? 0);
  try {
    const profiles = await input.source.profiles(input.signal);
    const normalizer = new TenantNormalizer(
      profiles,
      {
        snapshotCount: incremental ? Number.POSITIVE_INFINITY : input.days,
        isDelivered: isDeliveredBy(checkpoint, input.now()),
        deliveredStateUpdates: new Set(checkpoint?.deliveredStateUpdates ?? []),
        incremental,
      },
      ctx,
    );
    return { normalizer, controls: profiles.length };
  } finally {
    release?.();
  }
}

/**
 * `for await` over the chunks, with each chunk handled in a call of its own: a suspended async
 * function keeps its variables, so a loop variable would keep the last chunk alive while the next
 * one waits for the run's memory budget.
 */
async function eachChunk<T>(chunks: AsyncIterable<T>, handle: (chunk: T) => Promise<void>): Promise<void> {
  const iterator = chunks[Symbol.asyncIterator]();
  const step = async (): Promise<boolean> => {
    const next = await iterator.next();
    if (next.done) return false;
    await handle(next.value);
    return true;
  };
  try {
    while (await step());
  } finally {
    await iterator.return?.();
  }
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
