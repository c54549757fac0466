import type { TenantSnapshotSet } from '../normalize/graph-types.js';

/** Graph request counters, shared by the tenants of a run. */
export interface GraphStats {
  requests: number;
  retries: number;
}

/** Where a tenant's Secure Score data comes from: Microsoft Graph, or the bundled demo tenant. */
export interface SnapshotSource {
  /** The newest `snapshotCount` daily snapshots and every control profile. */
  fetch(snapshotCount: number, signal?: AbortSignal): Promise<TenantSnapshotSet>;
}

/** A tenant that could not even be connected to: its run fails with this error (and says so). */
export function failingSource(error: Error): SnapshotSource {
  return { fetch: () => Promise.reject(error) };
}
