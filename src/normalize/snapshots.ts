import type { RawSecureScore } from './graph-types.js';
import { shown, toIsoDate, toText } from './coerce.js';
import { Warnings } from './warnings.js';

/** A snapshot that can be placed in time, with its parsed date and id. */
export interface DatedSnapshot {
  readonly raw: RawSecureScore;
  readonly id: string;
  readonly date: string;
}

/**
 * The day (YYYY-MM-DD) a raw snapshot is dated, read as {@link dateSnapshot} reads it, or undefined
 * when it has none (the normalizer quarantines it and says so; the reader only needs to know where it is).
 */
export function snapshotDay(snapshot: unknown): string | undefined {
  if (!snapshot || typeof snapshot !== 'object') return undefined;
  return toIsoDate((snapshot as RawSecureScore).createdDateTime, 'createdDateTime', new Warnings())?.slice(0, 10);
}

/**
 * How far ahead of the run's clock a snapshot may be dated before it is quarantined: a host clock a few
 * days behind must not hold back Graph's newest day, but a date no skewed clock explains would move the
 * checkpoint past every real day.
 */
const FUTURE_TOLERANCE_MS = 7 * 86_400_000;

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
    warnings.add('snapshot-quarantined', `${where} (id ${shown(snapshot.id)}) has no usable createdDateTime; it is not ingested`);
    return undefined;
  }
  if (Date.parse(date) > Date.parse(now) + FUTURE_TOLERANCE_MS) {
    warnings.add('snapshot-in-future', `${where} (id ${shown(snapshot.id)}) is dated ${date}, after now (${now}); quarantined`);
    return undefined;
  }
  const id =
    toText(snapshot.id, `${where}.id`, warnings) ??
    `${typeof snapshot.azureTenantId === 'string' ? snapshot.azureTenantId : ''}_${date.slice(0, 10)}`;
  return { raw: snapshot, id, date };
}
