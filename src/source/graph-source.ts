import type { TokenCredential } from '@azure/identity';
import type { RetryPolicy } from '../http/retry-policy.js';
import { fetchControlProfiles, fetchSecureScores, secureScoreChunks } from './collections.js';
import { createGraphConnection } from './graph-client.js';
import type { GraphRetry } from './get-json.js';
import type { GraphStats, SnapshotSource } from './source.js';

/** Microsoft Graph as a source, plus the probe `doctor` runs through the same readers. */
export interface GraphSource extends SnapshotSource {
  /** The newest snapshot, if any: proves permission and consent (doctor). */
  latestSnapshot(signal?: AbortSignal): Promise<Record<string, unknown> | undefined>;
  /** How many profiles the first page holds (doctor). */
  firstProfilePage(signal?: AbortSignal): Promise<number>;
}

/**
 * Reads Microsoft Graph with the given credential, counting into `stats` (shared by a run's tenants)
 * and telling `onRetry` about each retry of the tenant's reads.
 */
export function graphSource(
  credential: TokenCredential,
  graphEndpoint: string,
  policy: RetryPolicy,
  stats: GraphStats,
  onRetry?: (retry: GraphRetry) => void,
): GraphSource {
  const graph = createGraphConnection(credential, graphEndpoint);
  return {
    profiles: (signal) => fetchControlProfiles(graph, { policy, stats, signal, onRetry }),
    snapshots: (window, signal, plan) => secureScoreChunks(graph, window, { policy, stats, signal, onRetry }, plan),
    latestSnapshot: async (signal) =>
      (await fetchSecureScores(graph, 1, { policy, stats, signal }))[0] as Record<string, unknown> | undefined,
    firstProfilePage: async (signal) => (await fetchControlProfiles(graph, { policy, stats, signal }, 1)).length,
  };
}
