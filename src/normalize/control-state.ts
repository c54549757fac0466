import type { RecordOf } from '../schema/records.js';
import { percentOf, toReal } from './coerce.js';
import type { ControlEntry } from './control-score.js';
import { stateLabel } from './control-state-update.js';
import type { NormalizedProfile } from './profiles.js';
import { recordId, type NormalizeContext } from './record.js';
import type { DatedSnapshot } from './snapshots.js';

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
  const c = profile.columns;
  // One literal in a fixed column order, as in the state update records (spreads took V8's slow path).
  const record: RecordOf<'ControlState'> = {
    TimeGenerated: ctx.now,
    RecordType: 'ControlState',
    RecordId: id,
    AzureTenantId: ctx.tenantId,
    RunId: ctx.runId,
    ControlTitle: c.ControlTitle,
    ControlCategory: c.ControlCategory,
    Service: c.Service,
    Tier: c.Tier,
    ActionType: c.ActionType,
    UserImpact: c.UserImpact,
    ImplementationCost: c.ImplementationCost,
    ActionUrl: c.ActionUrl,
    MaxScore: c.MaxScore,
    Deprecated: c.Deprecated,
    SnapshotId: newest?.snapshot.id ?? null,
    SnapshotDate: newest?.snapshot.date ?? null,
    ControlName: profile.name,
    CurrentScore: score,
    ScorePercent: toReal(percentOf(score, c.MaxScore), `control ${profile.name} ScorePercent`, ctx.warnings),
    State: state,
    StateLabel: stateLabel(state),
    UpdatedBy: latest?.UpdatedBy ?? null,
    UpdatedDateTime: latest?.UpdatedDateTime ?? null,
    Comment: latest?.Comment ?? null,
    AssignedTo: latest?.AssignedTo ?? null,
  };
  if (ctx.tenantDisplayName) record.TenantDisplayName = ctx.tenantDisplayName;
  return record;
}
