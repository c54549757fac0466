/**
 * Reading values out of a parsed NDJSON line. Lines come from files a person hands us, possibly
 * edited or from another version, so nothing is assumed about a column's type: a value of the wrong
 * type reads as absent rather than breaking the report.
 */

/** One parsed NDJSON line that has a RecordType and a RecordId. */
export type InputRecord = Readonly<Record<string, unknown>>;

/** A non-empty string column, or null. */
export function textOf(record: InputRecord, column: string): string | null {
  const value = record[column];
  return typeof value === 'string' && value !== '' ? value : null;
}

/** A finite number column, or null. */
export function numberOf(record: InputRecord, column: string): number | null {
  const value = record[column];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Milliseconds of an ISO timestamp column; absent or unparseable sorts oldest. */
export function timeOf(record: InputRecord, column: string): number {
  const ms = Date.parse(textOf(record, column) ?? '');
  return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
}

/** A dynamic column holding counts by name (RecordCounts), keeping only the numeric entries. */
export function countsOf(record: InputRecord, column: string): Record<string, number> {
  const value = record[column];
  const counts: Record<string, number> = {};
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [name, count] of Object.entries(value)) if (typeof count === 'number' && Number.isFinite(count)) counts[name] = count;
  }
  return counts;
}

/**
 * Whether a record at (event time, collection time) is newer than another: the event time decides,
 * TimeGenerated breaks ties (a later run's view of the same moment wins).
 */
export function isNewer(event: number, generated: number, thanEvent: number, thanGenerated: number): boolean {
  return event > thanEvent || (event === thanEvent && generated >= thanGenerated);
}
