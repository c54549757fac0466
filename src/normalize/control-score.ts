import type { RecordOf } from '../schema/records.js';
import type { RawControlScore } from './graph-types.js';
import { htmlToText, percentOf, round4, shown, toBoolean, toCategory, toIsoDate, toNumber, toReal, toText } from './coerce.js';
import { snapshotTenant } from './daily-score.js';
import type { NormalizedProfile, ProfileColumns, ProfileIndex } from './profiles.js';
import { baseColumns, compact, recordId, type NormalizeContext } from './record.js';
import type { DatedSnapshot } from './snapshots.js';

/** ChangeType values of ControlScore records. */
type ChangeType = 'New' | 'Removed' | 'Increased' | 'Decreased' | 'Unchanged';

/** controlScores properties that have their own column; every other one goes to ControlProperties. */
const MAPPED = new Set(['controlName', 'controlCategory', 'score', 'implementationStatus', 'lastSynced']);
const NUMERIC_EXTRAS = new Set(['count', 'total', 'scoreInPercentage']);

/** A control score entry with a usable name and score. */
export interface ControlEntry {
  readonly name: string;
  readonly raw: RawControlScore;
  readonly score: number | null;
}

/**
 * The usable controlScores of a snapshot by name. Entries without a controlName cannot be keyed
 * or compared and are quarantined; a repeated name keeps the first entry.
 */
export function controlEntries(snapshot: DatedSnapshot, ctx: NormalizeContext): Map<string, ControlEntry> {
  const entries = new Map<string, ControlEntry>();
  const list = Array.isArray(snapshot.raw.controlScores) ? (snapshot.raw.controlScores as unknown[]) : [];
  list.forEach((item, i) => {
    const where = `secureScore ${snapshot.id}.controlScores[${i}]`;
    const raw = (item && typeof item === 'object' ? item : {}) as RawControlScore;
    const name = toText(raw.controlName, `${where}.controlName`, ctx.warnings);
    if (!name) {
      ctx.warnings.add('control-without-name', `${where} has no controlName; quarantined (score ${shown(raw.score)})`);
      return;
    }
    if (entries.has(name)) {
      ctx.warnings.add('duplicate-control', `${where} repeats control ${name}; kept the first`);
      return;
    }
    entries.set(name, { name, raw, score: toNumber(raw.score, `${where}.score`, ctx.warnings) });
  });
  return entries;
}

/** Open-type properties, normalized: "true"/"false" to booleans, numeric strings to numbers, HTML to text. */
function controlProperties(raw: RawControlScore, where: string, ctx: NormalizeContext): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    // @odata annotations describe the payload, not the control.
    if (MAPPED.has(key) || key.startsWith('@odata.')) continue;
    const at = `${where}.${key}`;
    let kept: unknown;
    // Graph documents no types for these extras and sends them as strings: that is normal, not odd.
    if (NUMERIC_EXTRAS.has(key)) kept = toNumber(value, at, ctx.warnings, true);
    else if (key === 'on') kept = toBoolean(value, at, ctx.warnings, true) ?? value;
    else if (key === 'description' && typeof value === 'string') kept = toText(htmlToText(value), at, ctx.warnings);
    else if (typeof value === 'string') kept = toText(value, at, ctx.warnings);
    else kept = value;
    // Assigning "__proto__" would set the object's prototype (and drop the property from the JSON sent).
    if (key === '__proto__') Object.defineProperty(props, key, { value: kept, enumerable: true, writable: true, configurable: true });
    else props[key] = kept;
  }
  return props;
}

function changeType(score: number | null, previous: ControlEntry | undefined, hasPrevious: boolean): ChangeType | null {
  if (!hasPrevious) return null;
  if (!previous) return 'New';
  if (score === null || previous.score === null) return null;
  const delta = round4(score - previous.score);
  return delta > 0 ? 'Increased' : delta < 0 ? 'Decreased' : 'Unchanged';
}

function profileColumns(profile: NormalizedProfile | undefined): Partial<ProfileColumns> {
  return profile ? { ...profile.columns } : {};
}

/**
 * ControlScore records of one snapshot: one per control, enriched with its profile, compared with
 * the previous snapshot; plus a `Removed` record for each control the previous snapshot had and
 * this one lacks.
 */
export function normalizeControlScores(
  snapshot: DatedSnapshot,
  current: ReadonlyMap<string, ControlEntry>,
  before: ReadonlyMap<string, ControlEntry> | undefined,
  profiles: ProfileIndex,
  ctx: NormalizeContext,
): RecordOf<'ControlScore'>[] {
  const tenant = snapshotTenant(snapshot, ctx);
  const records: RecordOf<'ControlScore'>[] = [];
  const common = (name: string) => ({
    ...baseColumns('ControlScore', recordId('ControlScore', tenant, snapshot.id, name), tenant, ctx),
    SnapshotId: snapshot.id,
    SnapshotDate: snapshot.date,
    ControlName: name,
  });

  for (const entry of current.values()) {
    const where = `secureScore ${snapshot.id}.controlScores[${entry.name}]`;
    const profile = profiles.forScoredControl(entry.name, ctx.warnings);
    const prev = before?.get(entry.name);
    const c = profile?.columns;
    const props = controlProperties(entry.raw, where, ctx);
    const max = c?.MaxScore ?? null;
    const fallbackPercent = typeof props.scoreInPercentage === 'number' ? props.scoreInPercentage : null;
    // One literal with every column in a fixed order: the hot path of a backfill, and one object shape
    // for JSON.stringify. Without a profile its columns are undefined, and compact() drops them.
    const record: RecordOf<'ControlScore'> = {
      TimeGenerated: ctx.now,
      RecordType: 'ControlScore',
      RecordId: recordId('ControlScore', tenant, snapshot.id, entry.name),
      AzureTenantId: tenant,
      RunId: ctx.runId,
      SnapshotId: snapshot.id,
      SnapshotDate: snapshot.date,
      ControlName: entry.name,
      ControlTitle: c?.ControlTitle,
      ControlCategory: toCategory(entry.raw.controlCategory) ?? c?.ControlCategory ?? null,
      Service: c?.Service,
      Tier: c?.Tier,
      ActionType: c?.ActionType,
      UserImpact: c?.UserImpact,
      ImplementationCost: c?.ImplementationCost,
      ActionUrl: c?.ActionUrl,
      MaxScore: max,
      Rank: c?.Rank,
      Deprecated: c?.Deprecated,
      Threats: c?.Threats,
      CurrentScore: entry.score,
      ScorePercent: toReal(percentOf(entry.score, max), `${where} ScorePercent`, ctx.warnings) ?? fallbackPercent,
      PreviousScore: prev?.score ?? null,
      ScoreChange:
        entry.score !== null && prev?.score != null ? toReal(round4(entry.score - prev.score), `${where} ScoreChange`, ctx.warnings) : null,
      ChangeType: changeType(entry.score, prev, before !== undefined),
      ImplementationStatus: toText(entry.raw.implementationStatus, `${where}.implementationStatus`, ctx.warnings),
      LastSynced: toIsoDate(entry.raw.lastSynced, `${where}.lastSynced`, ctx.warnings),
      ControlProperties: props,
    };
    if (ctx.tenantDisplayName) record.TenantDisplayName = ctx.tenantDisplayName;
    records.push(c ? record : compact(record));
  }

  for (const gone of before?.values() ?? []) {
    if (current.has(gone.name)) continue;
    const columns = profileColumns(profiles.get(gone.name));
    records.push(
      compact<RecordOf<'ControlScore'>>({
        ...common(gone.name),
        ...columns,
        ControlCategory: toCategory(gone.raw.controlCategory) ?? columns.ControlCategory ?? null,
        // The control is absent from this snapshot: no current score, and the change is not a
        // score movement but a removal (ChangeType says so); the previous score shows what left.
        CurrentScore: null,
        PreviousScore: gone.score,
        ScoreChange: null,
        ChangeType: 'Removed',
        ControlProperties: {},
      }),
    );
  }
  return records;
}
