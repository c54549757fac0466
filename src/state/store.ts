import type { TenantCheckpoint } from './checkpoint.js';

/**
 * Where checkpoints live. A run (or one replica of a job) holds a tenant's checkpoint exclusively
 * from `lockTenant` to `release`, so two overlapping runs cannot both advance it, and replicas that
 * share a tenant list never work on the same tenant at once.
 */
export interface CheckpointStore {
  readonly description: string;
  /** Prepares the store for this run and checks what it holds can be used (a CONFIG error if not). */
  open(): Promise<void>;
  /** The tenant's checkpoint, held for this run; or, when another run or replica holds it, why. */
  lockTenant(tenantId: string): Promise<TenantCheckpointLock | HeldElsewhere>;
  close(): Promise<void>;
  /** Writes and removes a probe, for `doctor`; throws a ConnectorError saying what to fix. */
  checkWritable(): Promise<void>;
}

/** One tenant's checkpoint, held exclusively. */
export interface TenantCheckpointLock {
  /** What earlier runs delivered; undefined on the tenant's first run. */
  readonly checkpoint: TenantCheckpoint | undefined;
  save(next: TenantCheckpoint): Promise<void>;
  release(): Promise<void>;
}

/** A tenant another run or replica holds: it is left to that one. */
export interface HeldElsewhere {
  /** Who holds it and what to do, as `State: <what>. <what to do>`. */
  readonly heldBy: string;
}
