import { afterEach, describe, expect, it } from 'vitest';
import { toIsoDate } from '../../src/normalize/coerce.js';
import type { RawControlProfile, RawSecureScore } from '../../src/normalize/graph-types.js';
import { Warnings } from '../../src/normalize/warnings.js';
import type { TableRecord } from '../../src/schema/records.js';
import { normalizeTiny, TINY_PROFILES, tinySnapshot } from '../support/tiny-tenant.js';

// Issue 24, row 11: dates are accepted only in the forms Graph documents, and never read in the host's time zone.

const NOW = '2026-12-05T06:00:00.000Z';
const PROFILES = TINY_PROFILES;

const snapshot = tinySnapshot;

const normalize = (secureScores: RawSecureScore[], profiles = PROFILES) => normalizeTiny(NOW, secureScores, profiles);

const ofType = (records: TableRecord[], type: string) => records.filter((r) => r.RecordType === type);
const days = (records: TableRecord[]) => ofType(records, 'DailyScore').map((r) => String(r.SnapshotDate).slice(0, 10));

/** Runs `read` with the process in time zone `zone` (Node reads TZ again whenever it is set). */
const originalTz = process.env.TZ;
function inZone<T>(zone: string, read: () => T): T {
  process.env.TZ = zone;
  return read();
}
afterEach(() => {
  if (originalTz === undefined) delete process.env.TZ;
  else process.env.TZ = originalTz;
});

describe('dates are accepted only in the forms Graph documents (row 11)', () => {
  it('the time zone switch these tests rely on does change how the host reads local time', () => {
    const tokyo = inZone('Asia/Tokyo', () => new Date(2026, 11, 4).getTimezoneOffset());
    const losAngeles = inZone('America/Los_Angeles', () => new Date(2026, 11, 4).getTimezoneOffset());
    expect([tokyo, losAngeles]).toEqual([-540, 480]);
  });

  it('quarantines a snapshot whose createdDateTime is the number 12, instead of dating it 2001, and keeps every real day', () => {
    const { records, warnings } = normalize([
      snapshot('2026-12-04'),
      snapshot('2026-12-03'),
      snapshot('2026-12-02', { createdDateTime: 12 }),
      snapshot('2026-12-01'),
      snapshot('2026-11-30'),
    ]);
    expect(days(records)).toEqual(['2026-12-04', '2026-12-03', '2026-12-01', '2026-11-30']);
    expect(records.some((r) => String(r.SnapshotDate).startsWith('2001'))).toBe(false);
    expect(warnings.counts['invalid-date']).toBe(1);
    expect(warnings.counts['snapshot-quarantined']).toBe(1);
    expect(warnings.messages.join('\n')).toMatch(/secureScores\[2\]\.createdDateTime .*12/);
  });

  it('refuses a date and time separated by a space, with no zone, under any host time zone', () => {
    for (const zone of ['Asia/Tokyo', 'America/Los_Angeles', 'UTC']) {
      const w = new Warnings();
      expect(inZone(zone, () => toIsoDate('2026-12-04 00:00:00', 'createdDateTime', w))).toBeNull();
      expect(w.counts).toEqual({ 'invalid-date': 1 });
      expect(w.messages[0]).toContain('createdDateTime');
      expect(w.messages[0]).toContain('2026-12-04 00:00:00');
      const { records, warnings } = inZone(zone, () => normalize([snapshot('2026-12-04', { createdDateTime: '2026-12-04 00:00:00' })]));
      expect(days(records)).toEqual([]);
      expect(warnings.counts['snapshot-quarantined']).toBe(1);
    }
  });

  it('reads a zone-less ISO date-time as UTC with a counted warning, the same under every host time zone', () => {
    const read = (zone: string) => {
      const w = new Warnings();
      return [inZone(zone, () => toIsoDate('2026-12-04T00:30:00', 'createdDateTime', w)), w.counts];
    };
    const expected = ['2026-12-04T00:30:00.000Z', { 'date-without-zone': 1 }];
    expect(read('Asia/Tokyo')).toEqual(expected);
    expect(read('America/Los_Angeles')).toEqual(expected);
  });

  it.each([
    ['2026-12-04T00:00:00Z', '2026-12-04T00:00:00.000Z'],
    ['2026-12-04T09:00:00+09:00', '2026-12-04T00:00:00.000Z'],
    ['2026-12-03T16:00:00-08:00', '2026-12-04T00:00:00.000Z'],
    ['2026-12-04T00:00:00.1234567Z', '2026-12-04T00:00:00.123Z'],
    ['2026-12-04T00:00:00.5-00:00', '2026-12-04T00:00:00.500Z'],
    ['2024-02-29T23:59:59Z', '2024-02-29T23:59:59.000Z'],
    ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00.000Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
    ['0050-06-01T00:00:00Z', '0050-06-01T00:00:00.000Z'],
    ['2026-12-04', '2026-12-04T00:00:00.000Z'],
  ])('accepts %j as %j', (input, expected) => {
    for (const zone of ['Asia/Tokyo', 'America/Los_Angeles'])
      expect(inZone(zone, () => toIsoDate(input, 'd', new Warnings()))).toBe(expected);
  });

  it.each([
    [12],
    [1764806400000],
    [true],
    [['2026-12-04T00:00:00Z']],
    [{ date: '2026-12-04T00:00:00Z' }],
    ['12'],
    ['2026'],
    ['2026-12'],
    ['2026-12-04 00:00:00Z'],
    ['2026-12-04T00:00'],
    ['2026-12-04T00:00Z'],
    ['Fri, 04 Dec 2026 00:00:00 GMT'],
    ['12/04/2026'],
    ['December 4, 2026'],
    ['2026-02-29T00:00:00Z'],
    ['1900-02-29T00:00:00Z'],
    ['2026-04-31T00:00:00Z'],
    ['2026-13-01T00:00:00Z'],
    ['2026-00-10T00:00:00Z'],
    ['2026-12-00T00:00:00Z'],
    ['2026-12-04T24:00:00Z'],
    ['2026-12-04T23:60:00Z'],
    ['2026-12-04T23:59:60Z'],
    ['2026-12-04T00:00:00+24:00'],
    ['2026-12-04T00:00:00+09:60'],
    ['2026-12-04T00:00:00+0900'],
    ['0000-01-01T00:00:00Z'],
    ['+275760-09-13T00:00:00Z'],
    ['-000001-01-01T00:00:00Z'],
    ['20261204T000000Z'],
    ['2026-12-04T00:00:00.Z'],
    ['２０２６-12-04T00:00:00Z'],
  ])('refuses %j with a counted warning naming the field and the value', (input) => {
    for (const zone of ['Asia/Tokyo', 'America/Los_Angeles']) {
      const w = new Warnings();
      expect(inZone(zone, () => toIsoDate(input, 'secureScores[3].createdDateTime', w))).toBeNull();
      expect(w.counts).toEqual({ 'invalid-date': 1 });
      expect(w.messages[0]).toContain('secureScores[3].createdDateTime');
      expect(w.messages[0]).toContain(JSON.stringify(input).slice(0, 30));
    }
  });

  it('refuses a state update dated by a number, and a lastSynced in the space form, with counted warnings', () => {
    const profiles: RawControlProfile[] = [
      {
        id: 'A',
        maxScore: 10,
        controlStateUpdates: [
          { state: 'Ignored', updatedDateTime: 12 },
          { state: 'Default', updatedDateTime: '2026-11-01T00:00:00Z' },
        ],
      },
    ];
    const { records, warnings } = normalize(
      [snapshot('2026-12-04', { controlScores: [{ controlName: 'A', score: 5, lastSynced: '2026-12-04 03:00:00' }] })],
      profiles,
    );
    expect(ofType(records, 'ControlStateUpdate').map((r) => r.UpdatedDateTime)).toEqual(['2026-11-01T00:00:00.000Z']);
    expect(ofType(records, 'ControlScore')[0]!.LastSynced).toBeNull();
    expect(warnings.counts['state-update-quarantined']).toBe(1);
    expect(warnings.counts['invalid-date']).toBe(2);
  });
});
