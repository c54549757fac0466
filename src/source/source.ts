import type { RawControlProfile, RawSecureScore } from '../normalize/graph-types.js';
import type { SnapshotWindow } from '../state/checkpoint.js';

/** Graph request counters, shared by the tenants of a run. */
export interface GraphStats {
  requests: number;
  retries: number;
}

/** How a tenant's snapshot reads fit the run's memory. */
export interface ChunkPlan {
  /** Controls per snapshot expected (the profile count), to size the first request. */
  readonly controls?: number | undefined;
  /**
   * Takes `items` control scores from the run's budget before a request; what it returns gives them
   * back, called once the chunk is processed (the consumer asks for the next one, or stops).
   */
  readonly reserve?: ((items: number) => Promise<() => void>) | undefined;
}

/** Where a tenant's Secure Score data comes from: Microsoft Graph, or the bundled demo tenant. */
export interface SnapshotSource {
  /** Every control profile with its state history (read first: every record is enriched from it). */
  profiles(signal?: AbortSignal): Promise<RawControlProfile[]>;
  /**
   * The daily snapshots of `window`, newest first, in chunks small enough to hold (each reserved by
   * `plan`): at most `window.max`, and none after the chunk that reached `window.stopAt`.
   */
  snapshots(window: SnapshotWindow, signal?: AbortSignal, plan?: ChunkPlan): AsyncIterable<RawSecureScore[]>;
}

/** A tenant that could not even be connected to: its run fails with this error (and says so). */
export function failingSource(error: Error): SnapshotSource {
  return {
    profiles: () => Promise.reject(error),
    snapshots: async function* () {
      yield await Promise.reject<RawSecureScore[]>(error);
    },
  };
}
