import type { TokenCredential } from '@azure/identity';
import { demoControlProfiles, demoSecureScores } from './demo-data.js';
import { createGraphConnection } from './graph-client.js';
import type { GraphStats } from './get-json.js';
import type { RetryPolicy } from '../http/retry-policy.js';
import { fetchTenantSnapshots } from './collections.js';
import type { TenantSnapshotSet } from './types.js';

/** Where a tenant's Secure Score data comes from: Graph, or the bundled demo tenant. */
export interface SnapshotSource {
  readonly stats: GraphStats;
  /** The newest `snapshotCount` daily snapshots and every control profile. */
  fetch(snapshotCount: number, signal?: AbortSignal): Promise<TenantSnapshotSet>;
}

/** Reads Microsoft Graph with the given credential, counting into `stats` (shared by a run's tenants). */
export function graphSource(credential: TokenCredential, graphEndpoint: string, policy: RetryPolicy, stats: GraphStats): SnapshotSource {
  const graph = createGraphConnection(credential, graphEndpoint);
  return {
    stats,
    fetch: (snapshotCount, signal) => fetchTenantSnapshots(graph, snapshotCount, { policy, stats, signal }),
  };
}

/** A tenant that could not even be connected to: its run fails with this error (and says so). */
export function failingSource(error: Error): SnapshotSource {
  return { stats: { requests: 0, retries: 0 }, fetch: () => Promise.reject(error) };
}

/** Serves the bundled demo tenant, newest first like Graph. */
export function demoSource(): SnapshotSource {
  return {
    stats: { requests: 0, retries: 0 },
    fetch: async (snapshotCount) => ({ secureScores: demoSecureScores().slice(0, snapshotCount), profiles: demoControlProfiles() }),
  };
}
