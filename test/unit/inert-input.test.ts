import { describe, expect, it } from 'vitest';
import type { RawControlProfile, RawSecureScore } from '../../src/normalize/graph-types.js';
import type { TableRecord } from '../../src/schema/records.js';
import { normalizeTiny, TINY_PROFILES, tinySnapshot } from '../support/tiny-tenant.js';

// Issue 24, row 14: untrusted text stays inert (a word from Graph never reaches Object.prototype), and a
// number outside its column is refused with a counted warning, not sent.

const NOW = '2026-12-05T06:00:00.000Z';
const PROFILES = TINY_PROFILES;

const snapshot = tinySnapshot;

const normalize = (secureScores: RawSecureScore[], profiles = PROFILES) => normalizeTiny(NOW, secureScores, profiles);

const ofType = (records: TableRecord[], type: string) => records.filter((r) => r.RecordType === type);
const days = (records: TableRecord[]) => ofType(records, 'DailyScore').map((r) => String(r.SnapshotDate).slice(0, 10));

describe('untrusted text stays inert (row 14)', () => {
  const HOSTILE = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf'];

  it.each(HOSTILE)('keeps a control state %j as sent, in State and StateLabel, with an unknown-state warning', (word) => {
    const profiles: RawControlProfile[] = [
      {
        id: 'A',
        maxScore: 10,
        controlStateUpdates: [
          { state: 'Ignored', updatedDateTime: '2026-11-01T00:00:00Z' },
          { state: word, updatedDateTime: '2026-11-02T00:00:00Z' },
        ],
      },
    ];
    const { records, warnings } = normalize([snapshot('2026-12-04')], profiles);
    const updates = ofType(records, 'ControlStateUpdate');
    expect(updates.map((u) => [u.State, u.PreviousState, u.StateLabel])).toEqual([
      ['Ignored', null, 'Risk accepted'],
      [word, 'Ignored', word],
    ]);
    const [state] = ofType(records, 'ControlState');
    expect([state!.State, state!.StateLabel]).toEqual([word, word]);
    // What is sent: the columns are there, as text.
    for (const record of [updates[1]!, state!]) {
      const sent = JSON.parse(JSON.stringify(record)) as Record<string, unknown>;
      expect([sent.State, sent.StateLabel]).toEqual([word, word]);
    }
    expect(warnings.counts['unknown-state']).toBe(1);
  });

  it.each(HOSTILE)('keeps a category, impact or cost %j as text', (word) => {
    const profiles: RawControlProfile[] = [{ id: 'A', maxScore: 10, controlCategory: word, userImpact: word, implementationCost: word }];
    const { records } = normalize(
      [snapshot('2026-12-04', { controlScores: [{ controlName: 'A', score: 5, controlCategory: word }] })],
      profiles,
    );
    for (const r of [...ofType(records, 'ControlScore'), ...ofType(records, 'ControlState')])
      expect([r.ControlCategory, r.UserImpact, r.ImplementationCost]).toEqual([word, word, word]);
  });

  it('keeps a control property named __proto__ as a property, not as the prototype of the others', () => {
    const control = JSON.parse('{"controlName":"A","score":5,"__proto__":{"injected":true},"constructor":"x"}') as Record<string, unknown>;
    const { records } = normalize([snapshot('2026-12-04', { controlScores: [control] })]);
    const sent = JSON.parse(JSON.stringify(ofType(records, 'ControlScore')[0])) as { ControlProperties: Record<string, unknown> };
    expect(Object.hasOwn(sent.ControlProperties, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(sent.ControlProperties, '__proto__')?.value).toEqual({ injected: true });
    expect(sent.ControlProperties.constructor).toBe('x');
    expect((ofType(records, 'ControlScore')[0]!.ControlProperties as Record<string, unknown>).injected).toBeUndefined();
  });

  it('does not throw on objects that cannot be turned into text (toString not a function)', () => {
    const odd = JSON.parse('{"toString":1,"valueOf":2}') as unknown;
    const profiles: RawControlProfile[] = [
      { id: 'A', maxScore: 10, azureTenantId: odd, controlStateUpdates: [{ state: odd, updatedDateTime: odd }] },
    ];
    const { records, warnings } = normalize(
      [
        snapshot('2026-12-04', {
          azureTenantId: odd,
          averageComparativeScores: [{ basis: odd, averageScore: -1 }],
          controlScores: [{ controlName: 'A', score: 5 }, { score: odd }],
        }),
      ],
      profiles,
    );
    expect(days(records)).toEqual(['2026-12-04']);
    expect(warnings.counts).toMatchObject({ 'tenant-mismatch': 1, 'state-update-quarantined': 1, 'control-without-name': 1 });
  });
});

describe('numbers outside their column are refused, not sent (row 14)', () => {
  it.each([
    ['activeUserCount', 1e300],
    ['activeUserCount', 2 ** 31],
    ['activeUserCount', -(2 ** 31) - 1],
    ['licensedUserCount', '1e300'],
    ['licensedUserCount', '3000000000'],
  ])('leaves the int column empty when %s is %j, with a counted warning naming it', (field, value) => {
    const { records, warnings } = normalize([snapshot('2026-12-04', { [field]: value })]);
    const [daily] = ofType(records, 'DailyScore');
    const column = field === 'activeUserCount' ? 'ActiveUserCount' : 'LicensedUserCount';
    expect(daily![column]).toBeNull();
    expect(warnings.counts['number-out-of-range']).toBe(1);
    expect(warnings.messages.find((m) => m.startsWith('number-out-of-range'))).toContain(field);
  });

  it('accepts the int32 bounds themselves', () => {
    const { records, warnings } = normalize([snapshot('2026-12-04', { activeUserCount: 2 ** 31 - 1, licensedUserCount: -(2 ** 31) })]);
    expect(ofType(records, 'DailyScore')[0]).toMatchObject({ ActiveUserCount: 2 ** 31 - 1, LicensedUserCount: -(2 ** 31) });
    expect(warnings.counts['number-out-of-range']).toBeUndefined();
  });

  it('leaves Rank empty when the profile rank is 1e300', () => {
    const { records, warnings } = normalize([snapshot('2026-12-04')], [{ id: 'A', maxScore: 10, rank: 1e300 }]);
    expect(ofType(records, 'ControlScore')[0]!.Rank).toBeNull();
    expect(warnings.counts['number-out-of-range']).toBe(1);
  });

  it('leaves a real column empty, with a warning, when its arithmetic overflows', () => {
    const { records, warnings } = normalize([
      snapshot('2026-12-04', { currentScore: 1.7e308, maxScore: 1e-10 }),
      snapshot('2026-12-03', { currentScore: -1.7e308, maxScore: 1.7e308 }),
    ]);
    const [newest] = ofType(records, 'DailyScore');
    expect(newest).toMatchObject({ CurrentScore: 1.7e308, ScorePercent: null, ScoreChange: null });
    expect(warnings.counts['number-out-of-range']).toBe(2);
  });
});
