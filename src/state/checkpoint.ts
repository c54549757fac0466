/**
 * Checkpoints: per tenant, what has been delivered. Pure functions only; the stores do the I/O.
 *
 * Snapshots are tracked by day: a day is delivered once its DailyScore and every ControlScore were
 * accepted. Graph can show a day late (after a newer one was delivered), so a gap among the delivered
 * days is read again until it is filled or leaves Graph's 90 days. State updates can show up late with
 * an older timestamp too, so they are tracked by RecordId, which is deterministic.
 */
export interface TenantCheckpoint {
  /** createdDateTime of the newest snapshot whose records were all accepted. */
  newestSnapshotDate?: string | undefined;
  /** Days (YYYY-MM-DD) within Graph's 90 days whose snapshot was delivered; absent in version-1 checkpoints. */
  deliveredSnapshots?: string[] | undefined;
  /** RecordIds of ControlStateUpdate records accepted so far. */
  deliveredStateUpdates: string[];
  /** When and by which run the checkpoint last moved. */
  updatedAt: string;
  runId: string;
  /** The job execution that moved it (replicas of one execution skip a tenant another one did). */
  execution?: string | undefined;
}

/** The whole checkpoint document, one per store. */
export interface CheckpointDocument {
  version: 1;
  tenants: Record<string, TenantCheckpoint>;
}

export function emptyCheckpoint(): CheckpointDocument {
  return { version: 1, tenants: {} };
}

/** Graph keeps 90 snapshots; asking for more returns no more. */
const GRAPH_RETENTION_DAYS = 90;
const DAY_MS = 86_400_000;

const day = (iso: string) => iso.slice(0, 10);
const dayMs = (d: string) => Date.parse(`${d}T00:00:00Z`);

/** The oldest day (YYYY-MM-DD) Graph still keeps at `at`; a checkpoint forgets the days before it. */
function retentionHorizon(at: number): string {
  return Number.isNaN(at) ? '' : new Date(at - GRAPH_RETENTION_DAYS * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Whether a day's snapshot counts as delivered, by the checkpoint, at `now`: a day it holds; with a
 * version-1 checkpoint, every day up to its newest; and any day before Graph's 90 days. The checkpoint
 * forgets those days, so a day from before then that Graph still hands out would otherwise look late
 * and be sent again: seven weeks after a 30-day backfill, 25 days of duplicates.
 * Without a checkpoint nothing is delivered: a first run sends what its --days reads.
 */
export function isDeliveredBy(checkpoint: TenantCheckpoint | undefined, now: Date): (day: string) => boolean {
  if (!checkpoint?.newestSnapshotDate) return () => false;
  const delivered = new Set(checkpoint.deliveredSnapshots ?? []);
  const through = checkpoint.deliveredSnapshots ? '' : day(checkpoint.newestSnapshotDate);
  const horizon = retentionHorizon(now.getTime());
  return (d) => delivered.has(d) || d <= through || d < horizon;
}

/**
 * How many snapshots to read: on a first run the backfill plus the one before it (its comparison);
 * later, every day after the comparison base up to today, and the base itself. The base is the newest
 * delivered day, or the day before an earlier gap among the delivered days still inside Graph's 90.
 * A daily run reads 2: today's and yesterday's. A day that shows up later than that (or early, dated
 * tomorrow) leaves a gap, which the next run reads back to.
 */
export function snapshotsToRead(checkpoint: TenantCheckpoint | undefined, backfillDays: number, now: Date): number {
  if (!checkpoint?.newestSnapshotDate) return Math.min(backfillDays + 1, GRAPH_RETENTION_DAYS);
  let oldest = day(checkpoint.newestSnapshotDate);
  const delivered = checkpoint.deliveredSnapshots;
  if (delivered && delivered.length > 0) {
    const sorted = [...delivered].sort();
    for (let t = Math.max(dayMs(sorted[0]!), dayMs(retentionHorizon(now.getTime()))); t < dayMs(oldest); t += DAY_MS) {
      const d = new Date(t).toISOString().slice(0, 10);
      if (!delivered.includes(d)) {
        oldest = d;
        break;
      }
    }
  }
  const base = oldest === day(checkpoint.newestSnapshotDate) ? dayMs(oldest) : dayMs(oldest) - DAY_MS;
  const days = Math.floor((now.getTime() - base) / DAY_MS);
  return Math.min(Math.max(days, 0) + 1, GRAPH_RETENTION_DAYS);
}

/**
 * The checkpoint after a tenant's run: the days whose records were all accepted join the delivered
 * ones (days older than Graph keeps are dropped), and so do the accepted state updates. Undelivered
 * data never moves it.
 */
export function advanceCheckpoint(
  previous: TenantCheckpoint | undefined,
  delivered: { days: readonly string[]; snapshotDates: readonly string[]; stateUpdateIds: readonly string[] },
  run: { runId: string; at: string; execution?: string | undefined },
): TenantCheckpoint {
  const newest = [previous?.newestSnapshotDate, ...delivered.snapshotDates]
    .filter((d): d is string => !!d)
    .sort()
    .pop();
  const horizon = retentionHorizon(Date.parse(run.at));
  const days = new Set([...(previous?.deliveredSnapshots ?? []), ...delivered.days].filter((d) => d >= horizon));
  const ids = new Set(previous?.deliveredStateUpdates ?? []);
  for (const id of delivered.stateUpdateIds) ids.add(id);
  const next: TenantCheckpoint = {
    newestSnapshotDate: newest,
    deliveredSnapshots: [...days].sort(),
    deliveredStateUpdates: [...ids].sort(),
    updatedAt: run.at,
    runId: run.runId,
  };
  if (run.execution) next.execution = run.execution;
  return next;
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${where} is not JSON`);
  }
}

/** Reads a stored document, refusing anything that is not one of ours rather than overwriting it. */
export function parseCheckpoint(text: string, where: string): CheckpointDocument {
  const d = parseJson(text, where) as Partial<CheckpointDocument> | null;
  if (d?.version !== 1 || typeof d.tenants !== 'object' || d.tenants === null)
    throw new Error(`${where} is not a securescore-connector checkpoint (version 1)`);
  return d as CheckpointDocument;
}

/** One tenant's checkpoint as a blob stores it: `{ version: 1, tenantId, checkpoint }`. */
export interface TenantCheckpointDocument {
  version: 1;
  tenantId: string;
  checkpoint: TenantCheckpoint;
}

/** Reads one tenant's stored checkpoint, refusing anything that is not one of ours. */
export function parseTenantCheckpoint(text: string, where: string): TenantCheckpointDocument {
  const d = parseJson(text, where) as Partial<TenantCheckpointDocument> | null;
  if (d?.version !== 1 || typeof d.tenantId !== 'string' || typeof d.checkpoint !== 'object' || d.checkpoint === null) {
    throw new Error(`${where} is not a securescore-connector tenant checkpoint (version 1)`);
  }
  return d as TenantCheckpointDocument;
}
