import type { RawSecureScore } from './graph-types.js';
import { toIsoDate, toText } from './coerce.js';
import type { Warnings } from './warnings.js';

/** A snapshot that can be placed in time, with its parsed date and id. */
export interface DatedSnapshot {
  readonly raw: RawSecureScore;
  readonly id: string;
  readonly date: string;
}

/** How far ahead of the run's clock a snapshot may be dated (clock skew), before it is quarantined. */
const FUTURE_TOLERANCE_MS = 86_400_000;

/**
 * Dates one snapshot, or quarantines it with a counted warning: not an object, no usable
 * createdDateTime, or dated in the future (a snapshot from 2099 must never move the checkpoint).
 */
export function dateSnapshot(snapshot: RawSecureScore, where: string, now: string, warnings: Warnings): DatedSnapshot | undefined {
  if (!snapshot || typeof snapshot !== 'object') {
    warnings.add('snapshot-quarantined', `${where} is not an object`);
    return undefined;
  }
  const date = toIsoDate(snapshot.createdDateTime, `${where}.createdDateTime`, warnings);
  if (!date) {
    warnings.add('snapshot-quarantined', `${where} (id ${String(snapshot.id)}) has no usable createdDateTime; it is not ingested`);
    return undefined;
  }
  if (Date.parse(date) > Date.parse(now) + FUTURE_TOLERANCE_MS) {
    warnings.add('snapshot-in-future', `${where} (id ${String(snapshot.id)}) is dated ${date}, after now (${now}); quarantined`);
    return undefined;
  }
  const id = toText(snapshot.id, `${where}.id`, warnings) ?? `${String(snapshot.azureTenantId ?? '')}_${date.slice(0, 10)}`;
  return { raw: snapshot, id, date };
}
