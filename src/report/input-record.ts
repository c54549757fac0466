/**
 * Reading values out of a parsed NDJSON line. Lines come from files a person hands us, possibly
 * edited or from another version, so nothing is assumed about a column's type: a value of the wrong
 * type reads as absent rather than breaking the report.
 *
 * Column names are typed against the table (src/schema/columns.ts): a reader names a column the
 * schema declares, of the type the reader expects (text, number, time, counts), and, once the
 * record's type is known, one that record type carries. A misspelt, renamed or retyped column fails
 * the type check instead of reading as absent.
 */
import type { COLUMNS, ColumnType, RecordType } from '../schema/columns.js';

type Column = (typeof COLUMNS)[number];

/** A column of the table, by name. */
export type ColumnName = Column['name'];

/** The columns whose type is one of `T`. */
type ColumnOfType<T extends ColumnType> = Extract<Column, { readonly type: T }>['name'];

/** The columns every one of the record types `R` declares. */
type ColumnOfRecord<R extends RecordType> = Column extends infer C
  ? C extends { readonly name: infer N; readonly recordTypes: readonly (infer X)[] }
    ? [R] extends [X]
      ? N
      : never
    : never
  : never;

/** The line's columns by the table's names, each of unknown type until read. */
type Columns<N extends ColumnName> = { readonly [K in N]?: unknown };

/**
 * One parsed NDJSON line that has a string RecordType and RecordId. Its RecordType may be one this
 * version does not know, so any column of the table may be read from it.
 */
export type InputRecord = Columns<ColumnName> & { readonly RecordType: string; readonly RecordId: string };

/** A line known to be of record type `R`: only the columns `R` declares may be read from it. */
export type InputRecordOf<R extends RecordType> = Columns<ColumnOfRecord<R>> & { readonly RecordType: R; readonly RecordId: string };

/** The record's columns of the given types. */
type Readable<Rec extends InputRecord, T extends ColumnType> = NoInfer<keyof Rec> & ColumnOfType<T>;

/** Whether a parsed JSON object is a record: it has a string RecordType and RecordId. */
export function isInputRecord(value: object): value is InputRecord {
  const line = value as Columns<ColumnName>;
  return typeof line.RecordType === 'string' && typeof line.RecordId === 'string';
}

/** Whether a record is of record type `type`, so the columns of that type can be read from it. */
export function isRecordOf<R extends RecordType>(record: InputRecord, type: R): record is InputRecordOf<R> {
  return record.RecordType === type;
}

/** A non-empty string column, or null. */
export function textOf<Rec extends InputRecord>(record: Rec, column: Readable<Rec, 'string' | 'datetime'>): string | null {
  const value: unknown = record[column];
  return typeof value === 'string' && value !== '' ? value : null;
}

/** A finite number column, or null. */
export function numberOf<Rec extends InputRecord>(record: Rec, column: Readable<Rec, 'int' | 'long' | 'real'>): number | null {
  const value: unknown = record[column];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Milliseconds of an ISO timestamp column; absent or unparseable sorts oldest. */
export function timeOf<Rec extends InputRecord>(record: Rec, column: Readable<Rec, 'datetime'>): number {
  const ms = Date.parse(textOf(record, column) ?? '');
  return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
}

/** A dynamic column holding counts by name (RecordCounts), keeping only the numeric entries. */
export function countsOf<Rec extends InputRecord>(record: Rec, column: Readable<Rec, 'dynamic'>): Record<string, number> {
  const value: unknown = record[column];
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
