/**
 * Checkpoints: per tenant, what has been delivered. Pure functions only; the stores do the I/O.
 *
 * Snapshots are daily and immutable, so "newest delivered snapshot date" is a complete cursor.
 * State updates are not: an entry can show up late with an older timestamp, so they are tracked by
 * RecordId, which is deterministic.
 */
export interface TenantCheckpoint {
  /** createdDateTime of the newest snapshot whose records were all accepted. */
  newestSnapshotDate?: string | undefined;
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

/**
 * How many snapshots to read: on a first run the backfill plus the one before it; later, every day
 * since the checkpoint plus the checkpoint's own snapshot (the "previous" of the first new one), and
 * one day of slack for snapshots created late in the day.
 */
export function snapshotsToRead(checkpoint: TenantCheckpoint | undefined, backfillDays: number, now: Date): number {
  if (!checkpoint?.newestSnapshotDate) return Math.min(backfillDays + 1, GRAPH_RETENTION_DAYS);
  const days = Math.ceil((now.getTime() - Date.parse(checkpoint.newestSnapshotDate)) / DAY_MS);
  return Math.min(Math.max(days, 0) + 2, GRAPH_RETENTION_DAYS);
}

/** The checkpoint after a tenant's records were all accepted. */
export function advanceCheckpoint(
  previous: TenantCheckpoint | undefined,
  delivered: { newestSnapshotDate: string | undefined; stateUpdateIds: readonly string[] },
  run: { runId: string; at: string; execution?: string | undefined },
): TenantCheckpoint {
  const newest = [previous?.newestSnapshotDate, delivered.newestSnapshotDate]
    .filter((d): d is string => !!d)
    .sort()
    .pop();
  const ids = new Set(previous?.deliveredStateUpdates ?? []);
  for (const id of delivered.stateUpdateIds) ids.add(id);
  const next: TenantCheckpoint = {
    newestSnapshotDate: newest,
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
