import { demoControlProfiles, demoSecureScores } from './demo-data.js';
import type { SnapshotSource } from './source.js';

export { DEMO_TENANT_ID } from './demo-data.js';

/** Serves the bundled demo tenant, newest first like Graph: just another source, no Azure involved. */
export function demoSource(): SnapshotSource {
  return {
    profiles: async () => demoControlProfiles(),
    snapshots: async function* (count) {
      yield demoSecureScores().slice(0, count);
    },
  };
}
