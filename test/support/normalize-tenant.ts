import type { RawControlProfile, RawSecureScore } from '../../src/normalize/graph-types.js';
import type { NormalizeContext } from '../../src/normalize/record.js';
import { TenantNormalizer, type NormalizeSelection } from '../../src/normalize/tenant.js';
import type { TableRecord } from '../../src/schema/records.js';

/**
 * Every record of a small tenant's data at once, through the run's own TenantNormalizer (one chunk,
 * then finish), and the newest snapshot emitted: what the normalizers' tests compare.
 */
export function normalizeTenant(
  data: { secureScores: readonly RawSecureScore[]; profiles: readonly RawControlProfile[] },
  selection: NormalizeSelection,
  ctx: NormalizeContext,
): { records: TableRecord[]; newestSnapshotDate: string | undefined } {
  const normalizer = new TenantNormalizer(data.profiles, selection, ctx);
  const batches = [...normalizer.push(data.secureScores), ...normalizer.finish()];
  const newest = batches.find((b) => b.day)?.records[0]?.SnapshotDate;
  return { records: batches.flatMap((b) => b.records), newestSnapshotDate: typeof newest === 'string' ? newest : undefined };
}
