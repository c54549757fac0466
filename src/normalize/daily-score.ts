import { percentOf, round4, shown, toInt, toNumber, toReal } from './coerce.js';
import { baseColumns, compact, recordId, recordTenant, type NormalizeContext } from './record.js';
import type { RecordOf } from '../schema/records.js';
import type { DatedSnapshot } from './snapshots.js';
import { Warnings } from './warnings.js';

/** The tenant of a snapshot's records: the tenant read (a differing azureTenantId is reported). */
export function snapshotTenant(snapshot: DatedSnapshot, ctx: NormalizeContext): string {
  return recordTenant(snapshot.raw.azureTenantId, `secureScore ${snapshot.id}.azureTenantId`, ctx);
}

function comparativeScores(value: unknown, where: string, ctx: NormalizeContext): unknown[] {
  if (!Array.isArray(value)) return [];
  return value.map((entry, i) => {
    if (!entry || typeof entry !== 'object') return entry;
    const e = entry as Record<string, unknown>;
    let averageScore = toNumber(e.averageScore, `${where}[${i}].averageScore`, ctx.warnings);
    // Graph has been seen sending -1 when it has no average; a negative average is not a score.
    if (averageScore !== null && averageScore < 0) {
      ctx.warnings.add('comparative-score-unavailable', `${where}[${i}] (${shown(e.basis)}) averageScore was ${averageScore}`);
      averageScore = null;
    }
    return { ...e, averageScore };
  });
}

/** One DailyScore record: the tenant's total for a snapshot, compared with the one before it. */
export function normalizeDailyScore(
  snapshot: DatedSnapshot,
  previous: DatedSnapshot | undefined,
  ctx: NormalizeContext,
): RecordOf<'DailyScore'> {
  const raw = snapshot.raw;
  const where = `secureScore ${snapshot.id}`;
  const tenant = snapshotTenant(snapshot, ctx);
  const current = toNumber(raw.currentScore, `${where}.currentScore`, ctx.warnings);
  const max = toNumber(raw.maxScore, `${where}.maxScore`, ctx.warnings);
  // The previous snapshot's oddities are counted on its own record (or not at all, if it is only
  // read for comparison); reading it again here must not count them twice.
  const prev = previous ? toNumber(previous.raw.currentScore, `secureScore ${previous.id}.currentScore`, new Warnings()) : null;
  return compact<RecordOf<'DailyScore'>>({
    ...baseColumns('DailyScore', recordId('DailyScore', tenant, snapshot.id), tenant, ctx),
    SnapshotId: snapshot.id,
    SnapshotDate: snapshot.date,
    CurrentScore: current,
    MaxScore: max,
    ScorePercent: toReal(percentOf(current, max), `${where} ScorePercent`, ctx.warnings),
    PreviousScore: prev,
    ScoreChange: current !== null && prev !== null ? toReal(round4(current - prev), `${where} ScoreChange`, ctx.warnings) : null,
    ActiveUserCount: toInt(raw.activeUserCount, `${where}.activeUserCount`, ctx.warnings),
    LicensedUserCount: toInt(raw.licensedUserCount, `${where}.licensedUserCount`, ctx.warnings),
    EnabledServices: Array.isArray(raw.enabledServices) ? raw.enabledServices : [],
    ComparativeScores: comparativeScores(raw.averageComparativeScores, `${where}.averageComparativeScores`, ctx),
  });
}
