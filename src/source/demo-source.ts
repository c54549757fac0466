import { demoControlProfiles, demoNewestDay, demoSecureScores } from './demo-data.js';
import type { SnapshotSource } from './source.js';

export { DEMO_TENANT_ID } from './demo-data.js';

/**
 * Serves the bundled demo tenant, newest first like Graph, its history ending the day before `now`:
 * just another source, no Azure involved. It reads a window as Graph's reader does: at most `max`
 * snapshots, and none after the one that reached `stopAt`.
 */
export function demoSource(now: Date): SnapshotSource {
  const newestDay = demoNewestDay(now);
  return {
    profiles: async () => demoControlProfiles(newestDay),
    snapshots: async function* (window) {
      const all = demoSecureScores(newestDay).slice(0, window.max);
      const stop = window.stopAt === undefined ? -1 : all.findIndex((s) => String(s.createdDateTime).slice(0, 10) <= window.stopAt!);
      yield stop < 0 ? all : all.slice(0, stop + 1);
    },
  };
}
