/**
 * Typed rows of the table, derived from the column list: a normalizer that writes a column its
 * record type does not declare fails the type check, not a runtime test.
 */
import type { COLUMNS, ColumnType, RecordType } from './columns.js';

type Column = (typeof COLUMNS)[number];

/** The TypeScript type of a column's values as they are sent (datetimes as ISO text). */
type ValueOf<T extends ColumnType> = T extends 'string' | 'datetime'
  ? string
  : T extends 'int' | 'long' | 'real'
    ? number
    : T extends 'boolean'
      ? boolean
      : unknown;

/** The columns a record type declares. */
type ColumnsOf<R extends RecordType> = Column extends infer C
  ? C extends { readonly recordTypes: readonly (infer X)[] }
    ? R extends X
      ? C
      : never
    : never
  : never;

/** One row of one record type: its declared columns, null meaning "known to be empty". */
export type RecordOf<R extends RecordType> = {
  TimeGenerated: string;
  RecordType: R;
  RecordId: string;
  AzureTenantId: string;
  RunId: string;
} & { [C in ColumnsOf<R> as C['name']]?: ValueOf<C['type']> | null };

/** Any row, as the sinks and stores handle it. */
export interface TableRecord {
  TimeGenerated: string;
  RecordType: RecordType;
  RecordId: string;
  AzureTenantId: string;
  RunId: string;
  [column: string]: unknown;
}
