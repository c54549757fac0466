import type { RawSecureScore } from './graph-types.js';
import { toIsoDate, toText } from './coerce.js';
import type { Warnings } from './warnings.js';

/** A snapshot that can be placed in time, with its parsed date and id. */
export interface DatedSnapshot {
  readonly raw: RawSecureScore;
  readonly id: string;
  readonly date: string;
}

/**
 * Orders snapshots newest first and removes what cannot be compared: snapshots without a valid
 * createdDateTime are quarantined, and a second snapshot for the same id or day keeps the first
 * one Graph sent. Each removal is a counted warning.
 */
export function orderSnapshots(raw: readonly RawSecureScore[], warnings: Warnings): DatedSnapshot[] {
  const byDay = new Map<string, DatedSnapshot>();
  const ids = new Set<string>();
  raw.forEach((snapshot, index) => {
    if (!snapshot || typeof snapshot !== 'object') {
      warnings.add('snapshot-quarantined', `secureScores[${index}] is not an object`);
      return;
    }
    const date = toIsoDate(snapshot.createdDateTime, `secureScores[${index}].createdDateTime`, warnings);
    if (!date) {
      warnings.add(
        'snapshot-quarantined',
        `secureScores[${index}] (id ${String(snapshot.id)}) has no usable createdDateTime; it is not ingested`,
      );
      return;
    }
    const id = toText(snapshot.id, `secureScores[${index}].id`, warnings) ?? `${String(snapshot.azureTenantId ?? '')}_${date.slice(0, 10)}`;
    const day = date.slice(0, 10);
    if (ids.has(id) || byDay.has(day)) {
      warnings.add('duplicate-snapshot', `secureScores[${index}] repeats snapshot ${id} (${day}); kept the first`);
      return;
    }
    ids.add(id);
    byDay.set(day, { raw: snapshot, id, date });
  });
  return [...byDay.values()].sort((a, b) => b.date.localeCompare(a.date));
}
