import type { RecordOf } from '../schema/records.js';
import { percentOf } from './coerce.js';
import type { ControlEntry } from './control-score.js';
import { STATE_LABELS, STATE_UPDATE_PROFILE_COLUMNS } from './control-state-update.js';
import { pickColumns, type NormalizedProfile } from './profiles.js';
import { baseColumns, compact, recordId, type NormalizeContext } from './record.js';
import type { DatedSnapshot } from './snapshots.js';

/** The profile columns a current-state record carries: a state update's, and whether the control is deprecated. */
const CONTROL_STATE_PROFILE_COLUMNS = [...STATE_UPDATE_PROFILE_COLUMNS, 'Deprecated'] as const;

/**
 * One ControlState record: a control's state as of the newest snapshot (who set it, when, why), so
 * "which controls are risk accepted now" is answered from the latest day's rows whatever the time
 * range or retention. `latest` is the control's newest state update, if it has any history.
 */
export function normalizeControlState(
  profile: NormalizedProfile,
  latest: RecordOf<'ControlStateUpdate'> | undefined,
  newest: { snapshot: DatedSnapshot; entries: ReadonlyMap<string, ControlEntry> } | undefined,
  ctx: NormalizeContext,
): RecordOf<'ControlState'> {
  const state = latest?.State ?? 'Default';
  const score = newest?.entries.get(profile.name)?.score ?? null;
  const id = recordId('ControlState', ctx.tenantId, newest?.snapshot.id, profile.name, state, latest?.UpdatedDateTime);
  return compact<RecordOf<'ControlState'>>({
    ...baseColumns('ControlState', id, ctx.tenantId, ctx),
    ...pickColumns(profile.columns, CONTROL_STATE_PROFILE_COLUMNS),
    SnapshotId: newest?.snapshot.id ?? null,
    SnapshotDate: newest?.snapshot.date ?? null,
    ControlName: profile.name,
    CurrentScore: score,
    ScorePercent: percentOf(score, profile.columns.MaxScore),
    State: state,
    StateLabel: STATE_LABELS[state] ?? state,
    UpdatedBy: latest?.UpdatedBy ?? null,
    UpdatedDateTime: latest?.UpdatedDateTime ?? null,
    Comment: latest?.Comment ?? null,
    AssignedTo: latest?.AssignedTo ?? null,
  });
}
