/**
 * Checkpoints: per tenant, what has been delivered. Pure functions only; the stores do the I/O.
 *
 * Snapshots are tracked by day, and days are Graph's, never the host clock's: a day is delivered once
 * its DailyScore and every ControlScore were accepted (or refused for good and kept in a dead letter).
 * The first run's backfill sets the floor: a day before it is never sent, however long Graph keeps it.
 * Between the floor and the newest delivered day, a day not delivered is a gap (Graph can show a day
 * late), read again until it is filled or leaves Graph's 90 days. State updates can show up late with an
 * older timestamp too, so they are tracked by RecordId, which is deterministic.
 */
export interface TenantCheckpoint {
  /** createdDateTime of the newest snapshot whose records were all accepted. */
  newestSnapshotDate?: string | undefined;
  /** Days (YYYY-MM-DD) from the floor on whose snapshot was delivered; absent in the first checkpoints. */
  deliveredSnapshots?: string[] | undefined;
  /**
   * Days (YYYY-MM-DD) before this one count as delivered: the oldest day the first run's backfill sent,
   * raised as days leave Graph's 90, lowered only by an explicit `--extend-backfill`. Absent in earlier
   * checkpoints, where the oldest delivered day stands in for it.
   */
  floorDay?: string | undefined;
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

const dayOf = (iso: string) => iso.slice(0, 10);
/** The day `n` days after `day` (before, for a negative `n`). */
function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The oldest day Graph can still hold when its newest is `newestDay`: Graph's 90 days are counted from
 * its own newest snapshot, so a tenant whose snapshots stop moving keeps its days, whatever the clock.
 */
function retentionHorizon(newestDay: string): string {
  return addDays(newestDay, 1 - GRAPH_RETENTION_DAYS);
}

/** The checkpoint's floor: before it, every day counts as delivered. Undefined before anything was delivered. */
function floorOf(checkpoint: TenantCheckpoint): string | undefined {
  if (!checkpoint.newestSnapshotDate) return undefined;
  if (checkpoint.floorDay) return checkpoint.floorDay;
  const delivered = checkpoint.deliveredSnapshots;
  // The first checkpoints held only the newest day: every day up to it was delivered.
  if (!delivered || delivered.length === 0) return addDays(dayOf(checkpoint.newestSnapshotDate), 1);
  return delivered.reduce((a, b) => (b < a ? b : a));
}

/**
 * Whether a day's snapshot counts as delivered by the checkpoint: a day it holds, or any day before its
 * floor (the backfill's oldest day: older ones were never promised, and days that left Graph's 90 are
 * forgotten). Without a checkpoint nothing is delivered: a first run sends what its --days reads.
 */
export function isDeliveredBy(checkpoint: TenantCheckpoint | undefined): (day: string) => boolean {
  const floor = checkpoint && floorOf(checkpoint);
  if (!checkpoint || floor === undefined) return () => false;
  const delivered = new Set(checkpoint.deliveredSnapshots ?? []);
  return (d) => d < floor || delivered.has(d);
}

/** Which snapshots a tenant's run reads: newest first, at most `max`, and no further back than `stopAt`. */
export interface SnapshotWindow {
  /** Most snapshots to read (Graph keeps 90). */
  readonly max: number;
  /**
   * Reading stops once a snapshot dated on or before this day (YYYY-MM-DD) was read: the comparison
   * base of the oldest day that may still be sent. Undefined on a first run, which reads `max`.
   */
  readonly stopAt?: string | undefined;
}

/**
 * What a tenant's run reads, sized from what Graph has and what was delivered, never from the clock: a
 * first run reads its backfill plus the day before it (its comparison); later runs read newest first
 * down to the comparison base, which is the newest delivered day, or the day before the oldest gap
 * between the floor and it. A daily run reads today's snapshot and yesterday's; a tenant whose Graph
 * stopped producing snapshots reads just its newest, every run; a host clock days off reads the same.
 */
export function readWindow(checkpoint: TenantCheckpoint | undefined, backfillDays: number): SnapshotWindow {
  const floor = checkpoint && floorOf(checkpoint);
  if (!checkpoint?.newestSnapshotDate || floor === undefined) return { max: Math.min(backfillDays + 1, GRAPH_RETENTION_DAYS) };
  const newest = dayOf(checkpoint.newestSnapshotDate);
  const delivered = new Set(checkpoint.deliveredSnapshots ?? []);
  const horizon = retentionHorizon(newest);
  for (let d = floor > horizon ? floor : horizon; d < newest; d = addDays(d, 1)) {
    if (!delivered.has(d)) return { max: GRAPH_RETENTION_DAYS, stopAt: addDays(d, -1) };
  }
  return { max: GRAPH_RETENTION_DAYS, stopAt: newest };
}

/**
 * The checkpoint with its floor lowered to `--days` days back from its newest day, so the run sends
 * the older days the first backfill did not (`--extend-backfill`: raising --days later is deliberate,
 * never an accident of the clock). A floor already lower stays.
 */
export function extendBackfill(checkpoint: TenantCheckpoint, backfillDays: number): TenantCheckpoint {
  const floor = floorOf(checkpoint);
  if (!checkpoint.newestSnapshotDate || floor === undefined) return checkpoint;
  const wanted = addDays(dayOf(checkpoint.newestSnapshotDate), 1 - Math.min(backfillDays, GRAPH_RETENTION_DAYS));
  return wanted < floor ? { ...checkpoint, floorDay: wanted, deliveredSnapshots: checkpoint.deliveredSnapshots ?? [] } : checkpoint;
}

/** What one run of a tenant delivered, for {@link advanceCheckpoint}. */
export interface DeliveredFacts {
  /** Days whose snapshot records were all accepted, or refused for good and kept in a dead letter. */
  readonly days: readonly string[];
  /** createdDateTime of those days' snapshots. */
  readonly snapshotDates: readonly string[];
  readonly stateUpdateIds: readonly string[];
  /** The oldest day the run sent or tried to send: a first run's floor (later runs keep theirs). */
  readonly oldestSentDay?: string | undefined;
}

/**
 * The checkpoint after a tenant's run: the delivered days join the others, and so do the accepted state
 * updates. A first run's floor is the oldest day it sent, delivered or not (a day it failed to send is a
 * gap the next run reads back to, not a day before the floor). Days that left Graph's 90 (counted from
 * the newest delivered day) are forgotten and the floor rises past them. Undelivered data never moves it.
 */
export function advanceCheckpoint(
  previous: TenantCheckpoint | undefined,
  delivered: DeliveredFacts,
  run: { runId: string; at: string; execution?: string | undefined },
): TenantCheckpoint {
  const newest = [previous?.newestSnapshotDate, ...delivered.snapshotDates]
    .filter((d): d is string => !!d)
    .sort()
    .pop();
  let floor = (previous && floorOf(previous)) ?? delivered.oldestSentDay ?? [...delivered.days].sort()[0];
  if (newest && floor !== undefined && floor < retentionHorizon(dayOf(newest))) floor = retentionHorizon(dayOf(newest));
  const days = new Set([...(previous?.deliveredSnapshots ?? []), ...delivered.days].filter((d) => floor !== undefined && d >= floor));
  const ids = new Set(previous?.deliveredStateUpdates ?? []);
  for (const id of delivered.stateUpdateIds) ids.add(id);
  const next: TenantCheckpoint = {
    newestSnapshotDate: newest,
    deliveredSnapshots: [...days].sort(),
    floorDay: newest ? floor : undefined,
    deliveredStateUpdates: [...ids].sort(),
    updatedAt: run.at,
    runId: run.runId,
  };
  if (!next.floorDay) delete next.floorDay;
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
