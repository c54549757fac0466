import { ConnectorError, describeError, type ErrorCode } from '../errors.js';
import { sendAll, type DeliveryResult, type RecordSink, type UploadResult } from '../sink/sink.js';
import type { DeadLetterWriter } from '../sink/dead-letter-store.js';
import type { TenantCheckpointLock } from '../state/store.js';
import { normalizeConnectorRun } from '../normalize/connector-run.js';
import type { TableRecord } from '../schema/records.js';
import { TenantNormalizer, type RecordBatch } from '../normalize/tenant.js';
import { Warnings } from '../normalize/warnings.js';
import { advanceCheckpoint, extendBackfill, isDeliveredBy, readWindow, type TenantCheckpoint } from '../state/checkpoint.js';
import { PROFILE_READ_ITEMS } from '../limits.js';
import { CONNECTOR_VERSION } from '../version.js';
import type { SnapshotSource } from '../source/source.js';
import type { RunEventSink, TenantRef } from './events.js';
import type { Budget } from '../http/budget.js';
import type { NormalizeContext } from '../normalize/record.js';
import { TenantLedger, zeroCounts } from './tenant-ledger.js';

/** One tenant's run. */
export interface TenantRunInput {
  readonly tenantId: string;
  readonly displayName?: string | undefined;
  readonly source: SnapshotSource;
  readonly sink: RecordSink;
  /** Days to backfill when there is no checkpoint yet (and with `extendBackfill`, how far back to reach). */
  readonly days: number;
  /** Lower the checkpoint's floor to `days` back, so older days the first backfill left out are sent once. */
  readonly extendBackfill?: boolean | undefined;
  /** The tenant's checkpoint, held for this run (read, then saved once the records have their answers); none without a state store. */
  readonly lock?: Pick<TenantCheckpointLock, 'checkpoint' | 'save'> | undefined;
  readonly runId: string;
  readonly now: () => Date;
  /** Aborted on SIGTERM/SIGINT or the deadline: stops reading Graph; uploads already started are let finish. */
  readonly signal?: AbortSignal | undefined;
  /** Aborted when the grace period is over: uploads in flight are cut off (their records dead-lettered). */
  readonly hardSignal?: AbortSignal | undefined;
  /** The job execution, recorded in the checkpoint for replicas of the same execution. */
  readonly execution?: string | undefined;
  /** The tenant's dead letter for this run, opened by the first refusal (nothing is written before). */
  readonly deadLetter?: (() => DeadLetterWriter) | undefined;
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
 * Age of the newest snapshot, in days from its date to the run's clock, from which a run says Graph has
 * stopped producing them for the tenant: yesterday's snapshot is often still missing in the morning.
 */
const STALLED_AFTER_DAYS = 3;

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
  /** Records the destination refused (they went to the dead letter, when it could be written). */
  readonly rejectedCount: number;
  /** Refused records kept in the dead letter. */
  readonly deadLettered: number;
  readonly warnings: Warnings;
  /** Actionable messages: the Graph failure, or one per ingestion failure cause. */
  readonly problems: string[];
  /** The checkpoint saved by this run; undefined when it did not move. */
  readonly nextCheckpoint: TenantCheckpoint | undefined;
  /** Code of the error that failed the tenant, if one did (AUTH and CONFIG need a person: exit 2). */
  readonly errorCode: ErrorCode | undefined;
}

/**
 * Reads, normalizes and delivers one tenant in bounded pieces, then saves its checkpoint and sends its
 * ConnectorRun; never throws. Profiles are read first, so every record is complete when it is sent;
 * snapshots then stream through the normalizer into the sink's upload, which serializes each record
 * once and sends full requests as they fill, so nothing is kept once sent (refused records go to the
 * dead letter as soon as their refusal is final). Once every request has its answer, the checkpoint
 * takes what was accepted, and what was refused for good and kept (sending it again would be refused
 * again: `replay` is its way); the status is decided once that save is done, and the ConnectorRun,
 * sent last and alone, says that status. A Graph failure or a stop leaves the checkpoint unchanged.
 */
export async function runTenant(input: TenantRunInput): Promise<TenantOutcome> {
  const started = input.now();
  const warnings = new Warnings();
  const ctx = { now: started.toISOString(), runId: input.runId, tenantId: input.tenantId, tenantDisplayName: input.displayName, warnings };
  const stored = input.lock?.checkpoint;
  const checkpoint = stored && input.extendBackfill ? extendBackfill(stored, input.days) : stored;
  const tenant = { tenantId: input.tenantId, tenantName: input.displayName };
  const problems: string[] = [];
  const deadLetter = new TenantDeadLetter(input, tenant, problems);
  const ledger = new TenantLedger();

  const upload = input.sink.upload({
    // Only the hard signal: an upload that has started is let finish within the grace period.
    signal: input.hardSignal,
    onRefused: async (records, forGood) => {
      const kept = await deadLetter.keep(records);
      if (!(forGood && kept)) ledger.unsettled(records);
    },
    onSent: (records, ok) => {
      ledger.accepted += ok;
      input.events?.({ event: 'batch-sent', tenant, records, accepted: ok, rejected: records - ok });
    },
  });
  const read = await readIntoUpload(input, checkpoint, ctx, {
    write: async (batches) => {
      for (const batch of batches) {
        ledger.wrote(batch);
        await upload.write(batch.records);
        input.onRecords?.(batch.records);
      }
      input.events?.({ event: 'progress', tenant, stage: 'reading', produced: ledger.produced, delivered: ledger.accepted });
    },
    flush: () => upload.flush(),
  });
  warnIfStalled(checkpoint, read.newestRead, started, warnings);

  let failure = read.failure;
  let sent: UploadResult = { accepted: 0, rejected: 0, problems: [], trimmed: [] };
  try {
    sent = await upload.end();
  } catch (error) {
    failure ??= unexpected(input.tenantId, error);
  }
  for (const t of sent.trimmed) warnings.add('record-trimmed', `${t}; cut to fit the Logs Ingestion limits`);
  problems.unshift(...(failure ? [failure] : []), ...sent.problems);

  // The checkpoint takes what is settled; a failed or stopped read leaves it as it was (a first run's
  // floor would otherwise rise over days it never read).
  const next = failure
    ? undefined
    : advanceCheckpoint(checkpoint, ledger.settled(), { runId: input.runId, at: ctx.now, execution: input.execution });
  const saved = next ? await saveCheckpoint(input, tenant, next) : {};
  if (saved.problem !== undefined) problems.push(saved.problem);
  const errorCode = read.errorCode ?? saved.errorCode ?? deadLetter.errorCode;

  // Decided once, now that everything but the ConnectorRun has its answer and the checkpoint is saved.
  const status: RunStatus = failure
    ? input.signal?.aborted
      ? 'Interrupted'
      : 'Failed'
    : sent.rejected > 0 || saved.problem !== undefined || deadLetter.failed
      ? 'PartiallySucceeded'
      : 'Succeeded';
  const counts = { ...ledger.counts };
  const run = await sendConnectorRun(input, deadLetter, {
    status,
    kind: checkpoint?.newestSnapshotDate ? 'Incremental' : 'Backfill',
    counts,
    problems: [...problems, ...deadLetter.replayAdvice()],
    durationSeconds: (input.now().getTime() - started.getTime()) / 1000,
    ctx,
  });
  counts.ConnectorRun = 1;

  return {
    tenantId: input.tenantId,
    displayName: input.displayName,
    status,
    counts,
    produced: ledger.produced + 1,
    delivered: sent.accepted + run.accepted,
    rejectedCount: sent.rejected + run.rejected.length,
    deadLettered: deadLetter.saved,
    warnings,
    problems: [...problems, ...run.problems.filter((p) => !problems.includes(p)), ...deadLetter.replayAdvice()],
    nextCheckpoint: saved.checkpoint,
    errorCode,
  };
}

/** How the read of Graph ended: a failure (or a stop) with its code, and the newest snapshot read. */
interface ReadEnd {
  readonly failure?: string | undefined;
  readonly errorCode?: ErrorCode | undefined;
  readonly newestRead?: string | undefined;
}

/**
 * Reads the profiles, then the snapshots chunk by chunk, handing each chunk's batches to `to.write` as
 * the normalizer completes them; never throws.
 */
async function readIntoUpload(
  input: TenantRunInput,
  checkpoint: TenantCheckpoint | undefined,
  ctx: NormalizeContext,
  to: { write: (batches: Iterable<RecordBatch>) => Promise<void>; flush: () => Promise<void> },
): Promise<ReadEnd> {
  try {
    const { normalizer, controls } = await openNormalizer(input, checkpoint, ctx);
    // Before each chunk's reservation (and Graph's answer) the part-filled request is sent: it holds
    // one of the run's request slots, which would otherwise stay idle while the tenant waits. Earlier
    // tenants' chunks go first, so tenants finish in turn rather than all hold a part of their work.
    const reserve = async (items: number) => {
      await to.flush();
      return input.budget ? input.budget.reserve(items, input.signal, input.rank ?? 0) : () => {};
    };
    await eachChunk(input.source.snapshots(readWindow(checkpoint, input.days), input.signal, { controls, reserve }), (chunk) =>
      to.write(normalizer.push(chunk)),
    );
    await to.write(normalizer.finish());
    return { newestRead: normalizer.newestSnapshotDate };
  } catch (error) {
    if (input.signal?.aborted) {
      return {
        failure: `Interrupted: ${describeError(input.signal.reason)} while reading Graph; what was read so far was sent, the checkpoint is unchanged. The next run continues from the same point`,
      };
    }
    const { message, code } = problemOf(input.tenantId, error);
    return { failure: message, errorCode: code };
  }
}

/** Saves the checkpoint, when the run holds one; a failed save is a problem of the tenant, not a throw. */
async function saveCheckpoint(
  input: TenantRunInput,
  tenant: TenantRef,
  next: TenantCheckpoint,
): Promise<{ checkpoint?: TenantCheckpoint; problem?: string; errorCode?: ErrorCode | undefined }> {
  if (!input.lock) return {};
  try {
    await input.lock.save(next);
    input.events?.({ event: 'checkpoint-moved', tenant, newestSnapshotDate: next.newestSnapshotDate });
    return { checkpoint: next };
  } catch (error) {
    const { message, code } = problemOf(input.tenantId, error);
    return { problem: message, errorCode: code };
  }
}

/** Sends the tenant's ConnectorRun, last and alone; kept in the dead letter when refused. */
async function sendConnectorRun(
  input: TenantRunInput,
  deadLetter: TenantDeadLetter,
  run: {
    status: RunStatus;
    kind: 'Incremental' | 'Backfill';
    counts: Record<string, number>;
    problems: string[];
    durationSeconds: number;
    ctx: NormalizeContext;
  },
): Promise<DeliveryResult> {
  const record = normalizeConnectorRun(
    {
      status: run.status,
      kind: run.kind,
      counts: { ...run.counts },
      errorMessage: run.problems.length > 0 ? run.problems.join(' | ').slice(0, 4000) : undefined,
      durationSeconds: run.durationSeconds,
      version: CONNECTOR_VERSION,
    },
    run.ctx,
  );
  const result = await sendAll(input.sink, [record], input.hardSignal).catch((error: unknown): DeliveryResult => ({
    accepted: 0,
    rejected: [record],
    problems: [unexpected(input.tenantId, error)],
  }));
  if (result.rejected.length > 0) await deadLetter.keep(result.rejected);
  input.onRecords?.([record]);
  return result;
}

/** A status a ConnectorRun record can carry: every tenant that ran has one. */
type RunStatus = Exclude<TenantStatus, 'Skipped'>;

/** An error as the tenant's problem: a ConnectorError's own message and code; anything else is unexpected. */
function problemOf(tenantId: string, error: unknown): { message: string; code: ErrorCode | undefined } {
  return error instanceof ConnectorError
    ? { message: error.message, code: error.code }
    : { message: unexpected(tenantId, error), code: undefined };
}

function unexpected(tenantId: string, error: unknown): string {
  return `Tenant ${tenantId}: unexpected error (${describeError(error)}). The other tenants go on; please report it`;
}

/**
 * Says once per run that Graph has had nothing newer than the checkpoint for days: the run then reads
 * the same small window each time (never further back), and someone should know why nothing arrives.
 */
function warnIfStalled(checkpoint: TenantCheckpoint | undefined, newestRead: string | undefined, now: Date, warnings: Warnings): void {
  const delivered = checkpoint?.newestSnapshotDate;
  if (!delivered || (newestRead !== undefined && newestRead.slice(0, 10) > delivered.slice(0, 10))) return;
  const newest = newestRead && newestRead > delivered ? newestRead : delivered;
  const days = Math.floor((now.getTime() - Date.parse(newest.slice(0, 10))) / 86_400_000);
  if (days < STALLED_AFTER_DAYS) return;
  warnings.add(
    'no-new-snapshot',
    `no new snapshot for ${days} days: Graph's newest Secure Score snapshot is from ${newest.slice(0, 10)}. Nothing new was sent; each run reads the same few days until Graph moves on. If it lasts, check the tenant's Secure Score in the Microsoft Defender portal (or this host's clock)`,
  );
}

/**
 * The tenant's dead letter for this run: opened by the first refusal, appended to as refusals come,
 * never throwing (a dead letter that cannot be written is a problem of the run, and its records stay
 * unsettled, so the next run sends them again).
 */
class TenantDeadLetter {
  saved = 0;
  failed = false;
  errorCode: ErrorCode | undefined;
  private writer: DeadLetterWriter | undefined;

  constructor(
    private readonly input: TenantRunInput,
    private readonly tenant: TenantRef,
    private readonly problems: string[],
  ) {}

  /** What to do about what it holds: where it is, and the command that sends it again. */
  replayAdvice(): string[] {
    if (this.saved === 0 || !this.writer) return [];
    const where = this.writer.location;
    return [
      `Dead letter: ${this.saved} refused record(s) saved to ${where}. Fix the cause above, then run: securescore-connector replay ${where}`,
    ];
  }

  /** Appends refused records; whether they are kept. */
  async keep(records: readonly TableRecord[]): Promise<boolean> {
    if (!this.input.deadLetter || records.length === 0) return false;
    try {
      const first = this.writer === undefined;
      this.writer ??= this.input.deadLetter();
      await this.writer.append(records);
      this.saved += records.length;
      if (first) this.input.events?.({ event: 'dead-letter', tenant: this.tenant, path: this.writer.location });
      return true;
    } catch (error) {
      this.failed = true;
      const { message, code } = problemOf(this.input.tenantId, error);
      if (!this.problems.includes(message)) this.problems.push(message);
      this.errorCode ??= code;
      return false;
    }
  }
}

/**
 * Reads the tenant's profiles and builds its normalizer, in a call of its own: the raw profiles
 * (descriptions, remediation texts) are not kept in runTenant's frame for the whole run; the
 * normalizer keeps only what it uses of them. A first run's read is counted in the budget, so a
 * backfill of many tenants holds a few tenants' profiles at once, not all of them; an incremental run
 * reads them without waiting, so that Graph's latency is paid by its tenants side by side (the budget
 * would queue them for memory they barely use).
 */
async function openNormalizer(
  input: TenantRunInput,
  checkpoint: TenantCheckpoint | undefined,
  ctx: ConstructorParameters<typeof TenantNormalizer>[2],
) {
  const incremental = checkpoint?.newestSnapshotDate !== undefined;
  const release = incremental ? undefined : await input.budget?.reserve(PROFILE_READ_ITEMS, input.signal, input.rank ?? 0);
  try {
    const profiles = await input.source.profiles(input.signal);
    const normalizer = new TenantNormalizer(
      profiles,
      {
        snapshotCount: incremental ? Number.POSITIVE_INFINITY : input.days,
        isDelivered: isDeliveredBy(checkpoint),
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
    counts: zeroCounts(),
    produced: 0,
    delivered: 0,
    rejectedCount: 0,
    deadLettered: 0,
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

/** Failed before it could run (its connection, lock or lease): nothing sent, checkpoint unchanged. */
export function failedOutcome(tenantId: string, reason: string): TenantOutcome {
  return emptyOutcome(tenantId, 'Failed', reason);
}

/** Left alone on purpose (another run or replica has it, or already did it). */
export function skippedOutcome(tenantId: string, reason: string): TenantOutcome {
  return emptyOutcome(tenantId, 'Skipped', reason);
}
