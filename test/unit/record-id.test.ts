import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compact, recordId } from '../../src/normalize/record.js';

/** RecordIds as every earlier version computed them: one Hash, fed the type then each part. */
function recordIdAsBefore(type: string, ...parts: Array<string | null | undefined>): string {
  const hash = createHash('sha256');
  hash.update(type);
  for (const part of parts) hash.update(`\u001f${part ?? ''}`);
  return hash.digest('hex').slice(0, 32);
}

describe('record ids', () => {
  it.each([
    ['ControlScore', ['6f1e5a2b-0c3d-4e5f-8a9b-1c2d3e4f5a6b', '6f1e5a2b_2026-11-04', 'AdminMFAV2']],
    ['ControlState', ['t', null, 'A', 'Default', undefined]],
    ['ControlStateUpdate', ['t', 'Contrôle «accepté» ✓', '2026-11-04T00:00:00.000Z', '😀']],
    ['DailyScore', []],
  ] as const)('gives a %s the id earlier versions gave it, so dedupe on read spans an upgrade', (type, parts) => {
    expect(recordId(type, ...parts)).toBe(recordIdAsBefore(type, ...parts));
  });
});

describe('compact', () => {
  it('returns a record without undefined values as it is', () => {
    const record = { a: 1, b: null };
    expect(compact(record)).toBe(record);
  });

  it('drops undefined values and keeps nulls and the order of the rest', () => {
    expect(Object.entries(compact({ a: 1, b: undefined, c: null, d: 'x' }))).toEqual([
      ['a', 1],
      ['c', null],
      ['d', 'x'],
    ]);
  });
});
