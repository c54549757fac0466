import type { RecordOf } from '../schema/records.js';
import type { RawControlStateUpdate } from './graph-types.js';
import { canonicalWord, shown, toIsoDate, toText } from './coerce.js';
import type { NormalizedProfile } from './profiles.js';
import { recordId, recordTenant, type NormalizeContext } from './record.js';

/**
 * Graph control states and the words the Microsoft Defender portal shows for them. Without a prototype,
 * so that even an index by Graph's word ("constructor") finds nothing; look labels up with stateLabel.
 */
export const STATE_LABELS: Readonly<Record<string, string>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, string>, {
    Default: 'To address',
    Planned: 'Planned',
    Ignored: 'Risk accepted',
    ThirdParty: 'Resolved through third party',
    Reviewed: 'Resolved through alternate mitigation',
  }),
);
const KNOWN_STATES = Object.keys(STATE_LABELS);
/** The labels by state, for lookups by Graph's word: a Map, so "constructor" or "__proto__" finds nothing. */
const LABEL_BY_STATE: ReadonlyMap<string, string> = new Map(Object.entries(STATE_LABELS));

/** Whether Graph documents `state`. */
function isKnownState(state: string): boolean {
  return LABEL_BY_STATE.has(state);
}

/** The portal's words for a state; an undocumented state is shown as sent. */
export function stateLabel(state: string): string {
  return LABEL_BY_STATE.get(state) ?? state;
}

/** Graph's state in its documented casing (PATCH examples send "ignored", "thirdParty"). */
function canonicalState(value: unknown): string | null {
  return canonicalWord(value, KNOWN_STATES);
}

interface DatedUpdate {
  readonly raw: RawControlStateUpdate;
  readonly at: string;
  readonly index: number;
}

/**
 * ControlStateUpdate records of one control profile: one per history entry, oldest first, each
 * with the state before it (empty for the first entry: Graph does not say what preceded it).
 * Entries without a usable updatedDateTime cannot be ordered or keyed and are quarantined.
 */
export function normalizeStateUpdates(profile: NormalizedProfile, ctx: NormalizeContext): RecordOf<'ControlStateUpdate'>[] {
  const history = Array.isArray(profile.raw.controlStateUpdates) ? (profile.raw.controlStateUpdates as unknown[]) : [];
  const where = `controlProfile ${profile.name}.controlStateUpdates`;
  const dated: DatedUpdate[] = [];
  history.forEach((item, index) => {
    const raw = (item && typeof item === 'object' ? item : {}) as RawControlStateUpdate;
    const at = toIsoDate(raw.updatedDateTime, `${where}[${index}].updatedDateTime`, ctx.warnings);
    if (!at) {
      ctx.warnings.add(
        'state-update-quarantined',
        `${where}[${index}] (state ${shown(raw.state)}) has no usable updatedDateTime; quarantined`,
      );
      return;
    }
    dated.push({ raw, at, index });
  });
  // Graph sends history oldest first, but that is not promised; order by time, stable on ties.
  dated.sort((a, b) => a.at.localeCompare(b.at) || a.index - b.index);

  const tenant = recordTenant(profile.raw.azureTenantId, `controlProfile ${profile.name}.azureTenantId`, ctx);
  let previousState: string | null = null;
  return dated.map(({ raw, at, index }) => {
    const at_ = `${where}[${index}]`;
    const state = canonicalState(raw.state);
    if (state && !isKnownState(state)) ctx.warnings.add('unknown-state', `${at_}.state "${state}" is not a documented state; kept as sent`);
    const updatedBy = toText(raw.updatedBy, `${at_}.updatedBy`, ctx.warnings);
    const c = profile.columns;
    // One literal in a fixed column order (no spreads): a spread of objects of varying shapes takes V8's slow path.
    const record: RecordOf<'ControlStateUpdate'> = {
      TimeGenerated: ctx.now,
      RecordType: 'ControlStateUpdate',
      RecordId: recordId('ControlStateUpdate', tenant, profile.name, at, state, updatedBy),
      AzureTenantId: tenant,
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
      ControlName: profile.name,
      State: state,
      PreviousState: previousState,
      StateLabel: state ? stateLabel(state) : null,
      UpdatedBy: updatedBy,
      UpdatedDateTime: at,
      Comment: toText(raw.comment, `${at_}.comment`, ctx.warnings),
      AssignedTo: toText(raw.assignedTo, `${at_}.assignedTo`, ctx.warnings),
    };
    if (ctx.tenantDisplayName) record.TenantDisplayName = ctx.tenantDisplayName;
    previousState = state;
    return record;
  });
}
