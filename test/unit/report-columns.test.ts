import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  countsOf,
  type ColumnName,
  type InputRecord,
  type InputRecordOf,
  isInputRecord,
  isRecordOf,
  numberOf,
  textOf,
  timeOf,
} from '../../src/report/input-record.js';
import type { COLUMNS, RecordType } from '../../src/schema/columns.js';
import type { RecordOf } from '../../src/schema/records.js';

/**
 * The report reads columns by the table's names (src/schema/columns.ts), so a misspelt or renamed
 * column fails `tsc -p tsconfig.test.json` (part of npm test). The `@ts-expect-error` lines below are
 * the proof: were the readers to take any string again, each directive would be unused, which is an
 * error. At run time the same calls show a file's messy values read as absent.
 */
const line: InputRecord = {
  RecordType: 'DailyScore',
  RecordId: 'd1',
  AzureTenantId: 'tenant',
  TimeGenerated: '2026-11-05T06:00:00.000Z',
  SnapshotDate: 'not a date',
  CurrentScore: '161',
  MaxScore: 314,
  RecordCounts: { DailyScore: 1, Bad: 'x' },
};

describe('the report reads columns typed against the schema', () => {
  it('names the columns the schema declares, no other', () => {
    expectTypeOf<ColumnName>().toEqualTypeOf<(typeof COLUMNS)[number]['name']>();
    expect(textOf(line, 'AzureTenantId')).toBe('tenant');
    // @ts-expect-error: not a column (the column is AzureTenantId)
    expect(textOf(line, 'AzureTenantID')).toBeNull();
    // @ts-expect-error: a Log Analytics reserved name, not a column of the table
    expect(textOf(line, 'TenantId')).toBeNull();
  });

  it('reads a column only as its schema type: text, number, time or counts', () => {
    expect(numberOf(line, 'MaxScore')).toBe(314);
    // @ts-expect-error: CurrentScore is a real column, not text
    expect(textOf(line, 'CurrentScore')).toBe('161');
    expect(numberOf(line, 'CurrentScore')).toBeNull(); // "161" in the file is not a number
    // @ts-expect-error: AzureTenantId is a string column, not a number
    expect(numberOf(line, 'AzureTenantId')).toBeNull();
    // @ts-expect-error: RunStatus is a string column, not a datetime
    expect(timeOf(line, 'RunStatus')).toBe(Number.NEGATIVE_INFINITY);
    expect(timeOf(line, 'SnapshotDate')).toBe(Number.NEGATIVE_INFINITY); // unparseable sorts oldest
    expect(countsOf(line, 'RecordCounts')).toEqual({ DailyScore: 1 });
    // @ts-expect-error: MaxScore is not a dynamic column
    expect(countsOf(line, 'MaxScore')).toEqual({});
  });

  it('reads a record of a known type only by the columns that type carries', () => {
    expect(isRecordOf(line, 'DailyScore')).toBe(true);
    if (!isRecordOf(line, 'DailyScore')) return;
    expect(numberOf(line, 'MaxScore')).toBe(314);
    // @ts-expect-error: a DailyScore record has no ControlName
    expect(textOf(line, 'ControlName')).toBeNull();
    // @ts-expect-error: RunStatus belongs to ConnectorRun records
    expect(textOf(line, 'RunStatus')).toBeNull();
    const state = (record: InputRecordOf<'ControlState'> | InputRecordOf<'ControlStateUpdate'>) => [
      textOf(record, 'UpdatedBy'),
      // @ts-expect-error: PreviousState is only on ControlStateUpdate, so not on every state record
      textOf(record, 'PreviousState'),
    ];
    expect(state({ RecordType: 'ControlState', RecordId: 's1', UpdatedBy: 'a' })).toEqual(['a', null]);
  });

  it("takes each record type's columns from the schema's typed records", () => {
    type Same<R extends RecordType> = [keyof InputRecordOf<R>] extends [keyof RecordOf<R>]
      ? [keyof RecordOf<R>] extends [keyof InputRecordOf<R>]
        ? true
        : false
      : false;
    expectTypeOf<{ [R in RecordType]: Same<R> }>().toEqualTypeOf<{ [R in RecordType]: true }>();
    expectTypeOf<'ControlName'>().not.toExtend<keyof InputRecordOf<'DailyScore'>>();
    expectTypeOf<'ControlName'>().toExtend<keyof InputRecordOf<'ControlScore'>>();
  });

  it('takes any JSON object with a string RecordType and RecordId as a record', () => {
    expect(isInputRecord({ RecordType: 'SomethingNew', RecordId: 'x' })).toBe(true);
    expect(isInputRecord({ RecordType: 'DailyScore', RecordId: 7 })).toBe(false);
    expect(isInputRecord({ RecordId: 'x' })).toBe(false);
  });
});
