import type { TableRecord } from '../schema/records.js';
import type { TenantSnapshotSet } from './graph-types.js';
import { controlEntries, normalizeControlScores } from './control-score.js';
import { normalizeStateUpdates } from './control-state-update.js';
import { normalizeDailyScore } from './daily-score.js';
import { ProfileIndex } from './profiles.js';
import type { NormalizeContext } from './record.js';
import { orderSnapshots } from './snapshots.js';
import { Warnings } from './warnings.js';

/** Which facts of a tenant's Graph data to turn into records. */
export interface NormalizeSelection {
  /** How many of the newest snapshots to emit; older ones only serve as "previous". */
  readonly snapshotCount: number;
  /** Emit only snapshots created after this ISO time (the checkpoint), if given. */
  readonly snapshotsAfter?: string | undefined;
  /** RecordIds of state updates already delivered (history can gain entries dated in the past). */
  readonly deliveredStateUpdates?: ReadonlySet<string> | undefined;
}

/** Records of one tenant, and the newest snapshot they cover (for the checkpoint). */
export interface NormalizedTenant {
  readonly records: TableRecord[];
  readonly newestSnapshotDate: string | undefined;
}

/**
 * All records for one tenant's Graph data: DailyScore and ControlScore for each emitted snapshot
 * (each compared with the snapshot before it), and ControlStateUpdate for each history entry.
 */
export function normalizeTenant(data: TenantSnapshotSet, selection: NormalizeSelection, ctx: NormalizeContext): NormalizedTenant {
  const snapshots = orderSnapshots(data.secureScores, ctx.warnings);
  const profiles = new ProfileIndex(data.profiles, ctx.warnings);
  const emitted = snapshots.slice(0, selection.snapshotCount).filter((s) => !selection.snapshotsAfter || s.date > selection.snapshotsAfter);

  const records: TableRecord[] = [];
  // Entries of the comparison-only snapshot are read without counting warnings: it is not ingested.
  const entriesOf = (index: number) =>
    controlEntries(snapshots[index]!, index < emitted.length ? ctx : { ...ctx, warnings: new Warnings() });
  let entries = emitted.length > 0 ? entriesOf(0) : undefined;
  emitted.forEach((snapshot, i) => {
    const previous = snapshots[i + 1];
    const previousEntries = previous ? entriesOf(i + 1) : undefined;
    records.push(normalizeDailyScore(snapshot, previous, ctx));
    records.push(...normalizeControlScores(snapshot, entries!, previousEntries, profiles, ctx));
    entries = previousEntries;
  });

  const updates = profiles
    .all()
    .flatMap((p) => normalizeStateUpdates(p, ctx))
    .filter((r) => !selection.deliveredStateUpdates?.has(r.RecordId));
  records.push(...updates);

  return { records, newestSnapshotDate: emitted[0]?.date };
}
